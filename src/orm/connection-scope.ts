import { sql, type CompiledQuery, type DatabaseConnection, type QueryResult } from 'kysely'
import type { Engine } from '../engine/engine.ts'

/**
 * A Session's hold on its engine's connections: none while it only reads (each read runs by itself in
 * autocommit, so a request that only reads never holds a pooled connection or waits for a writer), one
 * from the first write or `begin()` until the transaction ends, and savepoints inside that transaction.
 * Every statement of the Session runs through {@link run}, which picks the connection.
 */
export class ConnectionScope {
  readonly #engine: Engine
  /** The connection of the open transaction, or the one borrowed by {@link autocommit}. */
  #connection: DatabaseConnection | undefined
  #inTransaction = false

  constructor(engine: Engine) {
    this.#engine = engine
  }

  /** A transaction is open: begun explicitly or by a flush, and not yet committed or rolled back. */
  get inTransaction(): boolean {
    return this.#inTransaction
  }

  /**
   * The open transaction's connection, as an identity: a caller that saw one transaction can tell when
   * its work ended that transaction (a commit or rollback inside a savepoint's work).
   */
  get transaction(): object | undefined {
    return this.#inTransaction ? this.#connection : undefined
  }

  /** Runs one statement: in the open transaction, on the borrowed connection, or by itself in autocommit. */
  run<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (this.#connection) return this.#connection.executeQuery<R>(query)
    return this.#engine.dialect.driver.executeAutocommit<R>(query)
  }

  /** Opens a transaction on a connection of the engine's, unless one is open. */
  async begin(): Promise<void> {
    if (this.#inTransaction) return
    const { driver } = this.#engine.dialect
    const connection = await driver.acquireConnection()
    try {
      await driver.beginTransaction(connection, {})
    } catch (error) {
      await driver.releaseConnection(connection)
      throw error
    }
    this.#connection = connection
    this.#inTransaction = true
  }

  /** Commits the open transaction and gives its connection back. */
  async commit(): Promise<void> {
    const connection = this.#connection!
    await this.#engine.dialect.driver.commitTransaction(connection)
    await this.#release()
  }

  /** Rolls back the open transaction, if any, and gives its connection back even when that fails. */
  async rollback(): Promise<void> {
    if (!this.#inTransaction) return
    try {
      await this.#engine.dialect.driver.rollbackTransaction(this.#connection!)
    } finally {
      await this.#release()
    }
  }

  /**
   * Runs `work`'s statements on one connection with no transaction: one statement is atomic by itself, and
   * the BEGIN and COMMIT round trips are saved.
   */
  async autocommit(work: () => Promise<void>): Promise<void> {
    const { driver } = this.#engine.dialect
    this.#connection = await driver.acquireConnection()
    try {
      await work()
    } finally {
      await this.#release()
    }
  }

  /** Marks a SAVEPOINT in the open transaction. */
  async savepoint(name: string): Promise<void> {
    await this.run(sql`savepoint ${sql.id(name)}`.compile(this.#engine.db))
  }

  /** Keeps what was done since the SAVEPOINT, which ends. */
  async releaseSavepoint(name: string): Promise<void> {
    await this.run(sql`release savepoint ${sql.id(name)}`.compile(this.#engine.db))
  }

  /** Undoes what was done since the SAVEPOINT. */
  async rollbackToSavepoint(name: string): Promise<void> {
    await this.run(sql`rollback to savepoint ${sql.id(name)}`.compile(this.#engine.db))
  }

  async #release(): Promise<void> {
    const connection = this.#connection
    this.#connection = undefined
    this.#inTransaction = false
    if (connection) await this.#engine.dialect.driver.releaseConnection(connection)
  }
}
