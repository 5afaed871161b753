import type { QueryCompiler, QueryResult, TransactionSettings } from 'kysely'
import type { Engine } from '../engine/engine.ts'
import type { Executor, ExecutorConnection } from '../engine/executor.ts'
import type { PromiseOrValue } from '../engine/promise-or-value.ts'
import type { Replicas } from '../engine/replicas.ts'
import type { Statement } from '../engine/statement.ts'
import { SessionError } from '../errors.ts'

/**
 * The SQL isolation levels a Session's transactions can run at (`new Session(engine, { isolationLevel })`).
 *
 * @example
 * const level: IsolationLevel = 'serializable'
 * await using session = new Session(engine, { isolationLevel: level })
 */
export type IsolationLevel = (typeof ISOLATION_LEVELS)[number]

const ISOLATION_LEVELS = ['read uncommitted', 'read committed', 'repeatable read', 'serializable'] as const

/** The settings of a transaction at the database's default level: one object for every Session. */
const DATABASE_DEFAULT: TransactionSettings = Object.freeze({})

/** The settings of a transaction at each level, one object per level rather than one per Session. */
const AT_LEVEL = new Map<IsolationLevel, TransactionSettings>(
  ISOLATION_LEVELS.map((isolationLevel) => [isolationLevel, Object.freeze({ isolationLevel })]),
)

/**
 * What each transaction of a Session at `level` begins with: the database's default when it is
 * `undefined`; refused when it is not one of SQL's four (a JavaScript caller, a config).
 *
 * @example
 * new ConnectionScope(engine, false, transactionSettings('serializable'))
 */
export function transactionSettings(level: IsolationLevel | undefined): TransactionSettings {
  if (level === undefined) return DATABASE_DEFAULT
  const settings = AT_LEVEL.get(level)
  if (settings !== undefined) return settings
  throw new SessionError(
    'OM_ORM_SESSION_OPTIONS',
    `new Session(engine, { isolationLevel: ${JSON.stringify(level)} }): not an isolation level. Use one of ${ISOLATION_LEVELS.map((name) => `'${name}'`).join(', ')}, or leave it out for the database's default.`,
  )
}

/**
 * A Session's hold on its engine's connections: none while it only reads (each read runs by itself in
 * autocommit, so a request that only reads never holds a pooled connection or waits for a writer), one
 * from the first write or `begin()` until the transaction ends, and savepoints inside that transaction.
 * Every statement of the Session runs through {@link run}, which picks the connection; the engine's
 * executor runs it. A scope that reads from replicas sends its `SELECT`s in autocommit to the engine's
 * {@link Replicas} until it writes or opens a transaction; from then on everything runs on the primary,
 * so the Session reads what it wrote.
 */
export class ConnectionScope {
  readonly #engine: Engine
  readonly #executor: Executor
  /** Where reads in autocommit go until the first write or transaction; `undefined` once on the primary. */
  #replicas: Replicas | undefined
  /** The connection of the open transaction, or the one borrowed by {@link autocommit}. */
  #connection: ExecutorConnection | undefined
  /** A new object per transaction: its identity, see {@link transaction}. */
  #transaction: object | undefined
  #compiler: QueryCompiler | undefined
  /** The streams begun and not yet ended, which {@link endStreams} ends. */
  readonly #streams = new Set<AsyncGenerator<unknown>>()
  /** How many of them read on the open transaction's connection. */
  #streamsInTransaction = 0
  /** What each transaction begins with: the Session's isolation level, if it asked for one. */
  readonly #settings: TransactionSettings

  /** `settings` are what each transaction begins with (see {@link transactionSettings}). */
  constructor(engine: Engine, readFromReplicas = false, settings = DATABASE_DEFAULT) {
    this.#engine = engine
    this.#executor = engine.dialect.executor
    this.#replicas = readFromReplicas ? engine.replicas : undefined
    this.#settings = settings
  }

  /**
   * A lone statement may run by itself in {@link autocommit}: not when the Session asked for an isolation
   * level, which only a transaction it begins has.
   */
  get autocommits(): boolean {
    return this.#settings.isolationLevel === undefined
  }

  /** A transaction is open: begun explicitly or by a flush, and not yet committed or rolled back. */
  get inTransaction(): boolean {
    return this.#transaction !== undefined
  }

  /**
   * The open transaction, as an identity: a caller that saw one transaction can tell when its work ended
   * that transaction (a commit or rollback inside a savepoint's work), even when the next one runs on the
   * same connection.
   */
  get transaction(): object | undefined {
    return this.#transaction
  }

  /**
   * Runs one statement: in the open transaction, on the borrowed connection, or by itself in autocommit,
   * a read on a replica while the scope reads from them. The result comes at once where the driver has it
   * at once (see {@link Executor.runNow}).
   */
  run<R>(statement: Statement): PromiseOrValue<QueryResult<R>> {
    if (this.#replicas !== undefined && this.#connection === undefined) {
      if (isRead(statement)) return this.#replicas.run<R>(statement)
      this.#replicas = undefined // a bulk write in autocommit: read it back from the primary
    }
    return this.#executor.runNow<R>(statement, this.#connection)
  }

  /**
   * A stream reads on the open transaction's connection, which serves one statement at a time until the
   * stream ends (mysql2's and node:sqlite's open result; a PostgreSQL cursor would allow more, but one
   * rule serves every dialect).
   */
  get streaming(): boolean {
    return this.#streamsInTransaction > 0
  }

  /**
   * The rows of `statement`, `chunkSize` at a time, read as they are asked for: in the open transaction,
   * on its connection, or else on a connection of the stream's own, which the Session's other statements
   * and transactions leave alone. Run when the first chunk is asked for.
   */
  stream<R>(statement: Statement, chunkSize: number): AsyncGenerator<QueryResult<R>> {
    const stream = this.#read<R>(statement, chunkSize, () => this.#streams.delete(stream))
    this.#streams.add(stream)
    return stream
  }

  async *#read<R>(
    statement: Statement,
    chunkSize: number,
    ended: () => void,
  ): AsyncGenerator<QueryResult<R>> {
    const connection = this.#transaction === undefined ? undefined : this.#connection
    if (connection) this.#streamsInTransaction++
    try {
      if (connection === undefined && this.#replicas !== undefined) {
        yield* this.#replicas.stream<R>(statement, chunkSize)
      } else yield* this.#executor.stream<R>(statement, statement.shape, chunkSize, connection)
    } finally {
      if (connection) this.#streamsInTransaction--
      ended()
    }
  }

  /**
   * Ends the streams still open, as a loop that breaks out does, so each gives its connection back: one
   * whose caller stopped asking without ending it would hold it for ever. `undefined` when none is open.
   */
  endStreams(): Promise<void> | undefined {
    return this.#streams.size > 0 ? this.#endAll() : undefined
  }

  async #endAll(): Promise<void> {
    for (const stream of this.#streams) await stream.return(undefined)
    this.#streams.clear()
  }

  /** Opens a transaction on a connection of the engine's, unless one is open. */
  async begin(): Promise<void> {
    if (this.#transaction) return
    this.#replicas = undefined
    const connection = await this.#executor.acquireConnection()
    try {
      await this.#executor.beginTransaction(connection, this.#settings)
    } catch (error) {
      await this.#executor.releaseConnection(connection)
      throw error
    }
    this.#connection = connection
    this.#transaction = {}
  }

  /**
   * Commits the open transaction and gives its connection back, even when the COMMIT fails: the
   * transaction is over then too (PostgreSQL answers a COMMIT after an error with a ROLLBACK).
   */
  async commit(): Promise<void> {
    try {
      await this.#executor.commitTransaction(this.#connection!)
    } finally {
      await this.#release()
    }
  }

  /** Rolls back the open transaction, if any, and gives its connection back even when that fails. */
  async rollback(): Promise<void> {
    if (!this.#transaction) return
    try {
      await this.#executor.rollbackTransaction(this.#connection!)
    } finally {
      await this.#release()
    }
  }

  /**
   * Runs `work`'s statements on one connection with no transaction: one statement is atomic by itself, and
   * the BEGIN and COMMIT round trips are saved.
   */
  async autocommit(work: () => Promise<void>): Promise<void> {
    this.#replicas = undefined
    this.#connection = await this.#executor.acquireConnection()
    try {
      await work()
    } finally {
      await this.#release()
    }
  }

  /** Marks a SAVEPOINT in the open transaction. */
  async savepoint(name: string): Promise<void> {
    await this.#executor.savepoint(this.#connection!, name, this.#compile())
  }

  /** Keeps what was done since the SAVEPOINT, which ends. */
  async releaseSavepoint(name: string): Promise<void> {
    await this.#executor.releaseSavepoint(this.#connection!, name, this.#compile())
  }

  /** Undoes what was done since the SAVEPOINT. */
  async rollbackToSavepoint(name: string): Promise<void> {
    await this.#executor.rollbackToSavepoint(this.#connection!, name, this.#compile())
  }

  /** Compiles the executor's savepoint commands, as Kysely's own transactions have it do. */
  #compile(): QueryCompiler['compileQuery'] {
    // Made at the first savepoint: most Sessions never take one.
    const compiler = (this.#compiler ??= this.#engine.dialect.kysely.createQueryCompiler())
    return (node, queryId) => compiler.compileQuery(node, queryId)
  }

  async #release(): Promise<void> {
    const connection = this.#connection
    this.#connection = undefined
    this.#transaction = undefined
    if (connection) await this.#executor.releaseConnection(connection)
  }
}

/** A `SELECT` (its locking form always runs in a transaction): what a replica may answer. */
function isRead(statement: Statement): boolean {
  return statement.query.kind === 'SelectQueryNode'
}
