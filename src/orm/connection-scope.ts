import type { QueryCompiler, QueryResult } from 'kysely'
import type { Engine } from '../engine/engine.ts'
import type { Executor, ExecutorConnection } from '../engine/executor.ts'
import type { Statement } from '../engine/statement.ts'

/**
 * A Session's hold on its engine's connections: none while it only reads (each read runs by itself in
 * autocommit, so a request that only reads never holds a pooled connection or waits for a writer), one
 * from the first write or `begin()` until the transaction ends, and savepoints inside that transaction.
 * Every statement of the Session runs through {@link run}, which picks the connection; the engine's
 * executor runs it.
 */
export class ConnectionScope {
  readonly #engine: Engine
  readonly #executor: Executor
  /** The connection of the open transaction, or the one borrowed by {@link autocommit}. */
  #connection: ExecutorConnection | undefined
  /** A new object per transaction: its identity, see {@link transaction}. */
  #transaction: object | undefined
  #compiler: QueryCompiler | undefined

  constructor(engine: Engine) {
    this.#engine = engine
    this.#executor = engine.dialect.executor
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

  /** Runs one statement: in the open transaction, on the borrowed connection, or by itself in autocommit. */
  run<R>(statement: Statement): Promise<QueryResult<R>> {
    return this.#executor.run<R>(statement, this.#connection)
  }

  /** Opens a transaction on a connection of the engine's, unless one is open. */
  async begin(): Promise<void> {
    if (this.#transaction) return
    const connection = await this.#executor.acquireConnection()
    try {
      await this.#executor.beginTransaction(connection, {})
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
