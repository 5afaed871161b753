import pg from 'pg'
import { PostgresDriver as KyselyPostgresDriver } from 'kysely'
import { PooledDriver, type PooledDriverHooks } from '../pooled-driver.ts'
import type { PoolOptions } from '../dialect.ts'

// DATE stays 'YYYY-MM-DD' (pg would make a local-time Date of it), and BIGINT (count(*)) becomes a number
// when it fits, as SQLite and MySQL return it.
const DATE_OID = 1082
const INT8_OID = 20
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === DATE_OID) return (value: string) => value
    if (oid === INT8_OID)
      return (value: string) => (Number.isSafeInteger(Number(value)) ? Number(value) : value)
    return pg.types.getTypeParser(oid, format as 'text')
  },
}

/** A pg pool behind Kysely's PostgreSQL driver. */
export function postgresDriver(url: URL, pool: PoolOptions, hooks: PooledDriverHooks): PooledDriver {
  const client = new pg.Pool({
    connectionString: url.href,
    max: pool.size ?? 10,
    connectionTimeoutMillis: pool.connectTimeout ?? 10_000,
    ...(pool.statementTimeout === undefined ? {} : { statement_timeout: pool.statementTimeout }),
    ...(pool.ssl === undefined ? {} : { ssl: pool.ssl as pg.PoolConfig['ssl'] }),
    types,
  })
  // An idle client that loses its server emits 'error'; without a listener that would crash the process.
  client.on('error', () => {})
  return new PooledDriver(new KyselyPostgresDriver({ pool: client }), hooks)
}
