/**
 * The dialect matrix. Suites loop over {@link DIALECTS}; each dialect hands out isolated databases:
 * a fresh SQLite file, a fresh PostgreSQL schema, a fresh MySQL database, all removed after the test file.
 *
 * `ONEMODEL_DIALECTS=sqlite,postgres,mysql` picks dialects (default: all). A server that does not answer
 * is skipped with one line saying why, except with `CI=true`, where it fails the run.
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
  /** Why the dialect is skipped here, or `undefined` when it runs. */
  readonly skip: string | undefined
  /** A database URL no other test uses, dropped after the test file. */
  isolatedUrl(): Promise<string>
}

const requested = (process.env.ONEMODEL_DIALECTS ?? 'sqlite,postgres,mysql')
  .split(',')
  .map((name) => name.trim())

async function reachable(url: string): Promise<string | undefined> {
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

/** Runs admin statements (create/drop schema or database) on the shared test database. */
async function admin(url: string, statement: string): Promise<void> {
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

function uniqueName(): string {
  return `t_${process.pid}_${randomBytes(4).toString('hex')}`
}

async function serverDialect(
  name: DialectName,
  url: string,
  isolate: (name: string) => { create: string; drop: string; url: string },
): Promise<DialectUnderTest> {
  const failure = requested.includes(name) ? await reachable(url) : 'not in ONEMODEL_DIALECTS'
  if (failure && requested.includes(name) && process.env.CI === 'true') {
    throw new Error(
      `CI=true and the ${name} server at ${url.replace(/:[^:@/]*@/, ':***@')} is unreachable: ${failure}`,
    )
  }
  return {
    name,
    skip: failure && `${name} skipped: ${failure}`,
    async isolatedUrl() {
      const isolated = isolate(uniqueName())
      await admin(url, isolated.create)
      drops.push(() => admin(url, isolated.drop))
      return isolated.url
    },
  }
}

const sqlite: DialectUnderTest = {
  name: 'sqlite',
  skip: requested.includes('sqlite') ? undefined : 'sqlite skipped: not in ONEMODEL_DIALECTS',
  isolatedUrl: async () => tempSqliteUrl(),
}

const postgres = await serverDialect('postgres', POSTGRES_URL, (schema) => ({
  create: `create schema ${schema}`,
  drop: `drop schema if exists ${schema} cascade`,
  url: `${POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
}))

const mysql = await serverDialect('mysql', MYSQL_URL, (database) => ({
  create: `create database ${database}`,
  drop: `drop database if exists ${database}`,
  url: MYSQL_URL.replace(/\/[^/?]*(\?|$)/, `/${database}$1`),
}))

/** Every dialect, with `skip` set where it cannot run here. */
export const DIALECTS: readonly DialectUnderTest[] = [sqlite, postgres, mysql]

for (const dialect of DIALECTS) if (dialect.skip) console.log(`# ${dialect.skip}`)
