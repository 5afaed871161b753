import type { Engine } from '../engine/engine.ts'
import { linksTo } from '../model/relationship-values.ts'
import { toParam } from './param-slots.ts'
import { LinkChanges } from './link-rows.ts'
import type { ConnectionScope } from './connection-scope.ts'
import { rankOf } from './relationships.ts'
import { cascadesDeletes, detachesChildren, type RelationshipDeletes } from './relationship-deletes.ts'
import type { DeferredLinks, RelationshipSync } from './relationship-sync.ts'
import { missingKeyError, staleError } from './session-errors.ts'
import { statementsFor, TableStatements } from './statements.ts'
import type { RowState } from './row-state.ts'
import type { TrackedRows } from './tracked-rows.ts'

type Row = Record<string, unknown>

/** A persistent row and the fields that changed since its last load or flush. */
type Dirty = [row: object, changed: string[]]

/**
 * What a flush writes: the rows to update, the foreign keys that wait for a new parent's key, and the link
 * rows of many-to-manys.
 */
export interface Changes {
  readonly dirty: Dirty[]
  readonly deferred: DeferredLinks | undefined
  readonly links: LinkChanges | undefined
}

/**
 * The writes of a flush: the rows added are inserted, the rows changed are updated (changed columns only)
 * and the rows deleted are deleted, table by table in the order of the foreign keys.
 *
 * @example
 * const work = new UnitOfWork(engine, scope, rows, sync)
 * const changes = work.changes()
 * if (!work.isEmpty(changes)) await work.write(changes)
 */
export class UnitOfWork {
  readonly #engine: Engine
  readonly #scope: ConnectionScope
  readonly #rows: TrackedRows
  readonly #sync: RelationshipSync
  readonly #deletes: RelationshipDeletes

  constructor(
    engine: Engine,
    scope: ConnectionScope,
    rows: TrackedRows,
    sync: RelationshipSync,
    deletes: RelationshipDeletes,
  ) {
    this.#engine = engine
    this.#scope = scope
    this.#rows = rows
    this.#sync = sync
    this.#deletes = deletes
  }

  /** What the next flush writes: relationship changes become foreign keys first. */
  changes(): Changes {
    const links = new LinkChanges()
    const deferred = this.#sync.beforeFlush(links)
    return { dirty: this.#dirty(), deferred, links: links.size > 0 ? links : undefined }
  }

  /** A flush may find something to write (see `TrackedRows.mayHaveChanges`). */
  get mayHaveChanges(): boolean {
    return this.#rows.mayHaveChanges
  }

  isEmpty({ dirty, deferred, links }: Changes): boolean {
    const rows = this.#rows
    const nothing = rows.pending.size === 0 && dirty.length === 0 && rows.deletes.size === 0
    return nothing && deferred === undefined && links === undefined
  }

  /** The flush is one statement, atomic by itself: it may run in autocommit. */
  isOneStatement({ dirty, deferred, links }: Changes): boolean {
    const { pending, deletes } = this.#rows
    if (deferred !== undefined || links !== undefined) return false
    if (pending.size + dirty.length + deletes.size !== 1) return false
    // A deleted parent may need its children detached or deleted first: that is more statements.
    for (const row of deletes) {
      const { table } = this.#rows.get(row)!
      if (detachesChildren(table) || cascadesDeletes(table)) return false
    }
    return true
  }

  /**
   * Runs the updates, the pending inserts and the pending deletes. Table by table, parents before children
   * (the foreign keys decide the order, whether or not relationships link the tables), the updates of a
   * table run before its inserts, as in SQLAlchemy's unit of work: a unique value renamed on one row is
   * free for a new row of the same flush. Deletes run last, with the rows they cascade to, children before
   * parents (the deepest first within a table that references itself). The foreign keys
   * that wait for a new parent's generated key are set once it has one.
   */
  async write({ dirty, deferred, links }: Changes): Promise<void> {
    this.#rows.flushed.clear()
    const pending = parentsFirst(this.#rows.pending, deferred).sort((a, b) => this.#rank(a) - this.#rank(b))
    const last = Math.max(
      this.#maxRank(pending),
      this.#maxRank(dirty.map(([row]) => row)),
      this.#maxRank(deferred ? [...deferred.keys()] : []),
    )
    for (let rank = 0; rank <= last; rank++) {
      if (deferred && this.#sync.linkPersistent(deferred)) dirty = this.#dirty()
      for (const [row, changed] of dirty) {
        if (this.#rank(row) === rank) await this.#update(row, changed)
      }
      for (const row of pending) {
        if (this.#rank(row) !== rank) continue
        this.#sync.linkPending(deferred, row)
        await this.#insert(row)
      }
    }
    this.#rows.pending.clear()
    // A key that waited for a parent inserted at its own rank (a table that references itself).
    if (deferred && this.#sync.linkPersistent(deferred)) {
      for (const [row, changed] of this.#dirty()) await this.#update(row, changed)
    }
    // Every row a link pairs has its key now; its deletion, if any, comes after.
    for (const statement of links?.statements(this.#engine) ?? []) await this.#scope.run(statement)
    const depths = this.#rows.deletes.size > 0 ? await this.#deletes.cascadeDeletes() : undefined
    const depth = (row: object) => depths?.get(row) ?? 0
    const deletes = [...this.#rows.deletes].sort(
      (a, b) => this.#rank(b) - this.#rank(a) || depth(b) - depth(a),
    )
    this.#rows.deletes.clear()
    for (const row of deletes) await this.#delete(row)
    this.#sync.afterFlush()
  }

  /** A flush with nothing to write still takes what the relationships hold as flushed. */
  writeNothing(): void {
    this.#rows.flushed.clear()
    this.#sync.afterFlush()
  }

  /**
   * The rows to update and their changed fields: of the rows written since their last flush, and of those
   * whose writes cannot all be seen. A written row found unchanged is unmarked.
   */
  #dirty(): Dirty[] {
    const { changed, unobserved, deletes } = this.#rows
    const dirty: Dirty[] = []
    for (const row of changed) {
      // A row to delete stays marked: add() may take it back before the flush.
      if (deletes.has(row)) continue
      const state = this.#rows.get(row)
      const keys = this.#changedKeys(row, state)
      if (keys.length > 0) dirty.push(listed(row, state!, keys))
      else changed.delete(row)
    }
    // A row not written since its flush: of an observed row, only a date or JSON can have changed unseen.
    for (const row of unobserved) {
      if (changed.has(row) || deletes.has(row)) continue
      const state = this.#rows.get(row)
      const keys = this.#changedKeys(row, state, state?.observed === true)
      if (keys.length > 0) dirty.push(listed(row, state!, keys))
    }
    return dirty
  }

  /**
   * The fields of `row`, whose state is `state`, changed since its last flush, or only of those that change
   * in place; none when it is not persistent.
   */
  #changedKeys(row: object, state = this.#rows.get(row), inPlaceOnly = false): string[] {
    if (state?.state !== 'persistent') return []
    const { layout, flushed } = state
    return inPlaceOnly
      ? layout.changedInPlace(row as Row, flushed!)
      : layout.changedKeys(row as Row, flushed!)
  }

  #rank(row: object): number {
    return rankOf(this.#rows.get(row)!.table)
  }

  /** The deepest rank of `rows`' tables, -1 for none. */
  #maxRank(rows: readonly object[]): number {
    let max = -1
    for (const row of rows) max = Math.max(max, this.#rank(row))
    return max
  }

  async #insert(row: object): Promise<void> {
    const tracked = this.#rows.get(row)!
    const { table } = tracked
    const values = row as Row
    for (const key of table.primaryKeys) {
      if (values[key] === undefined && key !== table.generatedKey) throw missingKeyError(table, key)
    }
    const columns: string[] = []
    const params: unknown[] = []
    for (const key in table.fields) {
      if (values[key] === undefined) continue
      columns.push(key)
      params.push(toParam(table.fields[key]!, values[key]))
    }
    const statements = statementsFor(this.#engine, table)
    // Taken before the statement is awaited: what was inserted, whatever is written meanwhile.
    let flushed = tracked.layout.take(values)
    const result = await this.#scope.run<Row>(statements.insert(columns, params))
    const key = table.generatedKey
    if (key !== undefined && values[key] === undefined) {
      values[key] = this.#engine.dialect.supportsReturning ? result.rows[0]![key] : Number(result.insertId)
      flushed = tracked.layout.with(flushed, key, values[key])
    }
    tracked.state = 'persistent'
    tracked.flushed = flushed
    // A pending row's writes are not marked: one made while the INSERT was awaited is found by comparing.
    if (tracked.layout.changedKeys(values, flushed).length > 0) this.#rows.changed.add(row)
    tracked.insertedInTransaction = true
    this.#rows.identity.set(table, tracked.layout.keyOf(flushed), row)
    this.#rows.wrote(row)
  }

  async #update(row: object, changed: string[]): Promise<void> {
    const tracked = this.#rows.get(row)!
    const { table } = tracked
    const values = row as Row
    const { layout } = tracked
    const oldKey = layout.keyOf(tracked.flushed!)
    const keyParams = layout.keyParams(tracked.flushed!)
    const params = changed.map((key) => toParam(table.fields[key]!, values[key]))
    params.push(...keyParams)
    // What the database will have: the values sent, as they are now. A write since the changes were listed
    // (the flush awaited BEGIN or earlier statements), or while this one is awaited, keeps the row marked
    // for the next flush.
    const flushed = layout.updated(tracked.flushed!, values, changed)
    if (tracked.writes === tracked.writesListed) this.#rows.changed.delete(row)
    const result = await this.#scope.run(statementsFor(this.#engine, table).update(changed, params))
    if (TableStatements.affected(result) === 0) throw this.#stale(row, tracked, 'UPDATE', keyParams)
    const newKey = layout.keyOf(flushed)
    if (newKey !== oldKey) {
      this.#rows.identity.delete(table, oldKey)
      this.#rows.identity.set(table, newKey, row)
    }
    tracked.flushed = flushed
    this.#rows.wrote(row)
  }

  async #delete(row: object): Promise<void> {
    const tracked = this.#rows.get(row)!
    const { table } = tracked
    const key = tracked.layout.keyParams(tracked.flushed!)
    const statements = statementsFor(this.#engine, table)
    // Detaching the children first makes the delete two statements. Two sessions deleting one parent would
    // lock its children's rows and then wait for each other at the parent (a deadlock on MySQL): locking
    // the parent's row first makes the second wait there, and then find the row gone.
    if (this.#engine.dialect.supportsRowLocks && detachesChildren(table)) {
      const { rows } = await this.#scope.run(statements.lockByKey(key))
      if (rows.length === 0) throw this.#stale(row, tracked, 'DELETE', key)
    }
    if (table.relationships.size > 0 || linksTo(table).length > 0)
      await this.#deletes.beforeDelete(row, tracked)
    const result = await this.#scope.run(statements.deleteByKey(key))
    if (TableStatements.affected(result) === 0) throw this.#stale(row, tracked, 'DELETE', key)
    this.#rows.identity.delete(table, tracked.layout.keyOf(tracked.flushed!))
    tracked.state = 'deleted'
    this.#rows.wrote(row)
  }

  /** A write by key matched no row: the row leaves the session (see {@link staleError}). */
  #stale(row: object, tracked: RowState, by: 'UPDATE' | 'DELETE', key: readonly unknown[]): Error {
    this.#rows.forget(row)
    return staleError(tracked.table, by, key)
  }
}

/**
 * The `pending` rows, each new parent before the new children that wait for its key, in the order added
 * otherwise. Sorted by rank after (a stable sort), this orders what the ranks alone do not: the rows of a
 * table that references itself (a tree's nodes). The child's key is then set before its insert, with no
 * update after, so a foreign key that cannot be null works. A cycle falls back to the update.
 */
function parentsFirst(pending: ReadonlySet<object>, deferred: DeferredLinks | undefined): object[] {
  if (deferred === undefined) return [...pending]
  const ordered: object[] = []
  const visited = new Set<object>()
  const visit = (row: object) => {
    if (visited.has(row)) return
    visited.add(row)
    for (const { parent } of deferred.get(row) ?? []) if (parent && pending.has(parent)) visit(parent)
    ordered.push(row)
  }
  pending.forEach(visit)
  return ordered
}

/** A row to update with its changed fields, the writes it had as they were listed noted on its state. */
function listed(row: object, state: RowState, keys: string[]): Dirty {
  state.writesListed = state.writes
  return [row, keys]
}
