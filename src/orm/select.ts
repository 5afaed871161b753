import { InvalidQueryError } from '../errors.ts'
import type { Condition, ConditionNode } from '../model/condition.ts'
import {
  Aggregate,
  Expression,
  type ArraySubquery,
  type OrderTerm,
  type ValueNode,
} from '../model/expression.ts'
import { Relationship } from '../model/relationship.ts'
import { TableModel } from '../model/table.ts'
import { joinOf, type Join } from './joins.ts'
import { checkPath, type LoadOption, type RelationshipPath } from './load-option.ts'
import type { CompiledSelect } from './query-statements.ts'
import type {
  ColumnOf,
  Entity,
  EntityName,
  ScalarOf,
  SelectItem,
  Selection,
  TablesIn,
} from './select-types.ts'

/**
 * The state of a {@link Select}; each builder call copies it.
 *
 * @example
 * select(Hero).where(Hero.c.age.lt(30)).limit(10).state   // { where: [ … ], orderBy: [], limit: 10, … }
 */
export interface SelectState {
  readonly where: readonly ConditionNode[]
  readonly orderBy: readonly OrderTerm[]
  readonly limit: number | PageParam | undefined
  readonly offset: number | PageParam | undefined
  /** Relationships to load with the rows, one more query each. */
  readonly options: readonly LoadOption[]
  /** The row lock the select takes, set by {@link Select.forUpdate}. */
  readonly lock: RowLock | undefined
  /** The joined tables, in order, each with its ON condition. */
  readonly joins: readonly Join[]
  /** Tables read without being selected (`select(count()).selectFrom(Hero)`). */
  readonly from: readonly Entity[]
  /** The enclosing query's tables a subquery refers to; they stay out of its FROM. */
  readonly correlated: readonly Entity[]
  readonly groupBy: readonly ValueNode[]
  readonly having: readonly ConditionNode[]
  readonly distinct: boolean
}

/**
 * A limit or offset given when the select runs: `limit(bindParam('limit'))`.
 *
 * @example
 * select(Hero).limit(bindParam('limit')).state.limit // { kind: 'page', name: 'limit', method: 'limit' }
 */
export interface PageParam {
  readonly kind: 'page'
  readonly name: string
  readonly method: 'limit' | 'offset'
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

/**
 * A select's row lock: `FOR UPDATE`, then `SKIP LOCKED` or `NOWAIT` when the other locks are not waited for.
 *
 * @example
 * select(Job).forUpdate({ skipLocked: true }).state.lock // { wait: 'skipLocked' }
 */
export interface RowLock {
  readonly wait: 'wait' | 'skipLocked' | 'noWait'
}

/**
 * The table names a select of one table model's rows may read before any join: its own. A condition on
 * another table's column does not compile.
 *
 * @example
 * select(Hero).where(Hero.c.age.lt(30)) // Condition<'hero'>, and TablesOf<typeof Hero> is 'hero'
 */
export type TablesOf<M extends TableModel> = M['tableName']

/**
 * What a builder call passes the constructor with a state it froze, lists included: the constructor keeps
 * that state rather than checking it (a query is built per request, a dozen calls each). Not exported, so
 * only this module can vouch for a state.
 */
const FROZEN: unique symbol = Symbol('frozen select state')

const EMPTY: SelectState = frozenState({
  where: [],
  orderBy: [],
  limit: undefined,
  offset: undefined,
  options: [],
  lock: undefined,
  joins: [],
  from: [],
  correlated: [],
  groupBy: [],
  having: [],
  distinct: false,
})

function frozen<T>(list: readonly T[]): readonly T[] {
  return Object.isFrozen(list) ? list : Object.freeze([...list])
}

/** A frozen copy of a state given from outside, its lists frozen copies too. */
function frozenState(state: SelectState): SelectState {
  return Object.freeze({
    ...state,
    where: frozen(state.where),
    orderBy: frozen(state.orderBy),
    options: frozen(state.options),
    joins: frozen(state.joins),
    from: frozen(state.from),
    correlated: frozen(state.correlated),
    groupBy: frozen(state.groupBy),
    having: frozen(state.having),
  })
}

/**
 * What an engine compiled `query` to, if it was the last to run it (see `query-statements.ts`).
 *
 * @example
 * compiledOf(query)?.owner === queries // compiled by these statements
 */
export let compiledOf: (query: AnySelect) => CompiledSelect | undefined

/**
 * Keeps what an engine compiled `query` to with it, in place of another engine's.
 *
 * @example
 * keepCompiled(query, { owner: queries, select: prepared, count: undefined })
 */
export let keepCompiled: (query: AnySelect, compiled: CompiledSelect) => void

/**
 * An immutable SELECT. Every method returns a new builder, so a base query can be shared and refined.
 * Run it with `session.exec(query)`. Its type parameters say what it selects (`S`), which tables its
 * conditions may read (`T`), which of them are left-joined (`N`, so their values may be null), and which
 * enclosing tables it refers to as a subquery (`C`); the results are typed from them.
 *
 * @example
 * const adults = select(Hero).where(Hero.c.age.gte(18)).orderBy(Hero.c.age).limit(10)
 * const heroes = await session.exec(adults).all()                        // Hero[]
 * const pairs = await session.exec(select(Hero, Team).join(Team)).all()   // [Hero, Team][]
 */
export class Select<
  S extends Selection = TableModel,
  T extends string = TablesIn<S>,
  N extends string = never,
  C extends string = never,
> {
  /** Type-only: the value of a one-item select, for `column.in(query)`. */
  declare readonly '~column': ColumnOf<S, N>
  /** Type-only: the enclosing tables this select refers to as a subquery. */
  declare readonly '~outer': C
  /** Type-only: the left-joined tables, whose values may be null in the results. */
  declare readonly '~nullable': N
  /** The table model of `select(Hero)`, or the items of `select(Hero, Team.c.name, …)`. */
  readonly selection: S
  readonly state: SelectState
  /**
   * What the engine that last ran it compiled it to, kept with it since a select never changes: a select
   * run again binds its values and nothing more. Only `query-statements.ts` reads and sets it, through
   * {@link compiledOf} and {@link keepCompiled}.
   */
  #compiled: CompiledSelect | undefined

  static {
    compiledOf = (query) => query.#compiled
    keepCompiled = (query, compiled) => {
      query.#compiled = compiled
    }
  }

  constructor(selection: S, state: SelectState = EMPTY, vouched?: typeof FROZEN) {
    this.selection = selection
    // Frozen, so a base query shared between requests cannot be changed through its state either. A
    // builder call hands over a state it froze, with its lists: it is kept, not copied again.
    this.state = vouched === FROZEN || state === EMPTY ? state : frozenState(state)
  }

  #with<T2 extends string = T, N2 extends string = N, C2 extends string = C>(
    change: Partial<SelectState>,
  ): Select<S, T2, N2, C2> {
    // The lists a builder call passes are new, and only it holds them.
    for (const value of Object.values(change)) if (Array.isArray(value)) Object.freeze(value)
    return new Select(this.selection, Object.freeze({ ...this.state, ...change }), FROZEN)
  }

  /** Keeps the rows where every condition holds. Repeated calls are ANDed, as in SQLModel. */
  where(...conditions: Condition<T>[]): Select<S, T, N, C> {
    return this.#with({ where: [...this.state.where, ...conditions.map((c) => c.node)] })
  }

  /**
   * Sorts by expressions (ascending) or by `expression.asc()` / `.desc()`, optionally `.nullsFirst()` or
   * `.nullsLast()`; later calls add tie-breakers.
   */
  orderBy(...terms: (Expression<T, unknown> | OrderTerm<T>)[]): Select<S, T, N, C> {
    const order = terms.map((term) => (term instanceof Expression ? term.asc() : term))
    return this.#with({ orderBy: [...this.state.orderBy, ...order] })
  }

  /**
   * `JOIN`: reads `target`'s rows that meet the ON condition with the rows read so far. Given a table model
   * or alias alone, the ON condition follows the one foreign key between it and the tables already read;
   * given a relationship (`Hero.rel.team`), it follows that relationship's. Where there is no foreign key,
   * or several, pass the condition.
   *
   * @example
   * select(Hero, Team).join(Team)                                   // ON hero.team_id = team.id
   * select(Hero, Team).join(Team, Hero.c.team_id.eq(Team.c.id))     // the same, said
   * select(Hero).join(Hero.rel.team).where(Team.c.name.eq('Preventers'))
   * @throws {InvalidQueryError} when no foreign key, or more than one, links `target` to the query.
   */
  join<J extends Entity>(target: J, on?: Condition<T | EntityName<J>>): Select<S, T | EntityName<J>, N, C>
  join<R extends string>(relationship: Relationship<T, R>): Select<S, T | R, N, C>
  join(target: Entity | Relationship, on?: Condition): Select<S, string, string, C> {
    return this.#join(target, on, 'inner')
  }

  /**
   * `LEFT OUTER JOIN` (SQLModel's `join(Team, isouter=True)`): every row read so far is kept, with `null`
   * for `target` where no row of it meets the ON condition, so a selected `Team` comes back as `Team | null`.
   * The ON condition is found as for {@link join}.
   *
   * @example
   * const rows = await session.exec(select(Hero, Team).leftJoin(Team)).all() // [Hero, Team | null][]
   */
  leftJoin<J extends Entity>(
    target: J,
    on?: Condition<T | EntityName<J>>,
  ): Select<S, T | EntityName<J>, N | EntityName<J>, C>
  leftJoin<R extends string>(relationship: Relationship<T, R>): Select<S, T | R, N | R, C>
  leftJoin(target: Entity | Relationship, on?: Condition): Select<S, string, string, C> {
    return this.#join(target, on, 'left')
  }

  #join(target: Entity | Relationship, on: Condition | undefined, kind: 'inner' | 'left') {
    const joins = joinOf(this.selection, this.state, target, on?.node, kind)
    return this.#with<string, string>({ joins: [...this.state.joins, ...joins] })
  }

  /**
   * Reads `table` too, without selecting its rows: the FROM of `select(count()).selectFrom(Hero)`.
   * Tables of the selected items are read already.
   */
  selectFrom<E extends Entity>(table: E): Select<S, T | EntityName<E>, N, C> {
    return this.#with({ from: [...this.state.from, table] })
  }

  /**
   * Marks the tables of an enclosing query this subquery refers to (SQLAlchemy's `correlate()`): their
   * columns may be used in its conditions, and they stay out of its FROM. Call it before the `where()`
   * that uses them, which is typed with the tables read so far.
   *
   * @example
   * const heroes = select(count()).selectFrom(Hero).correlate(Team).where(Hero.c.team_id.eq(Team.c.id))
   * select(Team.c.name, heroes.scalarSubquery().as('heroes'))
   */
  correlate<E extends Entity>(...tables: E[]): Select<S, T | EntityName<E>, N, C | EntityName<E>> {
    return this.#with({ correlated: [...this.state.correlated, ...tables] })
  }

  /** `GROUP BY`: one result row per distinct value of the expressions. */
  groupBy(...expressions: Expression<T, unknown>[]): Select<S, T, N, C> {
    return this.#with({ groupBy: [...this.state.groupBy, ...expressions.map((e) => e.node)] })
  }

  /** `HAVING`: keeps the groups where every condition holds (`having(count().gt(1))`). */
  having(...conditions: Condition<T>[]): Select<S, T, N, C> {
    return this.#with({ having: [...this.state.having, ...conditions.map((c) => c.node)] })
  }

  /** `SELECT DISTINCT`: each result row once. */
  distinct(): Select<S, T, N, C> {
    return this.#with({ distinct: true })
  }

  /**
   * Loads relationships with the rows: `select(Team).options(selectinload('heroes'))` runs one more query
   * for the heroes of all the teams. Reading a relationship that was not loaded throws instead of querying.
   * For a select of one table model's rows.
   */
  options<M extends TableModel>(
    this: Select<M, T, N, C>,
    ...loads: LoadOption<RelationshipPath<M>>[]
  ): Select<M, T, N, C> {
    for (const load of loads) checkPath(this.selection, load.path, 'select().options')
    return this.#with({ options: [...this.state.options, ...loads] })
  }

  /** At most `count` rows; a `bindParam()` gives the count when the select runs. */
  limit(count: number | Expression<never, number>): Select<S, T, N, C> {
    return this.#with({ limit: pageOf('limit', count) })
  }

  /** Skips the first `count` rows; a `bindParam()` gives the count when the select runs. */
  offset(count: number | Expression<never, number>): Select<S, T, N, C> {
    return this.#with({ offset: pageOf('offset', count) })
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
  forUpdate(options: LockOptions = {}): Select<S, T, N, C> {
    if (options.skipLocked && options.noWait) {
      throw new InvalidQueryError('select().forUpdate(): skipLocked and noWait exclude each other; pass one.')
    }
    const wait = options.skipLocked ? 'skipLocked' : options.noWait ? 'noWait' : 'wait'
    return this.#with({ lock: Object.freeze({ wait }) })
  }

  /**
   * This one-item select as a value (SQLAlchemy's `scalar_subquery()`): a column of another select, or a
   * side of a comparison. It is `null` where it finds no row, unless it selects an aggregate.
   *
   * @example
   * const heroes = select(count()).selectFrom(Hero).correlate(Team).where(Hero.c.team_id.eq(Team.c.id))
   * const rows = await session.exec(select(Team.c.name, heroes.scalarSubquery())).all() // [string, number][]
   */
  scalarSubquery(): Expression<C, ScalarOf<S, N>> {
    if (!this.isColumn) {
      throw new InvalidQueryError(
        'select(…).scalarSubquery(): a scalar subquery selects one column or expression, as select(count()) or select(Hero.c.name).',
      )
    }
    return new Expression({ kind: 'subquery', query: this, outer: this.state.correlated, array: false })
  }

  /**
   * This one-item select as one value per row of the enclosing select: the array of its item's values, in its
   * `orderBy()` order (in none without one), `[]` where it finds no row (never null). Paged with `limit()` /
   * `offset()`, it gives the values of that page. It is SQLAlchemy's `func.json_agg()` over a correlated
   * subquery, Kysely's `jsonArrayFrom()`: one statement reads each row with its list, where loading the lists
   * would take a second one. Each value is read as its column is: a datetime column gives `Date`s. Its
   * `orderBy()` is the aggregate's own ORDER BY. SQLite builds a temporary B-tree for it for each row of the
   * enclosing select, so a few values a row are cheaper sorted in JavaScript, where JavaScript's order (of
   * UTF-16 code units, not the database's collation) will do. MySQL 8's `JSON_ARRAYAGG` takes no ORDER BY and
   * no LIMIT, so it refuses an ordered or a paged one. MariaDB runs it, within its `max_allowed_packet` (16
   * MiB by default) per array. It is selected, labelled with `as()`, and nothing else: its JSON compares as
   * text on some databases and not at all on others, so filter and order inside it.
   *
   * @example
   * const tags = select(Tag.c.name)
   *   .join(ArticleTag)
   *   .correlate(Article)
   *   .where(ArticleTag.c.article_id.eq(Article.c.id))
   *   .orderBy(Tag.c.name)
   *   .arraySubquery()
   * const rows = await session.exec(select(Article, tags.as('tags'))).all() // [Article, string[]][]
   * @throws {InvalidQueryError} for a select of rows, of several items or of an aggregate; with groupBy(),
   * having(), distinct() or forUpdate().
   */
  arraySubquery(): ArraySubquery<C, ColumnOf<S, N>[]> {
    if (!this.isColumn) {
      throw new InvalidQueryError(
        'select(…).arraySubquery(): an array subquery selects one column or expression, as select(Tag.c.name). For the rows of a table, load them with selectinload() or read them with a join.',
      )
    }
    const { groupBy, having, distinct, lock } = this.state
    const [item] = this.selection as readonly [Expression] // isColumn says so
    if (item.node.kind === 'aggregate') {
      throw new InvalidQueryError(
        'select(…).arraySubquery(): an aggregate such as count() gives one value, not one per row: use scalarSubquery().',
      )
    }
    if (groupBy.length > 0 || having.length > 0 || distinct || lock !== undefined) {
      throw new InvalidQueryError(
        'select(…).arraySubquery(): an array subquery gathers the rows it reads into one array, so it takes no groupBy(), having(), distinct() or forUpdate(). Group in the enclosing query instead.',
      )
    }
    const array = new Aggregate({ kind: 'subquery', query: this, outer: this.state.correlated, array: true })
    // Its comparisons are typed `never`, and throw from JavaScript (`refuseArray`).
    return array as ArraySubquery<C, ColumnOf<S, N>[]>
  }

  /** It selects one column or expression, so it can be a value: a scalar subquery, an `IN` list. */
  get isColumn(): boolean {
    const { selection } = this
    return !(selection instanceof TableModel) && selection.length === 1 && selection[0] instanceof Expression
  }
}

function pageOf(method: 'limit' | 'offset', count: number | Expression<never, number>): number | PageParam {
  if (!(count instanceof Expression)) return nonNegativeInteger(method, count)
  if (count.node.kind === 'param') return Object.freeze({ kind: 'page', name: count.node.name, method })
  throw new InvalidQueryError(`select().${method}(…): expected a whole number >= 0 or a bindParam(…).`)
}

/** A limit or an offset a select takes: a whole number >= 0. */
export function isPageNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}

function nonNegativeInteger(method: string, value: number): number {
  if (!isPageNumber(value)) {
    throw new InvalidQueryError(
      `select().${method}(${value}): expected a whole number >= 0.`,
      `${method} must be a whole number >= 0`,
    )
  }
  return value
}

/**
 * Any select, whatever it selects and reads: what the parts that compile and run selects take. Its
 * selection is `any` so that a caller that has checked `selection instanceof TableModel` can hand it on as
 * a select of rows (TypeScript narrows the property, not the query).
 *
 * @example
 * function describe(query: AnySelect) { return query.state.joins.length }
 */
export type AnySelect = Select<any, string, string, string>

/**
 * Starts a SELECT (SQLModel's `select()`): of a table model's rows, held by the Session; of several table
 * models or aliases, as tuples of rows (`select(Hero, Team)`); of columns and expressions, as their values
 * (`select(Hero.c.name)` gives strings, `select(Hero.c.name, Hero.c.age)` pairs).
 *
 * @example
 * const young = await session.exec(select(Hero).where(Hero.c.age.lt(30))).all()            // Hero[]
 * const pairs = await session.exec(select(Hero, Team).where(Hero.c.team_id.eq(Team.c.id))).all() // [Hero, Team][]
 * const names = await session.exec(select(Hero.c.name)).all()                                // string[]
 * @throws {InvalidQueryError} for no item, or a `bindParam()` as an item.
 */
export function select<M extends TableModel>(model: M): Select<M>
export function select<const S extends readonly [SelectItem, ...SelectItem[]]>(...items: S): Select<S>
export function select(...items: SelectItem[]): Select<Selection, string> {
  if (items.length === 0) {
    throw new InvalidQueryError('select(): say what to select: a table model, columns or expressions.')
  }
  if (items.length === 1 && items[0] instanceof TableModel) return new Select(items[0])
  for (const item of items) if (item instanceof Expression) refuseParamItem(item.node)
  return new Select(Object.freeze(items))
}

/**
 * A bind parameter is not a selected item, nor an aggregate's argument in one: its SQL type would be the
 * database's guess, not the one its TypeScript type says (PostgreSQL reads `$1` back as text).
 */
function refuseParamItem(node: ValueNode): void {
  if (node.kind === 'aggregate' && node.argument) return refuseParamItem(node.argument)
  if (node.kind !== 'param') return
  throw new InvalidQueryError(
    `select(…, bindParam(${JSON.stringify(node.name)})): a bind parameter cannot be a selected item, whose type the database would guess (PostgreSQL reads it back as text). Compare with it in where(), or add the value to the rows in code.`,
  )
}

/** The items a select reads, one for a select of a table model's rows. */
export function itemsOf(query: Select<Selection, string, string, string>): readonly SelectItem[] {
  return query.selection instanceof TableModel ? [query.selection] : query.selection
}
