/**
 * Reads the code and commands out of the documentation and runs them, so the tests run what the pages show
 * and a page cannot drift from its test.
 */
import { execFileSync, spawn } from 'node:child_process'
import { after } from 'node:test'

/** The fenced code blocks of one language, in page order: `codeBlocks(readme, 'ts')`. */
export function codeBlocks(markdown: string, language: string): string[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)]
    .filter((match) => match[1] === language)
    .map((match) => match[2]!)
}

/**
 * The blocks a page names as files: a paragraph ending in `` `models.ts`: `` followed by the block gives
 * `files.get('models.ts')`.
 */
export function fileBlocks(markdown: string): Map<string, string> {
  const blocks = markdown.matchAll(/`([\w.-]+)`:\n\n```\w*\n([\s\S]*?)^```$/gm)
  return new Map([...blocks].map((match) => [match[1]!, match[2]!]))
}

/** The `curl` commands of a shell block, each followed by a `# <output>` line with what it prints. */
export function curlExamples(block: string): { command: string; expected: string }[] {
  return [...block.matchAll(/^(curl[\s\S]*?)\n# (.*)$/gm)].map((match) => ({
    command: match[1]!,
    expected: match[2]!,
  }))
}

/** The relative link targets of a page, without their `#fragment`: `docs/cli.md`, `docs/tutorial/`. */
export function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!.replace(/#.*$/, ''))
    .filter((target) => target !== '' && !/^[a-z][a-z+.-]*:/i.test(target))
}

/** Runs a page's curl command against `origin` instead of the page's `http://127.0.0.1:8000`, silently. */
export function runCurl(command: string, origin: string): string {
  return execFileSync('sh', ['-c', `${command.replaceAll('http://127.0.0.1:8000', origin)} -s`], {
    encoding: 'utf8',
  })
}

/**
 * Starts a Node program that prints `… on http://host:port` once it listens (an app started with
 * `PORT=0`), and resolves with that origin. The program is stopped when the calling test ends.
 */
export async function startServer(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  const server = spawn(process.execPath, args, { ...options, stdio: ['ignore', 'pipe', 'inherit'] })
  after(() => server.kill('SIGTERM'))
  return new Promise<string>((resolve, reject) => {
    server.stdout.on('data', (chunk: Buffer) => {
      const origin = / on (http:\/\/[\w.:[\]]+)/.exec(chunk.toString())?.[1]
      if (origin) resolve(origin)
    })
    server.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before listening`)))
  })
}
