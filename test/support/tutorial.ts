/**
 * Runs the tutorial's programs as a user would (`node docs/tutorial/code/03-crud.ts`) and reads its pages,
 * so each tutorial test checks the printed output and that the page shows the program as it is.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after } from 'node:test'

const tutorial = resolve(import.meta.dirname, '../../docs/tutorial')

/** The source of `docs/tutorial/code/<name>.ts`. */
export function programSource(name: string): string {
  return readFileSync(join(tutorial, 'code', `${name}.ts`), 'utf8')
}

export interface ProgramRun {
  readonly stdout: string
  /** The working directory the program ran in, removed after the test file. */
  readonly cwd: string
}

/**
 * Runs `docs/tutorial/code/<name>.ts` in a fresh temporary directory, with `DATABASE_URL` pointing at a fresh
 * SQLite file there (pass `databaseUrl: undefined` to let the program use its default URL).
 */
export function runProgram(name: string, options: { databaseUrl?: string | undefined } = {}): ProgramRun {
  const cwd = mkdtempSync(join(tmpdir(), 'onemodel-tutorial-'))
  after(() => rmSync(cwd, { recursive: true, force: true }))
  const databaseUrl = 'databaseUrl' in options ? options.databaseUrl : `sqlite:///${join(cwd, 'test.db')}`
  const env = { ...process.env }
  delete env.DATABASE_URL
  if (databaseUrl !== undefined) env.DATABASE_URL = databaseUrl
  const stdout = execFileSync(
    process.execPath,
    ['--conditions=development', join(tutorial, 'code', `${name}.ts`)],
    { cwd, env, encoding: 'utf8' },
  )
  return { stdout, cwd }
}

/** `docs/tutorial/<name>.md` split into its TypeScript blocks and its `text` (printed output) blocks. */
export function page(name: string): { code: string; output: string } {
  const path = join(tutorial, `${name}.md`)
  if (!existsSync(path)) throw new Error(`docs/tutorial/${name}.md is missing`)
  const text = readFileSync(path, 'utf8')
  const blocks = (lang: string) =>
    [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!)
  // The page shows the program in pieces with prose between them; joined, they are the whole file.
  return { code: blocks('ts').join('\n'), output: blocks('text').join('') }
}
