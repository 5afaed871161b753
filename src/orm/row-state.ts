import type { Relationship } from '../model/relationship.ts'
import { isObserved, observerOf, setObserver, type RowObserver } from '../model/row.ts'
import type { TableModel } from '../model/table.ts'
import { layoutOf, type Snapshot, type SnapshotLayout } from './snapshot.ts'

/**
 * The Session that holds a row, as its {@link RowState} sees it: whether it holds the row still, and what
 * it does with the writes the state observes.
 */
export interface Owner {
  holds(state: RowState): boolean
  written(state: RowState, key: string | symbol): void
  linked(state: RowState): void
}

/**
 * What the ORM knows of one row, kept on the row as the observer of its writes, so it follows the row
 * from one Session to the next (a Session per request): the Session that holds it, its values as the
 * database last saw and committed them, and what its relationships held at the last load or flush.
 *
 * @example
 * const state = RowState.of(hero, Hero)
 * state.committed // undefined: never loaded or committed
 */
export class RowState implements RowObserver {
  /** The row: the object users hold. */
  readonly row: object
  readonly table: TableModel
  readonly layout: SnapshotLayout
  /** Every write to the row reaches this state: its fields change only in place (a date, JSON) unseen. */
  readonly observed: boolean
  /** Every write to the row reaches this state, and none of its fields changes in place (a date, JSON). */
  readonly seesWrites: boolean
  /**
   * The Session that held the row last; it holds it still while `owner.holds(this)`. A Session that lets
   * go of all its rows at once (closing, `expunge_all`) does not visit each.
   */
  owner: Owner | undefined = undefined
  /** The tracked rows whose list of held rows has this one: listed once, however often it comes back. */
  listedIn: object | undefined = undefined
  state: 'pending' | 'persistent' | 'deleted' = 'pending'
  /** As of the last load or flush: what dirty checking compares against. */
  flushed: Snapshot | undefined = undefined
  /** As of the last commit or load: what a rollback restores, and what the next Session starts from. */
  committed: Snapshot | undefined = undefined
  /** How many writes reached it: a flush tells a write made after it listed the row's changes. */
  writes = 0
  /** {@link writes} when a flush last listed the row's changes. */
  writesListed = 0
  /** Its deletion was committed: the row cannot be added again. */
  deletedForGood = false
  insertedInTransaction = false
  /** What each relationship held at the last load or flush, by name, where it differs from unloaded. */
  #flushedRelationships: Map<string, unknown> | undefined = undefined
  /**
   * Children given this row as their parent while its collection was not loaded, since the last flush:
   * the collection's name, by child.
   */
  appended: Map<object, string> | undefined = undefined

  private constructor(row: object, table: TableModel, observed: boolean, layout = layoutOf(table)) {
    this.row = row
    this.table = table
    this.layout = layout
    this.observed = observed
    this.seesWrites = observed && this.layout.plain
  }

  /** The state of `row`, a row of `table`, made and set on the row on first use. */
  static of(row: object, table: TableModel): RowState {
    const known = RowState.find(row)
    if (known) return known
    const state = new RowState(row, table, isObserved(row))
    setObserver(row, state)
    return state
  }

  /** A new state for `row`, an observed row over `values`, set on `values`. */
  static attach(row: object, values: object, table: TableModel, layout: SnapshotLayout): RowState {
    const state = new RowState(row, table, true, layout)
    setObserver(values, state)
    return state
  }

  /** The state of `row`, when the ORM has one. */
  static find(row: object): RowState | undefined {
    const observer = observerOf(row)
    return observer instanceof RowState ? observer : undefined
  }

  assigned(key: string | symbol): void {
    this.writes++
    this.owner?.written(this, key)
  }

  linked(name: string, child: object): void {
    ;(this.appended ??= new Map()).set(child, name)
    this.owner?.linked(this)
  }

  /**
   * What `relationship` held at the last load or flush: a collection never loaded held nothing, and a
   * many-to-one never loaded is {@link NOT_LOADED}.
   */
  flushedValue(relationship: Relationship): unknown {
    const { name, kind } = relationship
    if (this.#flushedRelationships?.has(name)) return this.#flushedRelationships.get(name)
    return kind === 'many' ? EMPTY : NOT_LOADED
  }

  /** What `name` holds now is what the database has: collections are copied, as they change in place. */
  setFlushedValue(name: string, value: unknown): void {
    ;(this.#flushedRelationships ??= new Map()).set(name, Array.isArray(value) ? [...value] : value)
  }

  /** Forgets what the relationships held: they are not loaded any more. */
  forgetFlushedValues(): void {
    this.#flushedRelationships = undefined
  }
}

/** The flushed value of a many-to-one that was assigned before it was ever loaded. */
const NOT_LOADED: unique symbol = Symbol('not loaded')

const EMPTY: readonly object[] = Object.freeze([])
