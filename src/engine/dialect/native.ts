import type { QueryResult, TransactionSettings } from 'kysely'
import type { RowShape } from '../statement.ts'

/**
 * One connection of a database driver, as thin as the driver allows: it runs what the engine's
 * {@link Executor} gives it and nothing more. Logging, error mapping and the choice to prepare live in the
 * executor, once for every dialect.
 */
export interface NativeConnection {
  /**
   * Runs one statement and returns its rows in `shape`. With `prepare`, the statement is kept prepared on
   * this connection and reused the next time the same text runs (PostgreSQL: under this name).
   * node:sqlite answers synchronously; the servers answer with a native `Promise` (an `async` function's),
   * which is how the executor tells the two apart.
   */
  execute(
    sql: string,
    parameters: readonly unknown[],
    shape: RowShape,
    prepare: string | undefined,
  ): QueryResult<unknown> | Promise<QueryResult<unknown>>
  /**
   * The rows of a statement in `shape`, `chunkSize` at a time, read from the database as they are asked
   * for, so memory holds one chunk whatever the result's size: node:sqlite steps its statement, PostgreSQL
   * fetches from a cursor (in the open transaction, or in a read-only one of its own), mysql2 reads its
   * socket only while the caller reads. Ending the iteration early (`return()`) ends the read and leaves
   * the connection ready for the next statement.
   */
  stream(
    sql: string,
    parameters: readonly unknown[],
    shape: RowShape,
    chunkSize: number,
  ): AsyncIterable<QueryResult<unknown>>
  begin(settings: TransactionSettings): void | Promise<void>
  commit(): void | Promise<void>
  rollback(): void | Promise<void>
  /**
   * The connection reached the server through a pooler (PostgreSQL's, found as it connects): the executor
   * then prepares nothing and migration commands take their lock in a transaction. Absent: no pooler.
   */
  readonly pooled?: boolean
}

/**
 * A statement's answer did not come within `ms` (`when`: of what, if not of the statement), so its
 * connection was closed: a socket timeout, which the dialects report as a `ConnectionError`.
 *
 * @example
 * throw unanswered(5000, ' of connecting', error) // no answer within 5000 ms of connecting, …
 */
export function unanswered(ms: number, when: string, cause: unknown): Error {
  const message = `no answer within ${ms} ms${when}, so the connection was closed`
  return Object.assign(new Error(message, { cause }), { code: 'ETIMEDOUT' })
}

/**
 * What a connection throws when a statement it keeps prepared no longer fits its tables (PostgreSQL's
 * "cached plan must not change result type" after a column was added or changed): the executor then
 * prepares the text again under a new name.
 */
export class StalePreparedStatement extends Error {
  /**
   * The statement ran outside any transaction, as the server itself reported, so running it again is
   * safe; in a transaction, even one begun with raw SQL, its error aborted the transaction.
   */
  readonly alone: boolean

  constructor(cause: unknown, alone: boolean) {
    super('The prepared statement no longer fits its tables.', { cause })
    this.alone = alone
  }
}

/**
 * What a connection throws when a statement it prepared is missing on the server connection it reached, or
 * one of the same name that it never prepared is there: a pooler in transaction pooling mode sits in
 * between and handed it another server connection. The executor then stops preparing statements, for the
 * whole engine, and runs this one again unprepared when that is safe ({@link alone}).
 */
export class PoolerDetected extends Error {
  /** The statement ran outside any transaction, so running it again is safe; in one, it aborted it. */
  readonly alone: boolean

  constructor(cause: unknown, alone: boolean) {
    super('A pooler in transaction pooling mode changed the server connection under a prepared statement.', {
      cause,
    })
    this.alone = alone
  }
}

/**
 * What a connection throws when the server would not prepare a statement: the executor then runs it
 * unprepared, as text. `lasting`: the server never prepares this text (MySQL's `ER_UNSUPPORTED_PS`), so
 * the engine stops trying; otherwise it is out of prepared statements for now (MySQL's server-wide
 * `max_prepared_stmt_count`), and the next run tries again.
 */
export class UnpreparedStatement extends Error {
  readonly lasting: boolean

  constructor(cause: unknown, lasting: boolean) {
    super('The server would not prepare the statement.', { cause })
    this.lasting = lasting
  }
}

/** A driver's connections: a pool on the servers, SQLite's write and read connections. */
export interface NativePool {
  /** A connection for a transaction or several statements, waited for until one is free. */
  acquire(): Promise<NativeConnection>
  release(connection: NativeConnection): void | Promise<void>
  /**
   * A connection for one long read (a stream) that leaves the others free, given back with
   * {@link release}. Absent where {@link acquire} serves (the servers' pools); SQLite's is a read-only
   * connection of its own, as its one write connection is taken by one transaction at a time.
   */
  acquireReader?(): Promise<NativeConnection>
  /**
   * A connection one statement in autocommit can run on right now without acquiring one (SQLite's),
   * or `undefined`: the statement then borrows a connection for as long as it runs.
   */
  idle(): NativeConnection | undefined
  /** Closes every connection; the pool is not used afterwards. */
  destroy(): Promise<void>
}
