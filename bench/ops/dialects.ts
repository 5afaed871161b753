/** Where the in-process benches run on each dialect, and how one run gets its engine and raw driver. */
import { join } from 'node:path'
import { createEngine, type DialectName, type Engine } from 'onemodel-ts'
import {
  ensureMysqlDatabase,
  ensurePostgresDatabase,
  MYSQL_URL,
  POSTGRES_URL,
  redacted,
} from '../databases.ts'
import { recreateTable } from './model.ts'
import { mysqlRaw, postgresRaw, sqliteRaw, type RawClient } from './raw.ts'

interface OpsDialect {
  /** The URL of a database ready for the bench; throws, saying so, when its server does not answer. */
  prepare(work: string): Promise<string>
  raw(url: string): RawClient
}

/** `url` once its database exists. */
async function serverDatabase(url: string, ensure: (url: string) => Promise<void>): Promise<string> {
  try {
    await ensure(url)
  } catch (error) {
    throw new Error(`${redacted(url)} does not answer (${(error as Error).message})`)
  }
  return url
}

const DIALECTS: Record<DialectName, OpsDialect> = {
  sqlite: { prepare: async (work) => `sqlite:///${join(work, 'ops.db')}`, raw: sqliteRaw },
  postgres: { prepare: () => serverDatabase(POSTGRES_URL, ensurePostgresDatabase), raw: postgresRaw },
  mysql: { prepare: () => serverDatabase(MYSQL_URL, ensureMysqlDatabase), raw: mysqlRaw },
}

/** The dialect names `--dialects` accepts, with `postgresql` for `postgres`. */
export function dialectNamed(name: string): DialectName {
  const dialect = name === 'postgresql' ? 'postgres' : name
  if (!(dialect in DIALECTS)) throw new Error(`--dialects lists sqlite, postgresql and mysql, not ${name}`)
  return dialect as DialectName // checked just above
}

/**
 * Runs `work` with an engine and a raw driver on an empty bench table of `name`'s database, then closes
 * both. A server that does not answer is reported in one line and skipped.
 */
export async function onDialect(
  name: DialectName,
  workDir: string,
  work: (engine: Engine, raw: RawClient) => Promise<void>,
): Promise<void> {
  let url: string
  try {
    url = await DIALECTS[name].prepare(workDir)
  } catch (error) {
    console.log(`${name}: skipped, ${(error as Error).message}`)
    return
  }
  const engine = createEngine(url)
  try {
    await recreateTable(engine)
    const raw = DIALECTS[name].raw(url)
    try {
      await work(engine, raw)
    } finally {
      await raw.close()
    }
  } finally {
    await engine.dispose()
  }
}
