/**
 * Runs the tutorial's programs as a user would (`node docs/tutorial/code/03-crud.ts`) and reads its pages,
 * so each tutorial test checks the printed output and that the page shows the program as it is.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, test } from 'node:test'

const tutorial = resolve(import.meta.dirname, '../../docs/tutorial')

/** The source of `docs/tutorial/code/<name>.ts`. */
export function programSource(name: string): string {
  return readFileSync(join(tutorial, 'code', `${name}.ts`), 'utf8')
}

export interface ProgramRun {
  readonly stdout: string
  /** What the program wrote to stderr: the SQL its engine echoes there, when it echoes. */
  readonly stderr: string
  /** The working directory the program ran in, removed after the test file. */
  readonly cwd: string
}

/**
 * Runs `docs/tutorial/code/<name>.ts` in a fresh temporary directory (or in `cwd`, where an earlier run
 * ran), with `DATABASE_URL` pointing at a fresh SQLite file there (pass `databaseUrl: undefined` to let the
 * program use its default URL).
 */
export function runProgram(
  name: string,
  options: { databaseUrl?: string | undefined; cwd?: string } = {},
): ProgramRun {
  const cwd = options.cwd ?? temporaryDirectory()
  const databaseUrl = 'databaseUrl' in options ? options.databaseUrl : `sqlite:///${join(cwd, 'test.db')}`
  const env = { ...process.env }
  delete env.DATABASE_URL
  if (databaseUrl !== undefined) env.DATABASE_URL = databaseUrl
  const run = spawnSync(
    process.execPath,
    ['--conditions=development', join(tutorial, 'code', `${name}.ts`)],
    {
      cwd,
      env,
      encoding: 'utf8',
    },
  )
  if (run.error) throw run.error
  if (run.status !== 0) throw new Error(`${name}.ts exited with ${run.status ?? run.signal}:\n${run.stderr}`)
  return { stdout: run.stdout, stderr: run.stderr, cwd }
}

function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'onemodel-tutorial-'))
  after(() => rmSync(directory, { recursive: true, force: true }))
  return directory
}

/**
 * `docs/tutorial/<name>.md` split into its TypeScript blocks, its `text` (printed output) blocks and its `sql`
 * blocks (statements the program's engine echoes on SQLite, one a line).
 */
export function page(name: string): { code: string; output: string; sql: string[] } {
  const path = join(tutorial, `${name}.md`)
  if (!existsSync(path)) throw new Error(`docs/tutorial/${name}.md is missing`)
  const text = readFileSync(path, 'utf8')
  const blocks = (lang: string) =>
    [...text.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!)
  // The page shows the program in pieces with prose between them; joined, they are the whole file.
  return {
    code: blocks('ts').join('\n'),
    output: blocks('text').join(''),
    sql: blocks('sql').flatMap((block) => block.split('\n').filter((line) => line !== '')),
  }
}

/**
 * Asserts that every statement the page shows in its `sql` blocks is one the program echoed, in the page's
 * order: a page shows the statements that teach something, not the DDL and inserts around them.
 */
export function assertEchoed(name: string, stderr: string): void {
  const shown = page(name).sql
  assert.ok(shown.length > 0, `docs/tutorial/${name}.md shows no SQL`)
  const echoed = stderr.split('\n')
  let from = 0
  for (const statement of shown) {
    const at = echoed.indexOf(statement, from)
    assert.ok(
      at >= 0,
      `the page shows SQL that the program did not echo, or not in this order:\n${statement}`,
    )
    from = at + 1
  }
}

/**
 * The test every query page has: the page shows its program exactly, what it prints (`printed`), and SQL
 * the program echoes.
 */
export function testPageShows(name: string, printed: string): void {
  test('the page shows the program as it is, what it prints, and the SQL it echoes', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
    assert.equal(page(name).output, printed)
    assertEchoed(name, runProgram(name).stderr)
  })
}
