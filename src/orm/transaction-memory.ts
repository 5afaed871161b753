import { unloadAll } from '../model/relationship-values.ts'
import type { ConnectionScope } from './connection-scope.ts'
import type { Loader } from './loading.ts'
import type { Snapshot } from './snapshot.ts'
import type { RowState } from './row-state.ts'
import type { TrackedRows } from './tracked-rows.ts'

type Row = Record<string, unknown>

/** What a nested transaction puts back when it fails: the rows as its SAVEPOINT found them, after a flush. */
export interface Savepoint {
  readonly name: string
  readonly rows: ReadonlyMap<
    object,
    { readonly state: RowState['state']; readonly flushed: Snapshot | undefined }
  >
  readonly touched: ReadonlySet<object>
  readonly read: ReadonlySet<object>
}

/**
 * What a commit keeps, and what a rollback or a rollback to a savepoint puts back in memory, so the rows
 * hold what the database holds afterwards. Opens and ends the SAVEPOINTs of nested transactions.
 *
 * @example
 * const memory = new TransactionMemory(scope, rows, loader)
 * const savepoint = await memory.savepoint()
 * await memory.rollbackTo(savepoint) // the rows are as the savepoint found them
 */
export class TransactionMemory {
  readonly #scope: ConnectionScope
  readonly #rows: TrackedRows
  readonly #loader: Loader
  /** The open nested transactions, innermost last. */
  readonly #savepoints: Savepoint[] = []

  constructor(scope: ConnectionScope, rows: TrackedRows, loader: Loader) {
    this.#scope = scope
    this.#rows = rows
    this.#loader = loader
  }

  /** The innermost open savepoint. */
  get innermost(): Savepoint | undefined {
    return this.#savepoints.at(-1)
  }

  /** What the transaction wrote, and what it read, is now the committed state of its rows. */
  committed(): void {
    this.#savepoints.length = 0
    const rows = this.#rows
    for (const row of rows.touched) {
      const tracked = rows.get(row)!
      tracked.insertedInTransaction = false
      if (tracked.state === 'deleted') {
        rows.forget(row)
        tracked.deletedForGood = true
      } else tracked.committed = tracked.flushed
    }
    rows.touched.clear()
    // Rows it only read keep the values they were given.
    for (const row of rows.readInTransaction) {
      const tracked = rows.get(row)
      if (tracked) tracked.committed = tracked.flushed
    }
    rows.readInTransaction.clear()
  }

  /**
   * Rolls back the open transaction, if any, and puts every row back as the database has it: pending rows
   * leave the session, rows inserted in the transaction lose their generated key, changed rows get their
   * committed values back, and deleted rows return. Rows read inside the transaction may hold what it
   * wrote, so they are read again, as SQLAlchemy expires every row on rollback.
   */
  async rollback(): Promise<void> {
    try {
      await this.#scope.rollback()
    } finally {
      // Even when the ROLLBACK failed: a lost connection, the usual cause, ends its transaction too.
      const reread = this.#forgetTransaction()
      if (reread.length > 0) await this.#loader.reload(reread)
    }
  }

  /**
   * Undoes what a failed flush or commit did: back to the innermost savepoint inside a nested
   * transaction (only its own work is undone, as SQLAlchemy's begin_nested does), else the whole
   * transaction. The failure's own error is the one to throw, so a failed rollback is not thrown over
   * it: the rows are put back all the same.
   */
  async undo(): Promise<void> {
    const savepoint = this.innermost
    try {
      if (savepoint && this.#scope.inTransaction) await this.rollbackTo(savepoint)
      else await this.rollback()
    } catch {
      // The rows are back either way (see rollback and rollbackTo); the connection's error is the
      // failure's, which the caller throws.
    }
  }

  /** Puts every row back as the last commit left it; returns the rows to read again. */
  #forgetTransaction(): object[] {
    const rows = this.#rows
    rows.pending.clear()
    rows.deletes.clear()
    this.#savepoints.length = 0
    for (const [row, tracked] of rows.entries()) {
      if (tracked.state === 'pending') rows.forget(row)
      else if (tracked.insertedInTransaction) rows.forgetInserted(row)
      // Loaded relationships may no longer match the database: they read as not loaded again. A deleted
      // row returns, and a row whose key the transaction changed is found by its committed key again.
      else restore(rows, tracked, 'persistent', tracked.committed!)
    }
    // Every row holds the values it is compared against again.
    rows.changed.clear()
    rows.touched.clear()
    const reread = [...rows.readInTransaction].filter((row) => rows.has(row))
    rows.readInTransaction.clear()
    return reread
  }

  /** Marks a SAVEPOINT and remembers the rows as they are now, flushed. */
  async savepoint(): Promise<Savepoint> {
    const rows = new Map<object, { state: RowState['state']; flushed: Snapshot | undefined }>()
    for (const [row, tracked] of this.#rows.entries()) {
      rows.set(row, { state: tracked.state, flushed: tracked.flushed })
    }
    const savepoint: Savepoint = {
      name: `onemodel_savepoint_${this.#savepoints.length + 1}`,
      rows,
      touched: new Set(this.#rows.touched),
      read: new Set(this.#rows.readInTransaction),
    }
    await this.#scope.savepoint(savepoint.name)
    this.#savepoints.push(savepoint)
    return savepoint
  }

  /** Keeps what was done since `savepoint`, which ends. */
  async release(savepoint: Savepoint): Promise<void> {
    await this.#scope.releaseSavepoint(savepoint.name)
  }

  /** `savepoint` is still open: no failed flush rolled back to it, and no outer one ended. */
  isOpen(savepoint: Savepoint): boolean {
    return this.#savepoints.at(-1) === savepoint
  }

  /** Forgets `savepoint` and those inside it, however they ended. */
  end(savepoint: Savepoint): void {
    const at = this.#savepoints.indexOf(savepoint)
    if (at >= 0) this.#savepoints.length = at
  }

  /**
   * Rolls back to `savepoint` and puts the rows back as it found them: rows added or inserted since leave
   * the session (an inserted row loses its generated key), changed and deleted rows get their values back,
   * and rows first loaded since are read again. The savepoint ends.
   */
  async rollbackTo(savepoint: Savepoint): Promise<void> {
    this.end(savepoint)
    try {
      await this.#scope.rollbackToSavepoint(savepoint.name)
    } finally {
      const reread = this.#forgetSince(savepoint)
      if (reread.length > 0) await this.#loader.reload(reread)
    }
  }

  /** Puts the rows back as `savepoint` found them; returns the rows first read since, to read again. */
  #forgetSince(savepoint: Savepoint): object[] {
    const rows = this.#rows
    rows.pending.clear()
    rows.deletes.clear()
    const reread: object[] = []
    for (const [row, tracked] of rows.entries()) {
      const before = savepoint.rows.get(row)
      if (before === undefined) {
        if (tracked.state === 'pending') rows.forget(row)
        else if (tracked.insertedInTransaction) rows.forgetInserted(row)
        else {
          unload(rows, tracked)
          reread.push(row)
        }
      } else if (tracked.state !== 'pending' && before.flushed !== undefined) {
        restore(rows, tracked, before.state, before.flushed)
      }
    }
    rows.changed.clear()
    rows.touched = new Set(savepoint.touched)
    rows.readInTransaction = new Set([...savepoint.read, ...reread])
    return reread
  }
}

/** Puts `tracked`'s row back in `state` with the values of `flushed`. */
function restore(rows: TrackedRows, tracked: RowState, state: RowState['state'], flushed: Snapshot): void {
  const { row } = tracked
  unload(rows, tracked)
  if (tracked.state === 'persistent')
    rows.identity.delete(tracked.table, tracked.layout.keyOf(tracked.flushed!))
  tracked.state = state
  if (state === 'persistent') rows.identity.set(tracked.table, tracked.layout.keyOf(flushed), row)
  tracked.layout.restore(row as Row, flushed)
  tracked.flushed = flushed
}

/**
 * `state`'s relationships read as not loaded again, and the children given it while its collection was
 * not loaded are forgotten: the database has neither.
 */
function unload(rows: TrackedRows, state: RowState): void {
  unloadAll(state.row)
  state.forgetFlushedValues()
  state.appended = undefined
  rows.related.delete(state.row)
}
