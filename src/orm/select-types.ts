/**
 * The types a select's results take from what it selects: a table model gives its rows, a column its
 * values, an aggregate its number, a left-joined table `| null`. Type-only, so users never write a generic.
 */
import type { AliasedTable } from '../model/alias.ts'
import type { Aggregate, Expression, Labelled } from '../model/expression.ts'
import type { TableModel } from '../model/table.ts'

/**
 * What a query reads rows from: a table model, or a table model under an alias.
 *
 * @example
 * const entities: Entity[] = [Hero, alias(Hero, 'mentor')]
 */
export type Entity = TableModel | AliasedTable

/**
 * What `select(…)` takes: table models and aliases (whole rows), columns, and other expressions.
 *
 * @example
 * select(Hero, Team.c.name, count().as('n')) // three items
 */
export type SelectItem = Entity | Expression<string, unknown>

/**
 * A select of one table model's rows (`select(Hero)`), or of a list of items (`select(Hero, Team)`).
 *
 * @example
 * const rows: Selection = Hero
 * const pairs: Selection = [Hero, Team]
 */
export type Selection = TableModel | readonly SelectItem[]

/**
 * The name a table model or alias goes by in a query: `'hero'` for `Hero`, `'manager'` for an alias.
 *
 * @example
 * type Name = EntityName<typeof Hero> // 'hero'
 */
export type EntityName<E> =
  E extends AliasedTable<TableModel, infer A> ? A : E extends TableModel ? E['tableName'] : never

type ItemTables<I> = I extends Expression<infer U, unknown> ? U : EntityName<I>

/**
 * The tables a selection reads: what its conditions may refer to before any join.
 *
 * @example
 * type Read = TablesIn<[typeof Hero, typeof Team]> // 'hero' | 'team'
 */
export type TablesIn<S> = S extends TableModel
  ? S['tableName']
  : S extends readonly (infer I)[]
    ? ItemTables<I>
    : never

/** `V`, or `V | null` when `Name` is one of the left-joined tables `N`. */
type OrNull<V, Name extends string, N extends string> = [Name & N] extends [never] ? V : V | null

/**
 * The value one selected item gives in a result row, `N` being the left-joined tables.
 *
 * @example
 * type Name = ItemValue<typeof Team.c.name, 'team'> // string | null: team is left-joined
 */
export type ItemValue<I, N extends string> =
  I extends Labelled<string, unknown, string>
    ? ItemValue<I['expression'], N>
    : I extends Aggregate<string, infer V>
      ? V
      : I extends Expression<infer U, infer V>
        ? OrNull<V, U, N>
        : I extends AliasedTable<infer M, infer A>
          ? OrNull<M['Type'], A, N>
          : I extends TableModel
            ? OrNull<I['Type'], I['tableName'], N>
            : never

/**
 * One result row of a select: a row of the model for `select(Hero)`, the value itself for one item,
 * a tuple for several (`[Hero, Team | null]`).
 *
 * @example
 * type Pair = ResultOf<[typeof Hero, typeof Team], 'team'> // [Hero, Team | null]
 */
export type ResultOf<S, N extends string = never> = S extends TableModel
  ? S['Type']
  : S extends readonly [infer Only]
    ? ItemValue<Only, N>
    : { -readonly [K in keyof S]: ItemValue<S[K], N> }

/**
 * The value of a one-item select used as a subquery; for any other select, a type no column's value
 * matches, so `column.in(select(Hero))` does not compile.
 *
 * @example
 * type Ids = ColumnOf<[typeof Team.c.id]> // number
 */
export type ColumnOf<S, N extends string = never> = S extends readonly [infer Only]
  ? Only extends Expression
    ? ItemValue<Only, N>
    : NotOneColumn
  : NotOneColumn

/** What a select of rows, or of several items, is as a value: nothing a column can be compared with. */
interface NotOneColumn {
  readonly '~error': 'a select used as a value selects one column or expression'
}

/**
 * The value of a one-item select as a scalar subquery: `null` when it finds no row, except for an
 * aggregate, which always has one.
 *
 * @example
 * type Heroes = ScalarOf<[ReturnType<typeof count>]> // number
 */
export type ScalarOf<S, N extends string = never> = S extends readonly [infer Only]
  ? IsAggregate<Only> extends true
    ? ColumnOf<S, N>
    : ColumnOf<S, N> | null
  : never

type IsAggregate<I> =
  I extends Labelled<string, unknown, string>
    ? IsAggregate<I['expression']>
    : I extends Aggregate<string, unknown>
      ? true
      : false
