import net from 'node:net'
import pg from 'pg'
import type { QueryResult, TransactionSettings } from 'kysely'
import type { RowShape } from '../../statement.ts'
import type { PoolOptions } from '../dialect.ts'
import {
  PoolerDetected,
  StalePreparedStatement,
  unanswered,
  type NativeConnection,
  type NativePool,
} from '../native.ts'

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

// The commands whose row count is the number of rows they changed.
const WRITES = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE'])

/**
 * PostgreSQL refuses a prepared statement whose result columns changed since it was prepared (a column
 * added under `select *`, or a column's type changed) with feature_not_supported.
 */
function isStalePlan(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null
  return e?.code === '0A000' && typeof e.message === 'string' && e.message.startsWith('cached plan must not')
}

/**
 * A named statement this client prepared is missing on the server (invalid_sql_statement_name), or one it
 * never prepared already exists there (duplicate_prepared_statement): only a pooler handing the client
 * another server connection between statements does that.
 */
function isPoolerSwap(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '26000' || code === '42P05'
}

/** The backend's process id, compared with the one the server sent at login to find a pooler. */
const BACKEND_PID = 'select pg_backend_pid()'

/** pg's `query_timeout` passed without an answer: its error has no code, only this message. */
function isReadTimeout(error: unknown): boolean {
  return error instanceof Error && error.message === 'Query read timeout'
}

/** The code a CancelRequest starts with (1234 and 5678, in two 16-bit halves), in place of a protocol version. */
const CANCEL_REQUEST_CODE = 80877102

/** The key the server gave a client at login, which a cancel request names its backend by. */
interface BackendKey {
  readonly processID: number | null
  readonly secretKey: number | null
}

/**
 * Asks the server to stop the statement `client`'s backend runs now: a CancelRequest sent on a connection
 * of its own, as psql's Ctrl-C does, since the client's own is busy with the statement. Settles when the
 * server has closed that connection, which it does once it has read the request, or after `ms` for one
 * left unanswered (a server gone from the network); it never rejects. A backend that has finished the
 * statement ignores it. The client must stay open until then: a pooler (PgBouncer) forwards the cancel
 * only for a client it still has, and closing the client first ends its server connection without it.
 * The request goes in plain text also when the client uses TLS, as libpq sends it.
 */
function cancelRunning(client: pg.PoolClient, ms: number): Promise<void> {
  const { processID, secretKey } = keyOf(client)
  if (processID === null || secretKey === null) return Promise.resolve()
  const request = Buffer.alloc(16)
  request.writeInt32BE(request.length, 0)
  request.writeInt32BE(CANCEL_REQUEST_CODE, 4)
  request.writeInt32BE(processID, 8)
  request.writeInt32BE(secretKey, 12)
  // A host that is a directory is where the server's Unix socket is, as pg reads it.
  const socket = client.host.startsWith('/')
    ? net.connect(`${client.host}/.s.PGSQL.${client.port}`)
    : net.connect(client.port, client.host)
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  // Written, not ended: PgBouncer drops a cancel whose connection the client half-closed before the
  // pooler forwarded it. The server or pooler closes the connection once it has acted on the request.
  socket
    .unref()
    .setTimeout(ms, () => socket.destroy())
    .on('error', () => {})
    .on('end', () => socket.destroy())
    .write(request)
  return closed
}

/** pg keeps the key from the server's BackendKeyData on the client, but its types do not declare it. */
function keyOf(client: pg.PoolClient): BackendKey {
  return client as pg.PoolClient & BackendKey
}

/**
 * How long a connection stays idle before TCP keep-alive probes ask whether its peer is still there: a
 * server gone from the network without a word (no FIN, no RST) is noticed then, and its idle connections
 * leave the pool instead of failing the next statement sent on them.
 */
const KEEP_ALIVE_DELAY = 10_000

/**
 * One pg client. A named statement is parsed once per client: pg remembers the names it prepared and
 * sends only Bind and Execute the next time.
 */
class PostgresConnection implements NativeConnection {
  readonly client: pg.PoolClient
  /**
   * A failed ROLLBACK, or a statement left without an answer, leaves the connection in an unknown state:
   * the pool then closes it.
   */
  broken = false
  /** Set as the pool opens it: see `NativeConnection.pooled`. */
  pooled = false
  /** Cursors declared on this connection, for a name no open one has. */
  #cursors = 0
  /** The cancel request sent for a statement left without an answer, until the server has read it. */
  cancelling: Promise<void> | undefined
  readonly #readTimeout: number | undefined

  constructor(client: pg.PoolClient, readTimeout: number | undefined) {
    this.client = client
    this.#readTimeout = readTimeout
  }

  async execute(
    sql: string,
    parameters: readonly unknown[],
    shape: RowShape,
    name: string | undefined,
  ): Promise<QueryResult<unknown>> {
    // pg reads the values without changing them; its types ask for a mutable array.
    const values = parameters as unknown[]
    let result: pg.QueryResult
    try {
      result = shape.arrays
        ? await this.#answer(this.client.query({ text: sql, values, name, rowMode: 'array' }))
        : await this.#answer(this.client.query({ text: sql, values, name }))
    } catch (error) {
      if (name === undefined) throw error
      // pg reports the error before the server's next ReadyForQuery, so the status is still the one the
      // statement started in: 'I' is outside any transaction, whoever began it ('T').
      const alone = this.client.getTransactionStatus() === 'I'
      if (isStalePlan(error)) throw new StalePreparedStatement(error, alone)
      if (isPoolerSwap(error)) throw new PoolerDetected(error, alone)
      throw error
    }
    return {
      rows: result.rows ?? [],
      numAffectedRows: WRITES.has(result.command) ? BigInt(result.rowCount ?? 0) : undefined,
    }
  }

  /**
   * Reads through a server-side cursor (`DECLARE … NO SCROLL CURSOR`, then `FETCH <chunkSize>` as the
   * caller asks): the server holds the result, the client one chunk. A cursor lives in a transaction: in
   * the open one, or else in a read-only one of its own, begun here and ended with the stream (which also
   * keeps it on one server connection behind PgBouncer's transaction pooling). A failed FETCH aborted the
   * transaction: its own is rolled back; an open one is the caller's to roll back.
   */
  async *stream(
    sql: string,
    parameters: readonly unknown[],
    shape: RowShape,
    chunkSize: number,
  ): AsyncIterableIterator<QueryResult<unknown>> {
    const alone = this.client.getTransactionStatus() === 'I'
    if (alone) await this.#answer(this.client.query('start transaction read only'))
    const cursor = `onemodel_cursor_${++this.#cursors}`
    const fetch = { text: `fetch ${chunkSize} from ${cursor}`, rowMode: shape.arrays ? 'array' : undefined }
    // pg reads the values without changing them; its types ask for a mutable array.
    const declare = { text: `declare ${cursor} no scroll cursor for ${sql}`, values: parameters as unknown[] }
    let failed = false
    try {
      await this.#answer(this.client.query(declare))
      for (;;) {
        const { rows } = await this.#answer(this.client.query(fetch))
        if (rows.length > 0) yield { rows }
        // A short chunk is the last: no FETCH to learn that nothing is left.
        if (rows.length < chunkSize) break
      }
    } catch (error) {
      failed = true
      throw error
    } finally {
      // Also when the caller stopped early: the cursor closes, and the transaction begun for it ends.
      await this.#endCursor(cursor, alone, failed)
    }
  }

  /**
   * Closes a stream's cursor, or ends the transaction begun for it, which closes it. After a failure the
   * statement's own error is the one thrown; a cleanup that fails leaves the connection broken. A broken
   * connection is left alone: the pool closes it, which ends both, and a statement sent after one left
   * without an answer would only wait behind it.
   */
  async #endCursor(cursor: string, alone: boolean, failed: boolean): Promise<void> {
    if (this.broken) return
    try {
      if (alone) await this.#answer(this.client.query(failed ? 'rollback' : 'commit'))
      else if (!failed) await this.#answer(this.client.query(`close ${cursor}`))
    } catch (error) {
      this.broken = true
      if (!failed) throw error
    }
  }

  async begin(settings: TransactionSettings): Promise<void> {
    let sql = 'begin'
    if (settings.isolationLevel || settings.accessMode) {
      sql = 'start transaction'
      if (settings.isolationLevel) sql += ` isolation level ${settings.isolationLevel}`
      if (settings.accessMode) sql += ` ${settings.accessMode}`
    }
    await this.#answer(this.client.query(sql))
  }

  async commit(): Promise<void> {
    const { command } = await this.#answer(this.client.query('commit'))
    // PostgreSQL answers COMMIT with ROLLBACK when an earlier statement's error aborted the transaction.
    if (command === 'ROLLBACK') {
      throw new Error('The transaction was rolled back, not committed: one of its statements failed.')
    }
  }

  async rollback(): Promise<void> {
    try {
      await this.#answer(this.client.query('rollback'))
    } catch (error) {
      this.broken = true
      throw error
    }
  }

  /**
   * The answer to a query sent on this connection. One that does not come within the read timeout (the
   * server may be gone from the network, or only slow) breaks the connection, so that the pool closes it
   * rather than send it another statement, and fails as a socket timeout, which the dialect reports as a
   * `ConnectionError`. The server is asked to cancel the statement: a server that is only slow would
   * otherwise work on it to the end, though no one waits for its answer any more.
   */
  #answer<T>(query: Promise<T>): Promise<T> {
    // Without a read timeout (the primary's statements), pg raises no read timeout: the query is its answer.
    const readTimeout = this.#readTimeout
    if (readTimeout === undefined) return query
    return query.catch((error: unknown) => {
      if (!isReadTimeout(error)) throw error
      this.broken = true
      this.cancelling = cancelRunning(this.client, readTimeout)
      throw unanswered(readTimeout, '', error)
    })
  }
}

/** How a {@link PostgresPool} talks to its server, beyond its {@link PoolOptions}. */
interface PostgresPoolSettings {
  readonly readTimeout?: number | undefined
  readonly poolerKnown?: boolean
}

/**
 * A pg pool. Its connections use TCP keep-alive, and close as soon as they have sent their goodbye
 * (Terminate, then FIN) instead of waiting for the server's: a server gone from the network never sends
 * one, and each socket would stay open, unseen, for as long as the process runs.
 */
export class PostgresPool implements NativePool {
  readonly #pool: pg.Pool
  readonly #connections = new WeakMap<pg.PoolClient, PostgresConnection>()
  readonly #readTimeout: number | undefined
  readonly #poolerKnown: boolean
  /** `PoolOptions.connectTimeout`; 0 is none. */
  readonly #connectTimeout: number
  #used = false

  /**
   * `readTimeout`: see `StatementSettings.readTimeout`. `poolerKnown`: the URL says a pooler is in between
   * (`?pgbouncer=true`), so connections skip the round trip that finds one as they open.
   */
  constructor(url: URL, pool: PoolOptions, { readTimeout, poolerKnown = false }: PostgresPoolSettings = {}) {
    this.#readTimeout = readTimeout
    this.#poolerKnown = poolerKnown
    this.#connectTimeout = pool.connectTimeout ?? 10_000
    this.#pool = new pg.Pool({
      connectionString: url.href,
      max: pool.size ?? 10,
      connectionTimeoutMillis: this.#connectTimeout,
      ...(pool.idleTimeout === undefined ? {} : { idleTimeoutMillis: pool.idleTimeout }),
      // Idle connections never keep a process alive: a script that forgot to dispose its engine exits,
      // also when a replica's lag check uses its connection every second (idle timeouts never come).
      allowExitOnIdle: true,
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEP_ALIVE_DELAY,
      ...(readTimeout === undefined ? {} : { query_timeout: readTimeout }),
      ...(pool.statementTimeout === undefined ? {} : { statement_timeout: pool.statementTimeout }),
      ...(pool.ssl === undefined ? {} : { ssl: pool.ssl as pg.PoolConfig['ssl'] }),
      types,
    })
    // An idle client that loses its server emits 'error'; without a listener that would crash the process.
    this.#pool.on('error', () => {})
    // pg ends a connection by sending Terminate and FIN, then waits for the server to close its side. The
    // socket (the TLS one, when there is one: pg has swapped it in by now) closes once its FIN is sent.
    this.#pool.on('connect', (client) => {
      const socket = client.connection.stream
      socket.once('finish', () => socket.destroy())
    })
  }

  async acquire(): Promise<NativeConnection> {
    this.#used = true
    const started = performance.now()
    const client = await this.#pool.connect()
    let connection = this.#connections.get(client)
    if (connection === undefined) {
      this.#connections.set(client, (connection = new PostgresConnection(client, this.#readTimeout)))
      // pg's pool listens for a client's errors only while it is idle: the server's shutdown (FATAL
      // 57P01) reaching a checked-out client between two statements would otherwise crash the process.
      // Its next statement fails, and the pool then closes it.
      const broken = connection
      client.on('error', () => (broken.broken = true))
      if (!this.#poolerKnown) await this.#findPooler(connection, performance.now() - started)
    }
    return connection
  }

  /**
   * Once per opened connection, before its first statement: the process id the server sent as we
   * connected (BackendKeyData, for cancel requests) is the backend's own, unless a pooler answered the
   * login with one of its own (PgBouncer does, in every pool mode) and runs statements elsewhere. Its
   * answer is part of connecting: it must come within what is left of `connectTimeout` after `spent` ms,
   * so that a server that accepts the login and then stalls costs one connect deadline, not two.
   */
  async #findPooler(connection: PostgresConnection, spent: number): Promise<void> {
    const { client } = connection
    const left = this.#connectTimeout === 0 ? undefined : Math.max(1, Math.ceil(this.#connectTimeout - spent))
    try {
      // pg reads query_timeout from a query's config as from the client's (client.js), though its types
      // declare it only on the client's: a variable, not a literal, passes their excess property check.
      const query = { text: BACKEND_PID, rowMode: 'array' as const, query_timeout: left }
      const { rows } = await client.query<unknown[]>(query)
      connection.pooled = rows[0]![0] !== keyOf(client).processID
    } catch (error) {
      client.release(true)
      if (!isReadTimeout(error)) throw error
      throw unanswered(this.#connectTimeout, ' of connecting', error)
    }
  }

  /**
   * A connection whose statement is being cancelled is closed once the server has read the cancel (see
   * `cancelRunning`), in the background: the caller, a read about to run again on the primary, does not
   * wait for it. Disposing the engine does, as pg's pool ends once every client is released.
   */
  release(connection: PostgresConnection): void {
    const { client, broken, cancelling } = connection
    if (cancelling === undefined) client.release(broken)
    else void cancelling.then(() => client.release(true))
  }

  idle(): undefined {
    return undefined
  }

  async destroy(): Promise<void> {
    // A pool that never connected has nothing to close.
    if (this.#used) await this.#pool.end()
  }
}
