import { readFileSync } from 'node:fs'
import { OnemodelError } from '../errors.ts'
import { UsageError, type ExitCode, type Io } from './args.ts'

export const USAGE = `Usage: onemodel <command> [options]

Commands:
  serve <module>        serve the app a module exports (onemodel serve --help)
  migrate <command>     keep the database schema in step with the models (onemodel migrate --help)

Options:
  -h, --help            show help
  -v, --version         show the version

Exit codes: 0 success, 1 failure (or, for migrate check, differences), 2 a command line that cannot be used.`

/**
 * Runs the `onemodel` command line and returns its exit code, or `undefined` while a server keeps running.
 * Errors become one line on stderr: a usage error exits 2, any other error 1.
 */
export async function run(args: readonly string[], io: Io): Promise<ExitCode> {
  const [command, ...rest] = args
  try {
    switch (command) {
      case undefined:
        throw new UsageError('Missing command.', USAGE)
      case '-h':
      case '--help':
      case 'help':
        io.stdout(USAGE)
        return 0
      case '-v':
      case '--version':
        io.stdout(version())
        return 0
      // Commands load on use, so `--help` does not wait for database drivers or the HTTP server.
      case 'migrate': {
        const { migrate } = await import('./commands/migrate.ts')
        return await migrate(rest, io)
      }
      case 'serve': {
        const { serve } = await import('./commands/serve.ts')
        return await serve(rest, io)
      }
      default:
        throw new UsageError(`Unknown command "${command}".`, USAGE)
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n\n${error.usage}`)
      return 2
    }
    if (error instanceof OnemodelError) {
      io.stderr(`error [${error.code}]: ${error.message}`)
    } else {
      io.stderr(`error: ${(error as Error)?.stack ?? String(error)}`)
    }
    return 1
  }
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  return `onemodel ${pkg.version}`
}
