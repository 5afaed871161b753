import type { Socket } from 'node:net'
import mysql from 'mysql2'
import type { QueryResult, TransactionSettings } from 'kysely'
import { OBJECT_ROWS, type RowShape } from '../../statement.ts'
import type { PoolOptions } from '../dialect.ts'
import { unanswered, UnpreparedStatement, type NativeConnection, type NativePool } from '../native.ts'

// What PREPARE answers for a statement the binary protocol cannot carry, which then runs as text, with its
// values in the SQL: ER_UNSUPPORTED_PS, and ER_PARSE_ERROR for a placeholder where the server takes only a
// literal (`show variables like ?`, a table comment). A real syntax error fails again as text.
const NOT_PREPARABLE = new Set([1064, 1295])
// ER_MAX_PREPARED_STMT_COUNT_REACHED: the server holds `max_prepared_stmt_count` prepared statements, over
// all its connections (16382 by default), and prepares no more until some are closed.
const SERVER_FULL = 1461

/**
 * Distinct statements a MySQL connection keeps prepared, unless {@link PoolOptions} says otherwise. The
 * server's `max_prepared_stmt_count` (16382 by default) is shared by every connection of every process:
 * 64 each leaves room for 255 connections (25 processes with the default pool of 10), against 63 at 256.
 * An application's hot statements, its gets, inserts and updates by key, are few and run first.
 */
export const MYSQL_STATEMENT_CACHE_SIZE = 64

/**
 * `error`, the answer to a PREPARE, as an {@link UnpreparedStatement} when the statement can still run
 * as text: lasting for a text the server cannot prepare, not lasting while the server is full.
 */
export function unprepared(error: unknown): UnpreparedStatement | undefined {
  const errno = (error as { errno?: unknown } | null)?.errno
  if (typeof errno !== 'number') return undefined
  if (NOT_PREPARABLE.has(errno)) return new UnpreparedStatement(error, true)
  if (errno === SERVER_FULL) return new UnpreparedStatement(error, false)
  return undefined
}

/**
 * One mysql2 connection. A statement to prepare runs with `execute()`, which mysql2 prepares once per
 * connection and text and keeps in its cache; the others run with `query()`, and so does one the server
 * would not prepare, which the executor runs again unprepared.
 */
class MysqlConnection implements NativeConnection {
  readonly raw: mysql.PoolConnection
  readonly #readTimeout: number | undefined

  constructor(raw: mysql.PoolConnection, readTimeout: number | undefined) {
    this.raw = raw
    this.#readTimeout = readTimeout
  }

  async execute(
    sql: string,
    parameters: readonly unknown[],
    shape: RowShape,
    name: string | undefined,
  ): Promise<QueryResult<unknown>> {
    const values = name === undefined ? undefined : binaryValues(parameters)
    if (values === undefined) return this.#send('query', sql, parameters, shape.arrays)
    try {
      return await this.#send('execute', sql, values, shape.arrays)
    } catch (error) {
      throw unprepared(error) ?? error
    }
  }

  /**
   * Reads the rows as the server sends them: mysql2 pauses the socket while its stream's buffer is full
   * (16 rows), so the server waits and memory holds a chunk. When the caller stops early, mysql2 reads and
   * drops the rest in the background, and the connection's next statement runs after it (a result the
   * server sends cannot be cut short without closing the connection, and with it a transaction).
   */
  async *stream(
    sql: string,
    parameters: readonly unknown[],
    shape: RowShape,
    chunkSize: number,
  ): AsyncIterableIterator<QueryResult<unknown>> {
    const options = { sql, values: parameters as mysql.ExecuteValues[], rowsAsArray: shape.arrays } // as in #send
    let rows: unknown[] = []
    try {
      for await (const row of this.raw.query(options).stream()) {
        rows.push(row)
        if (rows.length === chunkSize) {
          yield { rows }
          rows = []
        }
      }
    } catch (error) {
      // A stream the caller stopped reading ends early; that is not a failure.
      if ((error as { code?: unknown }).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error
    }
    if (rows.length > 0) yield { rows }
  }

  async begin(settings: TransactionSettings): Promise<void> {
    const parts = [
      ...(settings.isolationLevel ? [`isolation level ${settings.isolationLevel}`] : []),
      ...(settings.accessMode ? [settings.accessMode] : []),
    ]
    // Sets the isolation level of the next transaction only.
    if (parts.length > 0) await this.#send('query', `set transaction ${parts.join(', ')}`, [], false)
    await this.#send('query', 'begin', [], false)
  }

  async commit(): Promise<void> {
    await this.#send('query', 'commit', [], false)
  }

  async rollback(): Promise<void> {
    await this.#send('query', 'rollback', [], false)
  }

  #send(
    method: 'query' | 'execute',
    sql: string,
    parameters: readonly unknown[],
    rowsAsArray: boolean,
  ): Promise<QueryResult<unknown>> {
    // mysql2 reads the values without changing them; its types ask for a mutable array of its own values.
    const options = {
      sql,
      values: parameters as mysql.ExecuteValues[],
      rowsAsArray,
      timeout: this.#readTimeout,
    }
    return new Promise((resolve, reject) => {
      const done = (error: mysql.QueryError | null, result: mysql.QueryResult): void => {
        if (error) reject(this.#unanswered(error) ?? error)
        else resolve(toQueryResult(result))
      }
      if (method === 'execute') this.raw.execute(options, done)
      else this.raw.query(options, done)
    })
  }

  /**
   * `error` as a socket timeout when the statement got no answer within the read timeout (the server may
   * be gone from the network), which the dialect reports as a `ConnectionError`. mysql2 keeps such a
   * connection and would send the next statement behind the unanswered one: it is closed here, which also
   * takes it out of the pool.
   */
  #unanswered(error: mysql.QueryError): Error | undefined {
    if (error.code !== 'PROTOCOL_SEQUENCE_TIMEOUT') return undefined
    closeConnection(this.raw)
    return unanswered(this.#readTimeout!, '', error) // only a statement with a timeout times out
  }
}

/**
 * Closes `raw` at once and takes it out of its pool. mysql2's `destroy()` only ends its socket, which
 * then waits for the server's end: a server gone from the network never sends it, and the socket, out of
 * the pool that `end()` closes, would keep the process alive for good.
 */
function closeConnection(raw: mysql.PoolConnection): void {
  raw.destroy()
  // mysql2 keeps the socket as `stream`, which its types do not declare.
  ;(raw as unknown as { stream: Socket }).stream.destroy()
}

/**
 * The parameters as the binary protocol of `execute()` sends them, or `undefined` when it cannot: a date
 * beyond year 9999 does not fit its two-byte year (mysql2 throws before sending), so the statement runs as
 * text and the server refuses the value as it does any other out of range. The binary protocol refuses
 * undefined, which the text protocol sends as NULL.
 */
function binaryValues(parameters: readonly unknown[]): readonly unknown[] | undefined {
  let copy: unknown[] | undefined
  for (let i = 0; i < parameters.length; i++) {
    const value = parameters[i]
    if (value === undefined) (copy ??= parameters.slice())[i] = null
    else if (value instanceof Date && !(Math.abs(value.getUTCFullYear()) <= 9999)) return undefined
  }
  return copy ?? parameters
}

/** mysql2's answer: rows for a SELECT, a header with the affected rows and insert id for a write. */
function toQueryResult(result: mysql.QueryResult): QueryResult<unknown> {
  if (Array.isArray(result)) return { rows: result }
  const { insertId, affectedRows } = result as mysql.ResultSetHeader
  return {
    rows: [],
    numAffectedRows: BigInt(affectedRows),
    insertId: insertId === 0 ? undefined : BigInt(insertId),
  }
}

/**
 * The session settings of every connection. `group_concat_max_len` at 1 GiB, the most MariaDB takes:
 * MariaDB's JSON_ARRAYAGG (an array subquery) is a GROUP_CONCAT, which cuts its text at that length
 * (1 MiB by default) with only a warning. `max_allowed_packet` still caps it, as it caps any value the
 * server builds. `statementTimeout` is MariaDB's per-session limit, in seconds.
 */
function sessionSettings(statementTimeout: number | undefined): string {
  const timeout = statementTimeout === undefined ? '' : `, max_statement_time = ${statementTimeout / 1000}`
  return `set session group_concat_max_len = 1073741824${timeout}`
}

/** A mysql2 pool. Works with MySQL 8 and MariaDB 10.6+. */
export class MysqlPool implements NativePool {
  readonly #pool: mysql.Pool
  readonly #connections = new WeakMap<mysql.PoolConnection, MysqlConnection>()
  /** The SET statement each new connection runs first. */
  readonly #sessionSettings: string
  readonly #readTimeout: number | undefined
  readonly #idleTimeout: number | undefined
  /**
   * The connections waiting in the pool, each with the timer that closes it once idle too long. mysql2's
   * own sweep cannot say "close after N ms idle, keep up to the pool's size": it closes every idle
   * connection beyond `maxIdle`, and sweeps only when `maxIdle` is below the size.
   */
  readonly #idleTimers = new Map<MysqlConnection, NodeJS.Timeout>()
  #used = false

  /** `readTimeout`: see `StatementSettings.readTimeout`. */
  constructor(url: URL, pool: PoolOptions, readTimeout?: number) {
    this.#readTimeout = readTimeout
    this.#pool = mysql.createPool({
      uri: url.href.replace(/^mariadb:/, 'mysql:'),
      connectionLimit: pool.size ?? 10,
      connectTimeout: pool.connectTimeout ?? 10_000,
      // Dates are UTC both ways; DATE columns stay 'YYYY-MM-DD' strings.
      timezone: 'Z',
      dateStrings: ['DATE'],
      // UPDATE reports the rows it matched, not only the rows whose values changed.
      flags: ['FOUND_ROWS'],
      supportBigNumbers: true,
      // The engine prepares at most this many texts, so mysql2's cache never closes one it will reuse.
      maxPreparedStatements: pool.statementCacheSize ?? MYSQL_STATEMENT_CACHE_SIZE,
      ...(pool.ssl === undefined ? {} : { ssl: pool.ssl as mysql.PoolOptions['ssl'] }),
    })
    this.#sessionSettings = sessionSettings(pool.statementTimeout)
    this.#idleTimeout = pool.idleTimeout !== undefined && pool.idleTimeout > 0 ? pool.idleTimeout : undefined
  }

  async acquire(): Promise<NativeConnection> {
    this.#used = true
    const raw = await new Promise<mysql.PoolConnection>((resolve, reject) =>
      this.#pool.getConnection((error, connection) => (error ? reject(error) : resolve(connection))),
    )
    let connection = this.#connections.get(raw)
    if (connection !== undefined) this.#stopIdleTimer(connection)
    else {
      connection = new MysqlConnection(raw, this.#readTimeout)
      try {
        await connection.execute(this.#sessionSettings, [], OBJECT_ROWS, undefined)
      } catch (error) {
        raw.release()
        throw error
      }
      this.#connections.set(raw, connection)
    }
    return connection
  }

  release(connection: MysqlConnection): void {
    connection.raw.release()
    const idleTimeout = this.#idleTimeout
    if (idleTimeout === undefined) return
    const close = (): void => {
      this.#idleTimers.delete(connection)
      closeConnection(connection.raw)
    }
    // Unref'd: an idle connection's timer is no reason for the process to stay.
    this.#idleTimers.set(connection, setTimeout(close, idleTimeout).unref())
  }

  #stopIdleTimer(connection: MysqlConnection): void {
    clearTimeout(this.#idleTimers.get(connection))
    this.#idleTimers.delete(connection)
  }

  idle(): undefined {
    return undefined
  }

  async destroy(): Promise<void> {
    for (const connection of this.#idleTimers.keys()) this.#stopIdleTimer(connection)
    // A pool that never connected has nothing to close.
    if (!this.#used) return
    await new Promise<void>((resolve, reject) =>
      this.#pool.end((error) => (error ? reject(error) : resolve())),
    )
  }
}
