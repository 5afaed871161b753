/**
 * What the `onemodel migrate` commands share: the `--config` option, the migrator opened from the
 * configuration for one command and closed after it, and the checks of `--help` and stray arguments.
 */
import { relative } from 'node:path'
import type { Migrator } from '../../engine/migrate/migrator.ts'
import { UsageError, type ExitCode, type Io } from '../args.ts'
import { loadConfig, loadMetadata } from '../config.ts'

/** `-c, --config <file>`, taken by every command that opens the database. */
export const CONFIG_OPTION = { config: { type: 'string', short: 'c' } } as const

/**
 * Runs `work` with a migrator for the configuration's models, database and migrations folder, and disposes
 * of the engine when it ends.
 */
export async function withMigrator(
  io: Io,
  configFile: string | undefined,
  work: (migrator: Migrator) => Promise<ExitCode>,
): Promise<ExitCode> {
  const config = await loadConfig(io.cwd, io.env, configFile)
  // Loaded here rather than at the top, so `--help` does not wait for the database drivers.
  const { createEngine } = await import('../../engine/engine.ts')
  const { createMigrator } = await import('../../engine/migrate/migrator.ts')
  const metadata = await loadMetadata(config.models)
  if (metadata.tables.length === 0) {
    io.stderr(`warning: ${relative(io.cwd, config.models)} declares no table(); the models are empty.`)
  }
  const engine = createEngine(config.url)
  try {
    const { migrations: folder, allowOutOfOrder } = config
    return await work(createMigrator(engine, { folder, metadata, allowOutOfOrder }))
  } finally {
    await engine.dispose()
  }
}

/** Prints a command's usage for `--help`. */
export function help(io: Io, usage: string): ExitCode {
  io.stdout(usage)
  return 0
}

/** Refuses the arguments of a command that takes none. */
export function noPositionals(positionals: readonly string[], usage: string): void {
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`, usage)
}
