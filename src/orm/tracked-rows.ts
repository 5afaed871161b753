import { relationshipValue, relationshipValues, setRelationshipValue } from '../model/relationship-values.ts'
import type { TableModel } from '../model/table.ts'
import type { LoadMissing } from './held-rows.ts'
import { IdentityMap } from './identity-map.ts'
import { RowState, type Owner } from './row-state.ts'
import { attachedError, copyError, deletedError, notInSessionError, tableOf } from './session-errors.ts'
import type { Snapshot } from './snapshot.ts'

type Row = Record<string, unknown>

/**
 * The rows one Session holds, and the sets its parts share: the rows to insert and to delete, the rows
 * written since the last flush, the rows a transaction wrote or read, and the identity map. Each part of
 * the Session reads and changes this one registry, so none of them needs the Session itself.
 *
 * Change tracking costs what changed, not what is held: a row's writes mark it ({@link changed}), and a
 * flush compares only marked rows. Rows whose writes cannot all be seen are compared at every flush
 * ({@link unobserved}): rows that are not observed, whole, and rows with a date or JSON field, which
 * change in place (`hero.born.setFullYear()`), on those fields; likewise the rows holding a loaded
 * collection, which `push` changes in place ({@link related}).
 *
 * @example
 * const rows = new TrackedRows()
 * rows.add(hero, Hero)
 * rows.get(hero)?.state // 'pending'
 */
export class TrackedRows {
  /**
   * The owner of the rows held now. Clearing the Session starts a new one, so the rows it held are let go
   * of all at once: their states still point at the old one, which holds nothing.
   */
  #members = new Members(this)
  /** Every row held, for iteration; a row that left is skipped, and dropped when they pile up. */
  #listed: RowState[] = []
  #count = 0
  /**
   * The states asked for, by row. Reaching a row's state through its proxy takes ~170 ns, a lookup ~10 ns,
   * and a flush asks for the rows it writes several times; rows only read (most of a query's) are never
   * asked for, and pay nothing.
   */
  readonly #known = new Map<object, RowState>()
  readonly identity = new IdentityMap()
  /**
   * How the Session that holds these rows loads what they lack (see `loadMissingRelationships`). A field,
   * not a registry: a Session is made per request, and a WeakMap entry each costs the collector dearly.
   */
  loadMissing: LoadMissing | undefined = undefined
  // The sets below are made at their first use: a Session is made per request, and one that only reads
  // touches few of them, where making all eight cost ~1.6 KB and ~0.4 µs per Session.
  #pending: Set<object> | undefined
  #deletes: Set<object> | undefined
  #changed: Set<object> | undefined
  #unobserved: Set<object> | undefined
  #related: Set<object> | undefined
  #touched: Set<object> | undefined
  #flushed: Set<object> | undefined
  #readInTransaction: Set<object> | undefined

  /** Rows added and not yet inserted, in the order they were added. */
  get pending(): Set<object> {
    return (this.#pending ??= new Set())
  }

  /** Persistent rows to delete at the next flush. */
  get deletes(): Set<object> {
    return (this.#deletes ??= new Set())
  }

  /** Persistent rows written since they were last flushed: the rows a flush compares. */
  get changed(): Set<object> {
    return (this.#changed ??= new Set())
  }

  /** Rows compared at every flush, as some of their writes cannot be seen. */
  get unobserved(): Set<object> {
    return (this.#unobserved ??= new Set())
  }

  /** Rows holding relationship values, or given children while their collection was not loaded. */
  get related(): Set<object> {
    return (this.#related ??= new Set())
  }

  /** Rows the open transaction wrote: a commit makes their values the committed ones. */
  get touched(): Set<object> {
    return (this.#touched ??= new Set())
  }

  set touched(rows: Set<object>) {
    this.#touched = rows
  }

  /** Rows the last flush wrote: their many-to-ones follow their foreign keys. */
  get flushed(): Set<object> {
    return (this.#flushed ??= new Set())
  }

  /** Rows whose values were read inside the open transaction: a rollback reloads them. */
  get readInTransaction(): Set<object> {
    return (this.#readInTransaction ??= new Set())
  }

  set readInTransaction(rows: Set<object>) {
    this.#readInTransaction = rows
  }

  /** `row` is to be deleted at the next flush. Makes no set when none is. */
  isDeleted(row: object): boolean {
    return this.#deletes !== undefined && this.#deletes.has(row)
  }

  /**
   * A flush may find something to write: a row pending, to delete, written, compared at every flush (a
   * date or JSON field) or holding relationship values. When none is, a flush would write nothing and
   * change nothing, so the autoflush before a query is skipped: a Session that holds rows it only read, of
   * tables without date or JSON fields and with no collection loaded, queries without one.
   */
  get mayHaveChanges(): boolean {
    return (
      holds(this.#pending) ||
      holds(this.#deletes) ||
      holds(this.#changed) ||
      holds(this.#unobserved) ||
      holds(this.#related)
    )
  }

  /** The rows of the open Session that holds `row`, if one does. */
  static holding(row: object): TrackedRows | undefined {
    const state = RowState.find(row)
    const owner = state?.owner
    return owner instanceof Members && owner.holds(state!) ? owner.rows : undefined
  }

  get(row: object): RowState | undefined {
    let state = this.#known.get(row)
    if (state === undefined) {
      state = RowState.find(row)
      if (state === undefined) return undefined
      this.#known.set(row, state)
    }
    return state.owner === this.#members ? state : undefined
  }

  has(row: object): boolean {
    return this.get(row) !== undefined
  }

  /** Every row held, with its state. */
  *entries(): IterableIterator<[object, RowState]> {
    const members = this.#members
    for (const state of this.#listed) if (state.owner === members) yield [state.row, state]
  }

  /**
   * What `session.add(row)` does: takes in a row it does not hold (see {@link add}), and keeps one it holds,
   * which its next flush no longer deletes.
   * @throws {SessionError} `OM_ORM_NOT_A_ROW`, `OM_ORM_DELETED`, and those of {@link add}.
   */
  put(row: object): void {
    const state = this.get(row)
    if (state?.state === 'deleted') throw deletedError(state.table, row)
    if (state) this.deletes.delete(row)
    else this.add(row, tableOf(row, 'add'))
  }

  /**
   * What `session.delete(row)` does: a row never flushed leaves at once, a persistent one is deleted at the
   * next flush.
   * @throws {SessionError} `OM_ORM_DETACHED` when the row is not held, or its deletion was flushed.
   */
  markDeleted(row: object): void {
    const state = this.get(row)
    if (!state || state.state === 'deleted') throw notInSessionError(tableOf(row, 'delete'))
    if (state.state === 'pending') this.forget(row)
    else this.deletes.add(row)
  }

  /**
   * Takes in a row the user adds: a new row is inserted at the next flush, and a row another session
   * committed is updated with what changed since.
   * @throws {SessionError} `OM_ORM_ATTACHED`, `OM_ORM_DELETED`, or `OM_ORM_DETACHED` for a copy of a row held.
   */
  add(row: object, table: TableModel): void {
    const state = this.#known.get(row) ?? RowState.of(row, table)
    this.#known.set(row, state)
    // A row in two sessions would be written by both, and one's rollback would undo the other's commit.
    if (state.owner?.holds(state)) throw attachedError(table, row)
    if (state.deletedForGood) throw deletedError(table, row)
    const { committed, layout } = state
    // A row whose insert was rolled back lost its generated key (forgetInserted): it is new again.
    const generated = table.generatedKey
    if (committed === undefined || (generated !== undefined && (row as Row)[generated] === undefined)) {
      return this.addPending(state)
    }
    const existing = this.identity.get(table, layout.keyOf(committed))
    if (existing && existing !== row) throw copyError(table, row)
    this.track(state, committed)
    // Written while no session held it: only a comparison finds what changed.
    this.changed.add(row)
  }

  /** Takes in a row that is not in the database yet: the next flush inserts it. */
  addPending(state: RowState): void {
    this.#take(state)
    state.state = 'pending'
    state.flushed = undefined
    state.committed = undefined
    this.pending.add(state.row)
  }

  /** Takes in a row the database holds with the values of `snapshot`, found by its key from now on. */
  track(state: RowState, snapshot: Snapshot): void {
    this.#take(state)
    state.state = 'persistent'
    state.flushed = snapshot
    state.committed = snapshot
    this.identity.set(state.table, state.layout.keyOf(snapshot), state.row)
  }

  /** Drops from the list the rows that left, so that one coming back is listed again. */
  #dropLeft(): void {
    const held: RowState[] = []
    for (const state of this.#listed) {
      if (state.owner === this.#members) held.push(state)
      else if (state.listedIn === this.#members) state.listedIn = undefined
    }
    this.#listed = held
  }

  #take(state: RowState): void {
    const { row } = state
    const members = this.#members
    if (state.owner !== members) {
      state.owner = members
      this.#count++
      if (state.listedIn !== members) {
        state.listedIn = members
        this.#listed.push(state)
      }
    }
    state.insertedInTransaction = false
    if (!state.seesWrites) this.unobserved.add(row)
    if (state.table.relationships.size > 0 && (relationshipValues(row) || state.appended))
      this.related.add(row)
  }

  /** `row`'s relationship `name` holds `value`, as the database has it (loaded, or detached by a delete). */
  setLoaded(row: object, name: string, value: unknown): void {
    setRelationshipValue(row, name, value)
    this.get(row)!.setFlushedValue(name, value)
    this.related.add(row)
  }

  /** A flush wrote `row`. */
  wrote(row: object): void {
    this.touched.add(row)
    this.flushed.add(row)
  }

  /** `state`'s row was written; called by the {@link Members} that hold it. */
  written(state: RowState, key: string | symbol): void {
    if (state.state === 'persistent') this.changed.add(state.row)
    if (typeof key === 'string' && state.table.relationships.has(key)) this.related.add(state.row)
  }

  linked(state: RowState): void {
    this.related.add(state.row)
  }

  /** The row leaves the session: no longer tracked, found by its key, or written by the next flush. */
  forget(row: object): void {
    const state = this.get(row)
    if (!state) return
    state.owner = undefined
    this.#count--
    // Left rows are skipped when listed; once they outnumber the rows held, the list drops them.
    if (this.#listed.length > 2 * this.#count + 64) this.#dropLeft()
    for (const rows of [this.#pending, this.#deletes, this.#changed, this.#unobserved, this.#related])
      rows?.delete(row)
    this.#touched?.delete(row)
    this.#readInTransaction?.delete(row)
    if (state.flushed) this.identity.delete(state.table, state.layout.keyOf(state.flushed), row)
    if (state.table.relationships.size > 0) leaveParents(state)
  }

  /** A row inserted by a transaction that was rolled back leaves the session, without its generated key. */
  forgetInserted(row: object): void {
    const { generatedKey } = this.get(row)!.table
    this.forget(row)
    if (generatedKey !== undefined) (row as Row)[generatedKey] = undefined
  }

  /** Every row leaves the session. */
  clear(): void {
    this.#members.rows = undefined
    this.#members = new Members(this)
    this.#listed = []
    this.#count = 0
    if (this.#known.size > 0) this.#known.clear()
    this.identity.clear()
    // Only those that hold rows: clearing an empty collection still allocates its table again.
    for (const rows of this.#collections()) if (rows !== undefined && rows.size > 0) rows.clear()
  }

  /** The sets made so far. */
  #collections(): (Set<object> | undefined)[] {
    return [
      this.#pending,
      this.#deletes,
      this.#changed,
      this.#unobserved,
      this.#related,
      this.#touched,
      this.#flushed,
      this.#readInTransaction,
    ]
  }
}

/** `rows` was made and holds a row. */
function holds(rows: Set<object> | undefined): boolean {
  return rows !== undefined && rows.size > 0
}

/**
 * The rows a Session holds between two clears, as their owner: a row is held while its state's owner is the
 * Session's current members. Writes reach the Session through it until it is cleared.
 */
class Members implements Owner {
  rows: TrackedRows | undefined

  constructor(rows: TrackedRows) {
    this.rows = rows
  }

  holds(state: RowState): boolean {
    return state.owner === this && this.rows !== undefined
  }

  written(state: RowState, key: string | symbol): void {
    this.rows?.written(state, key)
  }

  linked(state: RowState): void {
    this.rows?.linked(state)
  }
}

/**
 * A row that leaves the session is no longer one of the children its parents were given while their
 * collections were not loaded: the next flush would add it back.
 */
function leaveParents({ row, table }: RowState): void {
  for (const relationship of table.relationships.values()) {
    if (relationship.kind !== 'one') continue
    const parent = relationshipValue(row, relationship.name)
    if (parent) RowState.find(parent as object)?.appended?.delete(row)
  }
}
