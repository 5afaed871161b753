import { parseArgs, type ParseArgsOptionsConfig } from 'node:util'

/** A command line that cannot be understood: the CLI prints the message and the usage, and exits with 2. */
export class UsageError extends Error {
  readonly usage: string

  constructor(message: string, usage: string) {
    super(message)
    this.usage = usage
  }
}

/** Where a command writes, and what it reads from its environment; tests and `main.ts` pass the process's. */
export interface Io {
  readonly stdout: (line: string) => void
  readonly stderr: (line: string) => void
  readonly env: NodeJS.ProcessEnv
  readonly cwd: string
}

/** A command's exit code: 0 done, 1 failed or differs, 2 usage. `undefined` keeps the process running (serve). */
export type ExitCode = 0 | 1 | 2 | undefined

/**
 * `node:util` parseArgs in strict mode, with `--help` on every command and negative numbers (`-1`) read as
 * positionals rather than options.
 */
export function parseCommand<const O extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: O,
  usage: string,
) {
  const numbers = new Map<string, string>()
  const prepared = args.map((arg, i) => {
    if (!/^-\d+$/.test(arg)) return arg
    const placeholder = `\0${i}`
    numbers.set(placeholder, arg)
    return placeholder
  })
  try {
    const parsed = parseArgs({
      args: prepared,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    })
    return {
      values: parsed.values as typeof parsed.values & { help?: boolean },
      positionals: parsed.positionals.map((p) => numbers.get(p) ?? p),
    }
  } catch (error) {
    throw new UsageError((error as Error).message, usage)
  }
}
