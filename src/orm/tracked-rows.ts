import { setSessionOfRow } from '../model/row.ts'
import type { TableModel } from '../model/table.ts'
import { IdentityMap } from './identity-map.ts'
import { layoutOf, type Snapshot, type SnapshotLayout } from './snapshot.ts'

/** What a Session knows of one row it holds. */
export interface Tracked {
  readonly table: TableModel
  readonly layout: SnapshotLayout
  state: 'pending' | 'persistent' | 'deleted'
  /** As of the last load or flush: what dirty checking compares against. */
  flushed: Snapshot | undefined
  /** As of the last commit or load: what a rollback restores. */
  committed: Snapshot | undefined
  insertedInTransaction: boolean
}

/**
 * The rows one Session holds, and the sets its parts share: the rows to insert and to delete, the rows a
 * transaction wrote or read, and the identity map. Each part of the Session reads and changes this one
 * registry, so none of them needs the Session itself.
 *
 * @example
 * const rows = new TrackedRows()
 * rows.addPending(hero, Hero)
 * rows.get(hero)?.state // 'pending'
 */
export class TrackedRows {
  readonly #records = new Map<object, Tracked>()
  readonly identity = new IdentityMap()
  /** Rows added and not yet inserted, in the order they were added. */
  readonly pending = new Set<object>()
  /** Persistent rows to delete at the next flush. */
  readonly deletes = new Set<object>()
  /** Rows the open transaction wrote: a commit makes their values the committed ones. */
  touched = new Set<object>()
  /** Rows whose values were read inside the open transaction: a rollback reloads them. */
  readInTransaction = new Set<object>()

  get size(): number {
    return this.#records.size
  }

  get(row: object): Tracked | undefined {
    return this.#records.get(row)
  }

  has(row: object): boolean {
    return this.#records.has(row)
  }

  entries(): IterableIterator<[object, Tracked]> {
    return this.#records.entries()
  }

  /** Takes in a row that is not in the database yet: the next flush inserts it. */
  addPending(row: object, table: TableModel): void {
    setSessionOfRow(row, this)
    this.#records.set(row, {
      table,
      layout: layoutOf(table),
      state: 'pending',
      flushed: undefined,
      committed: undefined,
      insertedInTransaction: false,
    })
    this.pending.add(row)
  }

  /** Takes in a row the database holds with the values of `state`, found by its key from now on. */
  track(row: object, table: TableModel, layout: SnapshotLayout, state: Snapshot): void {
    this.identity.set(table, layout.keyOf(state), row)
    setSessionOfRow(row, this)
    this.#records.set(row, {
      table,
      layout,
      state: 'persistent',
      flushed: state,
      committed: state,
      insertedInTransaction: false,
    })
  }

  /** The row leaves the session: no longer tracked, found by its key, or written by the next flush. */
  forget(row: object): void {
    const tracked = this.#records.get(row)
    if (!tracked) return
    this.#records.delete(row)
    this.pending.delete(row)
    this.deletes.delete(row)
    this.touched.delete(row)
    this.readInTransaction.delete(row)
    if (tracked.flushed) this.identity.delete(tracked.table, tracked.layout.keyOf(tracked.flushed), row)
  }

  /** A row inserted by a transaction that was rolled back leaves the session, without its generated key. */
  forgetInserted(row: object): void {
    const { table } = this.#records.get(row)!
    this.forget(row)
    if (table.primaryKeyField.isGenerated) (row as Record<string, unknown>)[table.primaryKey] = undefined
  }

  clear(): void {
    this.#records.clear()
    this.identity.clear()
    this.pending.clear()
    this.deletes.clear()
    this.touched.clear()
    this.readInTransaction.clear()
  }
}
