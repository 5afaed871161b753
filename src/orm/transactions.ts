import type { ConnectionScope } from './connection-scope.ts'
import type { TransactionMemory } from './transaction-memory.ts'
import type { Changes, UnitOfWork } from './unit-of-work.ts'

/**
 * How a Session's writes meet its transaction: a flush opens one, a commit ends it (or runs a lone
 * statement by itself in autocommit, unless the Session asked for an isolation level), a transaction
 * opened inside another is a SAVEPOINT, and whatever fails undoes what it did, in the database and in
 * memory, before its own error is rethrown.
 *
 * @example
 * const transactions = new Transactions(scope, work, memory)
 * await transactions.run(async () => session.add(hero)) // BEGIN, INSERT, COMMIT
 */
export class Transactions {
  readonly #scope: ConnectionScope
  readonly #work: UnitOfWork
  readonly #memory: TransactionMemory

  constructor(scope: ConnectionScope, work: UnitOfWork, memory: TransactionMemory) {
    this.#scope = scope
    this.#work = work
    this.#memory = memory
  }

  /** Writes what changed in the transaction, opening it first; a failure undoes the flush's work. */
  async flush(): Promise<void> {
    // No row held may have changed: there is nothing to write, nor any row to look over.
    if (this.#work.mayHaveChanges) await this.#flush(this.#work.changes())
  }

  async #flush(changes: Changes): Promise<void> {
    if (this.#work.isEmpty(changes)) return this.#work.writeNothing()
    // Inside the try: when the transaction cannot even begin (a locked SQLite file, a lost server), the
    // session is rolled back as after any failed flush, so what it holds afterwards is predictable.
    await this.#undoing(async () => {
      await this.#scope.begin()
      await this.#work.write(changes)
    })
  }

  /**
   * Flushes and commits; a lone statement with no transaction open runs by itself in autocommit, unless
   * the Session has an isolation level, which only a transaction it begins has.
   */
  async commit(): Promise<void> {
    if (!this.#scope.inTransaction && !this.#work.mayHaveChanges) return
    const changes = this.#work.changes()
    if (!this.#scope.inTransaction && this.#scope.autocommits && this.#work.isOneStatement(changes)) {
      await this.#undoing(() => this.#scope.autocommit(() => this.#work.write(changes)))
      return this.#memory.committed()
    }
    await this.#flush(changes)
    if (!this.#scope.inTransaction) return
    // A failed COMMIT ended the transaction too (the scope released its connection): the rows are put
    // back as after a rollback.
    await this.#undoing(() => this.#scope.commit())
    this.#memory.committed()
  }

  /** Rolls back the open transaction, if any, and puts every row back as the database has it. */
  rollback(): Promise<void> {
    return this.#memory.rollback()
  }

  /**
   * Runs `work` in a transaction that its return commits and its failure rolls back; inside an open
   * transaction, in a SAVEPOINT.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#scope.inTransaction) return this.#nested(work)
    await this.#scope.begin()
    const result = await this.#undoing(work)
    await this.commit()
    return result
  }

  /**
   * Runs `work` in a SAVEPOINT of the open transaction: pending work is flushed first, then a failure of
   * `work`, or of its flush, rolls back to the savepoint, in the database and in memory, and is rethrown.
   */
  async #nested<T>(work: () => Promise<T>): Promise<T> {
    await this.flush()
    const transaction = this.#scope.transaction
    const savepoint = await this.#memory.savepoint()
    try {
      const result = await work()
      if (this.#scope.transaction !== transaction) return result // work committed or rolled back the whole transaction
      await this.flush()
      await this.#memory.release(savepoint)
      return result
    } catch (error) {
      if (this.#memory.isOpen(savepoint) && this.#scope.transaction === transaction) {
        await this.#memory.rollbackTo(savepoint)
      }
      throw error
    } finally {
      this.#memory.end(savepoint)
    }
  }

  /** Runs `step`; when it fails, undoes the transaction's work (see TransactionMemory.undo) and rethrows. */
  async #undoing<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step()
    } catch (error) {
      await this.#memory.undo()
      throw error
    }
  }
}
