/**
 * The dialect matrix. Suites loop over {@link DIALECTS}, the dialects that run here; each hands out isolated
 * databases: a fresh SQLite file, a fresh PostgreSQL schema, a fresh MySQL database, all removed after the
 * test file.
 *
 * `ONEMODEL_DIALECTS=sqlite,postgres,mysql` picks dialects (default: all). A server that does not answer is
 * left out of {@link DIALECTS}, so its suites are not registered at all; `test/dialects.test.ts` reports it
 * once, as one skipped test with the reason. With `CI=true` an unreachable server fails the run instead.
 * `npm test` probes the servers once for every file (test/support/global-setup.ts); a file run alone
 * probes them itself.
 */
import { randomBytes } from 'node:crypto'
import { after } from 'node:test'
import { createEngine, type DialectName } from 'onemodel-ts'
import { tempSqliteUrl } from './sqlite.ts'

export const POSTGRES_URL =
  process.env.ONEMODEL_POSTGRES_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/onemodel_test'
export const MYSQL_URL = process.env.ONEMODEL_MYSQL_URL ?? 'mysql://root:root@127.0.0.1:3306/onemodel_test'

export interface DialectUnderTest {
  readonly name: DialectName
  /** How suites name it, when it is not just the dialect (PostgreSQL through PgBouncer). */
  readonly label?: string
  /** A database URL no other test uses, dropped after the test file. */
  isolatedUrl(): Promise<string>
}

/** A requested dialect that cannot run here, and why. */
export interface SkippedDialect {
  readonly name: DialectName
  readonly reason: string
}

const ALL: readonly DialectName[] = ['sqlite', 'postgres', 'mysql']
const SERVERS = { postgres: POSTGRES_URL, mysql: MYSQL_URL } as const

/** The dialects `ONEMODEL_DIALECTS` asks for, in matrix order. */
export const REQUESTED: readonly DialectName[] = ALL.filter((name) =>
  (process.env.ONEMODEL_DIALECTS ?? ALL.join(',')).split(',').some((item) => item.trim() === name),
)

/** Where global-setup.ts hands its probe's answer to the test files: `{"mysql": "why", …}`. */
export const PROBED_ENV = 'ONEMODEL_UNREACHABLE_DIALECTS'

/** Why `url` cannot be connected to, or `undefined` when a round trip works. */
export async function unreachable(url: string): Promise<string | undefined> {
  const engine = createEngine(url, { pool: { size: 1, connectTimeout: 3000 } })
  try {
    await engine.db.selectNoFrom((eb) => eb.lit(1).as('one')).execute()
    return undefined
  } catch (error) {
    return (error as Error).message
  } finally {
    await engine.dispose()
  }
}

/**
 * Connects to each requested server once and returns why each unreachable one cannot run. With `CI=true`
 * an unreachable server throws: every server-backed test is mandatory there.
 */
export async function probeServers(): Promise<Partial<Record<DialectName, string>>> {
  const failures: Partial<Record<DialectName, string>> = {}
  for (const name of ['postgres', 'mysql'] as const) {
    if (!REQUESTED.includes(name)) continue
    const failure = await unreachable(SERVERS[name])
    if (failure === undefined) continue
    if (process.env.CI === 'true') {
      throw new Error(
        `CI=true and the ${name} server at ${SERVERS[name].replace(/:[^:@/]*@/, ':***@')} is unreachable: ${failure}`,
      )
    }
    failures[name] = failure
  }
  return failures
}

/** Runs admin statements (create/drop schema or database) on the shared test database. */
export async function admin(url: string, statement: string): Promise<void> {
  const engine = createEngine(url, { pool: { size: 1 } })
  try {
    await engine.db.executeQuery({ sql: statement, parameters: [] } as never)
  } finally {
    await engine.dispose()
  }
}

const drops: (() => Promise<void>)[] = []
// Registered when this module loads, so on the test file's root: see test/support/sqlite.ts.
after(async () => {
  for (const drop of drops.splice(0)) await drop()
})

/** Runs `drop` after the test file, with the isolated schemas and databases. */
export function dropAfterFile(drop: () => Promise<void>): void {
  drops.push(drop)
}

export function uniqueName(): string {
  return `t_${process.pid}_${randomBytes(4).toString('hex')}`
}

function serverDialect(
  name: DialectName,
  url: string,
  isolate: (name: string) => { create: string; drop: string; url: string },
): DialectUnderTest {
  return {
    name,
    async isolatedUrl() {
      const isolated = isolate(uniqueName())
      await admin(url, isolated.create)
      drops.push(() => admin(url, isolated.drop))
      return isolated.url
    },
  }
}

const MATRIX: readonly DialectUnderTest[] = [
  { name: 'sqlite', isolatedUrl: async () => tempSqliteUrl() },
  serverDialect('postgres', POSTGRES_URL, (schema) => ({
    create: `create schema ${schema}`,
    drop: `drop schema if exists ${schema} cascade`,
    url: `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
  })),
  serverDialect('mysql', MYSQL_URL, (database) => ({
    create: `create database ${database}`,
    drop: `drop database if exists ${database}`,
    url: MYSQL_URL.replace(/\/[^/?]*(\?|$)/, `/${database}$1`),
  })),
]

const handedDown = process.env[PROBED_ENV]
const failures: Partial<Record<DialectName, string>> =
  handedDown === undefined ? await probeServers() : JSON.parse(handedDown)

/** The requested dialects that cannot run here, with the reason: reported once, by test/dialects.test.ts. */
export const SKIPPED_DIALECTS: readonly SkippedDialect[] = Object.entries(failures).map(([name, reason]) => ({
  name: name as DialectName, // the keys are the DialectNames probeServers() wrote
  reason,
}))

/** Every requested dialect that runs here. */
export const DIALECTS: readonly DialectUnderTest[] = MATRIX.filter(
  (dialect) => REQUESTED.includes(dialect.name) && failures[dialect.name] === undefined,
)
