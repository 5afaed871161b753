import { InvalidQueryError } from '../errors.ts'
import type { Column, Condition, ConditionNode, OrderTerm } from '../model/column.ts'
import type { Relationship } from '../model/relationship.ts'
import type { TableModel } from '../model/table.ts'

/**
 * The state of a {@link Select}; each builder call copies it.
 *
 * @example
 * select(Hero).where(Hero.c.age.lt(30)).limit(10).state   // { where: [ … ], orderBy: [], limit: 10, … }
 */
export interface SelectState {
  readonly where: readonly ConditionNode[]
  readonly orderBy: readonly OrderTerm[]
  readonly limit: number | undefined
  readonly offset: number | undefined
  /** Relationships to load with the rows, one more query each. */
  readonly options: readonly LoadOption[]
  /** The row lock the select takes, set by {@link Select.forUpdate}. */
  readonly lock: RowLock | undefined
}

/**
 * What {@link Select.forUpdate} does when a row is locked by another transaction: wait for it (the
 * default), skip it (`skipLocked`, for work queues), or fail at once (`noWait`, a `LockNotAvailableError`).
 * The two options exclude each other, so passing both does not compile.
 *
 * @example
 * select(Job).where(Job.c.done.eq(false)).limit(10).forUpdate({ skipLocked: true })
 */
export type LockOptions =
  | { readonly skipLocked?: boolean; readonly noWait?: never }
  | { readonly noWait?: boolean; readonly skipLocked?: never }

/** A select's row lock: `FOR UPDATE`, then `SKIP LOCKED` or `NOWAIT` when the other locks are not waited for. */
export interface RowLock {
  readonly wait: 'wait' | 'skipLocked' | 'noWait'
}

/** The names of the relationships of table model `M`: `'team'` for `Hero`. */
export type RelationshipNames<M extends TableModel> = keyof M['~relationships'] & string

/**
 * A relationship to load with a query's rows. Build it with {@link selectinload}; `K` is its name, so a
 * name the table does not declare does not compile.
 */
export class LoadOption<K extends string = string> {
  readonly relationship: K
  readonly strategy: 'selectin'

  constructor(relationship: K) {
    this.relationship = relationship
    this.strategy = 'selectin'
    Object.freeze(this)
  }
}

/**
 * Loads a relationship of the selected rows with one more query for all of them (SQLAlchemy's
 * `selectinload`): `WHERE team_id IN (…)` for a collection, `WHERE id IN (…)` for a many-to-one. Never one
 * query per row.
 *
 * @example
 * const teams = await session.exec(select(Team).options(selectinload('heroes'))).all()
 * teams[0].heroes // Hero[], loaded: two queries in all
 * const hero = await session.get(Hero, 1, { options: [selectinload('team')] })
 */
export function selectinload<const K extends string>(relationship: K): LoadOption<K> {
  return new LoadOption(relationship)
}

/**
 * The table names a select's conditions may read: its table model's. A condition on another table's column
 * does not compile.
 *
 * @example
 * select(Hero).where(Hero.c.age.lt(30)) // Condition<'hero'>, and TablesOf<typeof Hero> is 'hero'
 */
export type TablesOf<M extends TableModel> = M['tableName']

const EMPTY: SelectState = {
  where: [],
  orderBy: [],
  limit: undefined,
  offset: undefined,
  options: [],
  lock: undefined,
}

function frozen<T>(list: readonly T[]): readonly T[] {
  return Object.isFrozen(list) ? list : Object.freeze([...list])
}

/**
 * An immutable SELECT of the rows of one table model. Every method returns a new builder, so a base query
 * can be shared and refined. Run it with `session.exec(query)`.
 *
 * @example
 * const adults = select(Hero).where(Hero.c.age.gte(18)).orderBy(Hero.c.age).limit(10)
 * const heroes = await session.exec(adults).all()
 */
export class Select<M extends TableModel = TableModel> {
  readonly model: M
  readonly state: SelectState

  constructor(model: M, state: SelectState = EMPTY) {
    this.model = model
    // Frozen, so a base query shared between requests cannot be changed through its state either. A
    // builder call passes the lists it did not change, already frozen: they are kept, not copied again.
    this.state = Object.freeze({
      ...state,
      where: frozen(state.where),
      orderBy: frozen(state.orderBy),
      options: frozen(state.options),
    })
  }

  /** Keeps the rows where every condition holds. Repeated calls are ANDed, as in SQLModel. */
  where(...conditions: Condition<TablesOf<M>>[]): Select<M> {
    return new Select(this.model, {
      ...this.state,
      where: [...this.state.where, ...conditions.map((c) => c.node)],
    })
  }

  /** Sorts by columns (ascending) or by `column.asc()` / `column.desc()`; later calls add tie-breakers. */
  orderBy(...terms: (Column<TablesOf<M>, unknown> | OrderTerm<TablesOf<M>>)[]): Select<M> {
    const order = terms.map((term) => ('direction' in term ? term : term.asc()))
    return new Select(this.model, { ...this.state, orderBy: [...this.state.orderBy, ...order] })
  }

  /**
   * Loads relationships with the rows: `select(Team).options(selectinload('heroes'))` runs one more query
   * for the heroes of all the teams. Reading a relationship that was not loaded throws instead of querying.
   */
  options(...loads: LoadOption<RelationshipNames<M>>[]): Select<M> {
    for (const load of loads) relationshipOf(this.model, load.relationship, 'select().options')
    return new Select(this.model, { ...this.state, options: [...this.state.options, ...loads] })
  }

  /** At most `count` rows. */
  limit(count: number): Select<M> {
    return new Select(this.model, { ...this.state, limit: nonNegativeInteger('limit', count) })
  }

  /** Skips the first `count` rows. */
  offset(count: number): Select<M> {
    return new Select(this.model, { ...this.state, offset: nonNegativeInteger('offset', count) })
  }

  /**
   * Locks the selected rows until the Session's transaction ends (`SELECT … FOR UPDATE`, SQLAlchemy's
   * `with_for_update()`): another transaction that locks or writes them waits, or with `noWait` fails.
   * Running it begins the Session's transaction when none is open, so the lock is held until `commit()`
   * or `rollback()`. SQLite has no row locks: the clause is left out there, and the transaction it begins
   * (`BEGIN IMMEDIATE`) already keeps every other writer out until it ends.
   *
   * @example
   * const hero = await session.exec(select(Hero).where(Hero.c.id.eq(1)).forUpdate()).one()
   * hero.age = (hero.age ?? 0) + 1 // no other transaction changes the row between the read and the write
   * await session.commit()
   * // A work queue: each worker takes rows no other worker holds.
   * const jobs = await session.exec(select(Job).limit(10).forUpdate({ skipLocked: true })).all()
   */
  forUpdate(options: LockOptions = {}): Select<M> {
    if (options.skipLocked && options.noWait) {
      throw new InvalidQueryError('select().forUpdate(): skipLocked and noWait exclude each other; pass one.')
    }
    const wait = options.skipLocked ? 'skipLocked' : options.noWait ? 'noWait' : 'wait'
    return new Select(this.model, { ...this.state, lock: Object.freeze({ wait }) })
  }
}

/** The relationship `name` of `model`, or a clear error naming what it has. */
export function relationshipOf(model: TableModel, name: string, method: string): Relationship {
  const relationship = model.relationships.get(name)
  if (!relationship) {
    const known = [...model.relationships.keys()]
    throw new InvalidQueryError(
      `${method}(): ${model.name} has no relationship '${name}'. ${known.length === 0 ? `Declare one with relationships({ … }, ({ one, many }) => ({ … })).` : `Its relationships are: ${known.join(', ')}.`}`,
    )
  }
  return relationship
}

function nonNegativeInteger(method: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidQueryError(
      `select().${method}(${value}): expected a whole number >= 0.`,
      `${method} must be a whole number >= 0`,
    )
  }
  return value
}

/**
 * Starts a SELECT of a table model's rows (SQLModel's `select(Hero)`).
 *
 * @example
 * const young = await session.exec(select(Hero).where(Hero.c.age.lt(30))).all()
 */
export function select<M extends TableModel>(model: M): Select<M> {
  return new Select(model)
}
