/**
 * SQL's aggregate functions and `EXISTS`, as typed expressions: `count()` is a number, `max(Hero.c.age)`
 * a `number | null`, `exists(select(…))` a condition.
 */
import { Condition } from '../model/condition.ts'
import { Aggregate, type Expression } from '../model/expression.ts'
import type { Selection } from './select-types.ts'
import type { Select } from './select.ts'

/**
 * `count(*)`, or `count(expression)`: the rows where it is not null. Always a number, 0 for no row.
 *
 * @example
 * select(Team.c.name, count(Hero.c.id).as('heroes')).leftJoin(Hero).groupBy(Team.c.name)
 * const [total] = await session.exec(select(count()).selectFrom(Hero)).all()
 */
export function count(): Aggregate<never, number>
export function count<T extends string>(expression: Expression<T, unknown>): Aggregate<T, number>
export function count(expression?: Expression): Aggregate<string, number> {
  return new Aggregate({ kind: 'aggregate', fn: 'count', argument: expression?.node, distinct: false })
}

/**
 * `count(DISTINCT expression)`: how many different non-null values it takes.
 *
 * @example
 * select(countDistinct(Hero.c.team_id)) // how many teams have a hero
 */
export function countDistinct<T extends string>(expression: Expression<T, unknown>): Aggregate<T, number> {
  return new Aggregate({ kind: 'aggregate', fn: 'count', argument: expression.node, distinct: true })
}

/**
 * `sum(expression)`: `null` when there is no row to add (SQL's answer, as SQLAlchemy's). PostgreSQL's and
 * MySQL's exact sums are read as numbers.
 *
 * @example
 * select(Team.c.name, sum(Hero.c.age)).join(Hero).groupBy(Team.c.name) // [string, number | null][]
 */
export function sum<T extends string>(expression: Expression<T, number | null>): Aggregate<T, number | null> {
  return new Aggregate({ kind: 'aggregate', fn: 'sum', argument: expression.node, distinct: false })
}

/**
 * `avg(expression)`: `null` when there is no row.
 *
 * @example
 * select(avg(Hero.c.age)).selectFrom(Hero)
 */
export function avg<T extends string>(expression: Expression<T, number | null>): Aggregate<T, number | null> {
  return new Aggregate({ kind: 'aggregate', fn: 'avg', argument: expression.node, distinct: false })
}

/** The values `min` and `max` take on every dialect: PostgreSQL has no `min(boolean)` nor `max(jsonb)`. */
type Ordered = number | string | Date | bigint | null

/**
 * `min(expression)`: the smallest value, of the expression's type; `null` when there is no row.
 *
 * @example
 * select(min(Hero.c.age)).selectFrom(Hero) // number | null
 */
export function min<T extends string, V extends Ordered>(
  expression: Expression<T, V>,
): Aggregate<T, NonNullable<V> | null> {
  return new Aggregate({ kind: 'aggregate', fn: 'min', argument: expression.node, distinct: false })
}

/**
 * `max(expression)`: the largest value, of the expression's type; `null` when there is no row.
 *
 * @example
 * select(max(Hero.c.age)).selectFrom(Hero) // number | null
 */
export function max<T extends string, V extends Ordered>(
  expression: Expression<T, V>,
): Aggregate<T, NonNullable<V> | null> {
  return new Aggregate({ kind: 'aggregate', fn: 'max', argument: expression.node, distinct: false })
}

/**
 * `EXISTS (subquery)`: the subquery finds a row. A subquery that refers to the enclosing query's tables
 * names them with `correlate()`, and the condition then belongs to a query that reads them.
 *
 * @example
 * const hasHeroes = exists(select(Hero).correlate(Team).where(Hero.c.team_id.eq(Team.c.id)))
 * const teams = await session.exec(select(Team).where(hasHeroes)).all()
 * const empty = await session.exec(select(Team).where(not(hasHeroes))).all()
 */
export function exists<C extends string>(query: Select<Selection, string, string, C>): Condition<C> {
  return new Condition({ kind: 'exists', query })
}
