import {
  createQueryId,
  IdentifierNode,
  RawNode,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type Logger,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely'
import { DataError, OnemodelError } from '../errors.ts'
import {
  PoolerDetected,
  StalePreparedStatement,
  UnpreparedStatement,
  type NativeConnection,
  type NativePool,
} from './dialect/native.ts'
import type { PreparedStatements } from './prepared-statements.ts'
import { isPromise, settled, type PromiseOrValue } from './promise-or-value.ts'
import { refuseSessionState } from './transaction-pooling.ts'
import { OBJECT_ROWS, type RowShape, type Statement } from './statement.ts'

/**
 * What an {@link Executor} adds around a dialect's connections. The engine builds it from its options.
 *
 * @example
 * const options: ExecutorOptions = { mapError: (error) => error as Error, onQuery: (query) => console.log(query.sql) }
 */
export interface ExecutorOptions {
  /** Turns a driver error into onemodel's: constraint, data, timeout, busy and connection errors. */
  mapError: (error: unknown) => Error
  /** Called before each statement runs (the engine's `echo`). */
  onQuery?: ((query: CompiledQuery) => void) | undefined
  /** Kysely's logger, called after each statement with its duration, or its error. */
  log?: Logger | undefined
  /** The statements a server keeps prepared; `undefined` where none are (SQLite caches its own). */
  prepared?: PreparedStatements | undefined
  /**
   * A pooler in transaction pooling mode is in between (`?pgbouncer=true`): statements whose effect would
   * outlive their transaction are refused (see {@link refuseSessionState}).
   */
  transactionPooling?: boolean | undefined
  /** See `StatementSettings.keepPreparedWhenPoolerFound`. */
  keepPreparedWhenPoolerFound?: boolean | undefined
}

/**
 * A connection the executor handed out: to Kysely, which runs its queries on it with `executeQuery`, or
 * to a Session, whose connection scope runs statements on it with {@link Executor.runNow}.
 *
 * @example
 * const connection = await engine.dialect.executor.acquireConnection()
 * const { rows } = await connection.executeQuery(engine.db.selectFrom('hero').selectAll().compile())
 * await engine.dialect.executor.releaseConnection(connection)
 */
export class ExecutorConnection implements DatabaseConnection {
  readonly native: NativeConnection
  readonly #executor: Executor

  constructor(executor: Executor, native: NativeConnection) {
    this.#executor = executor
    this.native = native
  }

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.#executor.execute<R>(query, OBJECT_ROWS, this)
  }

  streamQuery<R>(query: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    return this.#executor.stream<R>(query, OBJECT_ROWS, chunkSize, this)
  }
}

/**
 * The one way statements reach an engine's database, shared by Kysely (it is Kysely's driver) and the
 * Session: it owns acquiring and releasing connections, transactions, echo and logging, error mapping and
 * the choice to prepare, once for every dialect. The dialect's {@link NativePool} only talks to its driver.
 *
 * @example
 * const { executor } = engine.dialect
 * const { rows } = await executor.run<unknown[]>(bind(template, [1], ONE_ARRAY)) // autocommit
 * const connection = await executor.acquireConnection()
 * try {
 *   await executor.beginTransaction(connection, {})
 *   await executor.run(update, connection)
 *   await executor.commitTransaction(connection)
 * } finally {
 *   await executor.releaseConnection(connection)
 * }
 */
export class Executor implements Driver {
  readonly #pool: NativePool
  readonly #mapError: (error: unknown) => Error
  readonly #onQuery: ((query: CompiledQuery) => void) | undefined
  readonly #log: Logger | undefined
  /** Becomes `undefined` when a pooler is detected (see {@link PoolerDetected}). */
  #prepared: PreparedStatements | undefined
  readonly #transactionPooling: boolean
  readonly #keepPreparedWhenPoolerFound: boolean
  #poolerDetected = false
  readonly #connections = new WeakMap<NativeConnection, ExecutorConnection>()
  #destroyed = false

  constructor(pool: NativePool, options: ExecutorOptions) {
    this.#pool = pool
    this.#mapError = options.mapError
    this.#onQuery = options.onQuery
    this.#log = options.log
    this.#prepared = options.prepared
    this.#transactionPooling = options.transactionPooling ?? false
    this.#keepPreparedWhenPoolerFound = options.keepPreparedWhenPoolerFound ?? false
  }

  /**
   * A pooler is in between: the URL said so (`?pgbouncer=true`), a connection found one as it opened (see
   * `NativeConnection.pooled`), or a prepared statement met another server connection (see
   * {@link PoolerDetected}). A pooler found in session pooling mode counts too: what holds for transaction
   * pooling (no prepared statements, the migration lock in a transaction) is also correct there. Statements
   * are refused only when the URL said so, so that what an app may run does not change while it runs.
   */
  get transactionPooling(): boolean {
    return this.#transactionPooling || this.#poolerDetected
  }

  /** Nothing to do: connections open at first use. */
  async init(): Promise<void> {}

  /** Runs one ORM statement, read in its shape: on `connection`, or by itself in autocommit. */
  run<R>(statement: Statement, connection?: ExecutorConnection): Promise<QueryResult<R>> {
    return this.execute<R>(statement, statement.shape, connection)
  }

  /**
   * {@link run}, with the result at once where the driver has it at once (node:sqlite), so a Session's read
   * costs no promise until the one its caller awaits. What fails before the driver runs (a disposed
   * engine, an echo that throws, an invalid Date) throws rather than rejects; the driver's own failures
   * reject, through the retry of a prepared statement.
   *
   * @example
   * const { rows } = await executor.runNow<unknown[]>(statement) // a value on SQLite, a promise elsewhere
   */
  runNow<R>(statement: Statement, connection?: ExecutorConnection): PromiseOrValue<QueryResult<R>> {
    return this.#execute<R>(statement, statement.shape, connection)
  }

  /**
   * Runs one query with rows in `shape`: on `connection`, or by itself in autocommit, on a connection
   * borrowed for as long as it runs (or SQLite's idle one, with no wait at all).
   */
  execute<R>(
    query: CompiledQuery,
    shape: RowShape,
    connection?: ExecutorConnection,
  ): Promise<QueryResult<R>> {
    return settled(() => this.#execute<R>(query, shape, connection))
  }

  #execute<R>(
    query: CompiledQuery,
    shape: RowShape,
    connection: ExecutorConnection | undefined,
  ): PromiseOrValue<QueryResult<R>> {
    if (connection !== undefined) return this.#on<R>(connection.native, query, shape)
    let idle: NativeConnection | undefined
    try {
      idle = this.#open().idle()
    } catch (error) {
      throw this.#mapError(error)
    }
    if (idle !== undefined) return this.#on<R>(idle, query, shape)
    return this.#borrowed<R>(query, shape)
  }

  /**
   * Streams the rows of `query` in `shape`, `chunkSize` at a time (see {@link NativeConnection.stream}):
   * on `connection`, or on a connection of its own for one long read (see {@link NativePool.acquireReader}),
   * given back when the iteration ends, early or by an error too.
   *
   * @example
   * for await (const { rows } of executor.stream<unknown[]>(query, ARRAY_ROWS, 1000)) console.log(rows.length)
   */
  async *stream<R>(
    query: CompiledQuery,
    shape: RowShape,
    chunkSize: number,
    connection?: ExecutorConnection,
  ): AsyncIterableIterator<QueryResult<R>> {
    const native = connection?.native ?? (await this.#acquireReader())
    try {
      yield* this.#streamOn<R>(native, query, shape, chunkSize)
    } finally {
      if (connection === undefined) await this.#pool.release(native)
    }
  }

  async *#streamOn<R>(
    native: NativeConnection,
    query: CompiledQuery,
    shape: RowShape,
    chunkSize: number,
  ): AsyncIterableIterator<QueryResult<R>> {
    this.#open()
    this.#onQuery?.(query)
    const start = performance.now()
    try {
      refuseInvalidDates(query.parameters)
      if (this.#transactionPooling) refuseSessionState(query.sql)
      for await (const chunk of native.stream(query.sql, query.parameters, shape, chunkSize)) {
        // The rows of a driver are values of unknown shape: the caller's R says what it expects of them.
        yield chunk as QueryResult<R>
      }
    } catch (raw) {
      const error = this.#mapError(raw)
      await this.#log?.({ level: 'error', error, query, queryDurationMillis: performance.now() - start })
      throw error
    }
    await this.#log?.({
      level: 'query',
      isStream: true,
      query,
      queryDurationMillis: performance.now() - start,
    })
  }

  async acquireConnection(): Promise<ExecutorConnection> {
    const native = await this.#acquireNative()
    let connection = this.#connections.get(native)
    if (connection === undefined) {
      this.#connections.set(native, (connection = new ExecutorConnection(this, native)))
    }
    return connection
  }

  async releaseConnection(connection: ExecutorConnection): Promise<void> {
    await this.#pool.release(connection.native)
  }

  async beginTransaction(connection: ExecutorConnection, settings: TransactionSettings): Promise<void> {
    try {
      await connection.native.begin(settings)
    } catch (error) {
      throw this.#mapError(error)
    }
  }

  async commitTransaction(connection: ExecutorConnection): Promise<void> {
    this.#open()
    try {
      await connection.native.commit()
    } catch (error) {
      throw this.#mapError(error)
    }
  }

  /**
   * Rolls back the transaction of `connection`. After {@link destroy} it still works where the connection
   * is still open (PostgreSQL's, until released); where it was closed (SQLite's, MySQL's), closing it
   * rolled the transaction back, so the rollback has nothing left to do.
   */
  async rollbackTransaction(connection: ExecutorConnection): Promise<void> {
    try {
      await connection.native.rollback()
    } catch (error) {
      if (this.#destroyed) return
      throw this.#mapError(error)
    }
  }

  async savepoint(connection: ExecutorConnection, name: string, compile: QueryCompiler['compileQuery']) {
    await this.#savepointCommand(connection, 'savepoint', name, compile)
  }

  async rollbackToSavepoint(
    connection: ExecutorConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    await this.#savepointCommand(connection, 'rollback to savepoint', name, compile)
  }

  async releaseSavepoint(
    connection: ExecutorConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ) {
    await this.#savepointCommand(connection, 'release savepoint', name, compile)
  }

  /**
   * Closes every connection. Later statements fail with `OM_ENGINE_DISPOSED`, on any connection, and so
   * does a commit; a rollback still ends its transaction. A connection still checked out (a Session's
   * open transaction) is closed at once on SQLite and MySQL, which rolls its transaction back; PostgreSQL's
   * pool waits for it to be released, so this resolves when the Session rolls back or closes.
   */
  async destroy(): Promise<void> {
    if (this.#destroyed) return
    this.#destroyed = true
    await this.#pool.destroy()
  }

  /**
   * Runs `query` on `native`, echoing and logging it once and mapping its error. A driver that answers at
   * once (node:sqlite) gives the result at once, with no promise: SQLite runs most statements in a few
   * microseconds, where two async steps cost ~0.1 µs and ~1.3 KB a statement. What fails before the driver
   * runs throws; a failure of the driver goes through {@link #retry}, and rejects.
   */
  #on<R>(native: NativeConnection, query: CompiledQuery, shape: RowShape): PromiseOrValue<QueryResult<R>> {
    this.#open()
    this.#onQuery?.(query)
    if (this.#log !== undefined) return this.#logged<R>(this.#log, native, query, shape)
    let result: QueryResult<unknown> | Promise<QueryResult<unknown>>
    try {
      result = this.#send(native, query, shape)
    } catch (raw) {
      throw this.#failure(raw)
    }
    // The rows of a driver are values of unknown shape: the caller's R says what it expects of them.
    if (!isPromise(result)) return result as QueryResult<R>
    return result.then(undefined, (raw: unknown) => Promise.reject(this.#failure(raw))) as Promise<
      QueryResult<R>
    >
  }

  /**
   * The rest of {@link #on} with the engine's `log`, told of each statement and of each failure, with its
   * duration.
   */
  async #logged<R>(
    log: Logger,
    native: NativeConnection,
    query: CompiledQuery,
    shape: RowShape,
  ): Promise<QueryResult<R>> {
    const start = performance.now()
    let result: QueryResult<unknown>
    try {
      result = await this.#send(native, query, shape)
    } catch (raw) {
      const error = this.#failure(raw)
      await log({ level: 'error', error, query, queryDurationMillis: performance.now() - start })
      throw error
    }
    await log({ level: 'query', isStream: false, query, queryDurationMillis: performance.now() - start })
    return result as QueryResult<R>
  }

  /** The error a statement's failure becomes: the dialect's, of the driver's own error. */
  #failure(raw: unknown): unknown {
    return this.#mapError(raw instanceof StalePreparedStatement ? raw.cause : raw)
  }

  /**
   * Runs `query` on `native`, prepared when the engine keeps it so: the rows at once from a driver that has
   * them at once, else a promise. One the server would not prepare runs as text. A prepared statement gone
   * stale is prepared again next time; when it ran outside any transaction, that is at once. A pooler
   * detected under a prepared statement turns preparing off for good, and the statement runs again
   * unprepared when it ran outside any transaction.
   */
  #send(
    native: NativeConnection,
    query: CompiledQuery,
    shape: RowShape,
  ): QueryResult<unknown> | Promise<QueryResult<unknown>> {
    const { sql, parameters } = query
    refuseInvalidDates(parameters)
    if (this.#transactionPooling) refuseSessionState(sql)
    const name = this.#prepared?.nameOf(sql, parameters.length)
    let result: QueryResult<unknown> | Promise<QueryResult<unknown>>
    try {
      result = native.execute(sql, parameters, shape, name)
    } catch (error) {
      return this.#retry(native, query, shape, error)
    }
    if (!isPromise(result)) return result
    return result.then(undefined, (error: unknown) => this.#retry(native, query, shape, error))
  }

  /**
   * After a statement's `error`: runs `query` again when the error says a prepared statement may run again
   * (see {@link #send}), else rethrows it.
   */
  async #retry(
    native: NativeConnection,
    query: CompiledQuery,
    shape: RowShape,
    error: unknown,
  ): Promise<QueryResult<unknown>> {
    const { sql, parameters } = query
    const prepared = this.#prepared
    if (error instanceof PoolerDetected) {
      this.#poolerFound()
      if (!error.alone) throw error.cause
      return await native.execute(sql, parameters, shape, undefined)
    }
    if (error instanceof UnpreparedStatement) {
      if (error.lasting) prepared?.refuse(sql)
      return await native.execute(sql, parameters, shape, undefined)
    }
    if (!(error instanceof StalePreparedStatement)) throw error
    prepared?.forget(sql)
    if (!error.alone) throw error.cause
    return await native.execute(sql, parameters, shape, prepared?.nameOf(sql, parameters.length))
  }

  async #borrowed<R>(query: CompiledQuery, shape: RowShape): Promise<QueryResult<R>> {
    const native = await this.#acquireNative()
    try {
      return await this.#on<R>(native, query, shape)
    } finally {
      await this.#pool.release(native)
    }
  }

  async #acquireNative(): Promise<NativeConnection> {
    const pool = this.#open()
    let native: NativeConnection
    try {
      native = await pool.acquire()
    } catch (error) {
      throw this.#mapError(error)
    }
    if (native.pooled) this.#poolerFound(this.#keepPreparedWhenPoolerFound)
    return native
  }

  async #acquireReader(): Promise<NativeConnection> {
    const pool = this.#open()
    if (pool.acquireReader === undefined) return this.#acquireNative()
    try {
      return await pool.acquireReader()
    } catch (error) {
      throw this.#mapError(error)
    }
  }

  /**
   * For good: behind a pooler no prepared statement can be trusted to be on the next server connection,
   * unless the engine was told to keep them (`keepPrepared`) and none has failed there yet.
   */
  #poolerFound(keepPrepared = false): void {
    if (!keepPrepared) this.#prepared = undefined
    this.#poolerDetected = true
  }

  #open(): NativePool {
    if (this.#destroyed) {
      throw new OnemodelError('OM_ENGINE_DISPOSED', 'The engine was disposed; create a new one.')
    }
    return this.#pool
  }

  async #savepointCommand(
    connection: ExecutorConnection,
    command: string,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    const node = RawNode.createWithChildren([
      RawNode.createWithSql(`${command} `),
      IdentifierNode.create(name),
    ])
    await this.execute(compile(node, createQueryId()), OBJECT_ROWS, connection)
  }
}

/**
 * Refuses a Date whose time is NaN (`new Date('not a date')`), which no database stores and each driver
 * treats its own way: node:sqlite throws a bare RangeError, pg sends the text "NaN-NaN-…", and mysql2
 * writes NULL without a word.
 */
function refuseInvalidDates(parameters: readonly unknown[]): void {
  for (let i = 0; i < parameters.length; i++) {
    const value = parameters[i]
    if (value instanceof Date && Number.isNaN(value.getTime())) {
      throw new DataError(
        `Parameter ${i + 1} of the statement is an invalid Date (its time is NaN, as from new Date('not a date')), which no database can store. Check that the value parsed before writing it.`,
      )
    }
  }
}
