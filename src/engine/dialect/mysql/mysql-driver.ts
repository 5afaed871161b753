import mysql from 'mysql2'
import { CompiledQuery, MysqlDriver as KyselyMysqlDriver } from 'kysely'
import { PooledDriver, type PooledDriverHooks } from '../pooled-driver.ts'
import type { PoolOptions } from '../dialect.ts'

/** A mysql2 pool behind Kysely's MySQL driver. Works with MySQL 8 and MariaDB 10.6+. */
export function mysqlDriver(url: URL, pool: PoolOptions, hooks: PooledDriverHooks): PooledDriver {
  const client = mysql.createPool({
    uri: url.href.replace(/^mariadb:/, 'mysql:'),
    connectionLimit: pool.size ?? 10,
    connectTimeout: pool.connectTimeout ?? 10_000,
    // Dates are UTC both ways; DATE columns stay 'YYYY-MM-DD' strings.
    timezone: 'Z',
    dateStrings: ['DATE'],
    // UPDATE reports the rows it matched, not only the rows whose values changed.
    flags: ['FOUND_ROWS'],
    supportBigNumbers: true,
    ...(pool.ssl === undefined ? {} : { ssl: pool.ssl as mysql.PoolOptions['ssl'] }),
  })
  const statementTimeout = pool.statementTimeout
  return new PooledDriver(
    new KyselyMysqlDriver({
      pool: client,
      ...(statementTimeout === undefined
        ? {}
        : {
            onCreateConnection: async (connection) => {
              // MariaDB's per-session limit, in seconds.
              await connection.executeQuery(
                CompiledQuery.raw(`set session max_statement_time = ${statementTimeout / 1000}`),
              )
            },
          }),
    }),
    hooks,
  )
}
