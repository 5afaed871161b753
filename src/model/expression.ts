/**
 * SQL expressions as plain data: columns, bound values, aggregates and subqueries, and the conditions and
 * orderings built from them (`Hero.c.age.lt(30)`, `count().gt(2)`). This layer knows no SQL text; the ORM
 * compiles the trees with Kysely. `T` in every class tracks which tables an expression reads, so a query
 * refuses, at compile time, a column of a table it does not read.
 */
import { InvalidQueryError } from '../errors.ts'
import type { AliasedTable } from './alias.ts'
import type { AnyField } from './field.ts'
import type { TableModel } from './table.ts'

/**
 * The SQL comparison of a condition.
 *
 * @example
 * Hero.c.age.lt(30) // a condition whose node has op: '<'
 */
export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>='

/**
 * The aggregate functions: `count`, `sum`, `avg`, `min`, `max`.
 *
 * @example
 * count(Hero.c.id).node // { kind: 'aggregate', fn: 'count', … }
 */
export type AggregateFunction = 'count' | 'sum' | 'avg' | 'min' | 'max'

/**
 * What the SQL layer needs to know about a column: the name its table goes by in the query (the table's
 * name, or an alias's), its own name, its field, and the table or alias it belongs to.
 *
 * @example
 * const { table, name } = Hero.c.age // 'hero', 'age'
 */
export interface ColumnInfo {
  readonly table: string
  readonly name: string
  readonly field: AnyField
  readonly source: TableModel | AliasedTable
}

/**
 * The value tree. A subquery is the ORM's `Select`, held as an object this layer does not look into.
 *
 * @example
 * Hero.c.age.node // { kind: 'column', column: Hero.c.age }
 */
export type ValueNode =
  | { readonly kind: 'column'; readonly column: ColumnInfo }
  | { readonly kind: 'value'; readonly value: unknown; readonly field: AnyField | undefined }
  | {
      readonly kind: 'aggregate'
      readonly fn: AggregateFunction
      readonly argument: ValueNode | undefined
      readonly distinct: boolean
    }
  | { readonly kind: 'subquery'; readonly query: object }

/**
 * The condition tree. `T` in {@link Condition} tracks which tables it reads.
 *
 * @example
 * Hero.c.age.lt(30).node // { kind: 'compare', left: { kind: 'column', … }, op: '<', right: { kind: 'value', value: 30, … } }
 */
export type ConditionNode =
  | {
      readonly kind: 'compare'
      readonly left: ValueNode
      readonly op: ComparisonOperator
      readonly right: ValueNode
    }
  | {
      readonly kind: 'in'
      readonly left: ValueNode
      readonly values: readonly unknown[]
      readonly negated: boolean
    }
  | { readonly kind: 'inQuery'; readonly left: ValueNode; readonly query: object; readonly negated: boolean }
  | { readonly kind: 'null'; readonly operand: ValueNode; readonly negated: boolean }
  | {
      readonly kind: 'like'
      readonly column: ColumnInfo
      readonly text: string
      readonly match: 'contains' | 'startsWith' | 'endsWith'
    }
  | { readonly kind: 'and' | 'or'; readonly items: readonly ConditionNode[] }
  | { readonly kind: 'not'; readonly item: ConditionNode }
  | { readonly kind: 'exists'; readonly query: object }
  | { readonly kind: 'related'; readonly relationship: object; readonly condition: ConditionNode | undefined }

/**
 * A boolean SQL condition over the tables named by `T`. Pass it to `where()`, `having()` or a join's ON.
 *
 * @example
 * const young: Condition<'hero'> = Hero.c.age.lt(30)
 */
export class Condition<T extends string = string> {
  declare readonly '~tables': T
  readonly node: ConditionNode

  constructor(node: ConditionNode) {
    this.node = node
  }
}

/**
 * A one-column select used as a value: the list of `column.in(query)`, or a scalar subquery. `U` is the
 * outer tables it refers to (`correlate()`), `V` its column's value. The ORM's `Select` has this shape.
 *
 * @example
 * Hero.c.team_id.in(select(Team.c.id).where(Team.c.name.eq('Preventers')))
 */
export interface ColumnQuery<U extends string, V> {
  readonly '~column': V
  readonly '~outer': U
}

/**
 * An ordering term: an expression, a direction, and where nulls go (the database's default when not said).
 *
 * @example
 * select(Hero).orderBy(Hero.c.age.desc().nullsLast())
 */
export class OrderTerm<T extends string = string> {
  declare readonly '~tables': T
  readonly expression: ValueNode
  readonly direction: 'asc' | 'desc'
  readonly nulls: 'first' | 'last' | undefined

  constructor(expression: ValueNode, direction: 'asc' | 'desc', nulls?: 'first' | 'last') {
    this.expression = expression
    this.direction = direction
    this.nulls = nulls
  }

  /** Nulls before every value (`NULLS FIRST`; emulated on MySQL, which lacks the clause). */
  nullsFirst(): OrderTerm<T> {
    return new OrderTerm(this.expression, this.direction, 'first')
  }

  /** Nulls after every value (`NULLS LAST`; emulated on MySQL, which lacks the clause). */
  nullsLast(): OrderTerm<T> {
    return new OrderTerm(this.expression, this.direction, 'last')
  }
}

/**
 * The field whose encoding a value compared with `node` takes (a JSON column's values are bound as text):
 * a column's, an aggregate's argument's.
 *
 * @example
 * encodingFieldOf(Hero.c.age.node) // Hero's age field
 */
export function encodingFieldOf(node: ValueNode): AnyField | undefined {
  if (node.kind === 'column') return node.column.field
  if (node.kind === 'aggregate' && node.fn !== 'count' && node.argument) return encodingFieldOf(node.argument)
  return undefined
}

/**
 * A typed SQL expression over tables `T` with values of type `V`: a column, an aggregate, a scalar
 * subquery. Comparisons accept a value of type `V` or another expression of that type, so
 * `Hero.c.age.lt('30')` and `Hero.c.name.eq(Team.c.id)` do not compile.
 *
 * @example
 * select(Team.c.name, count(Hero.c.id).as('heroes')).join(Hero).groupBy(Team.c.name).having(count(Hero.c.id).gt(1))
 */
export class Expression<T extends string = string, V = unknown> {
  declare readonly '~tables': T
  declare readonly '~value': V
  readonly node: ValueNode

  constructor(node: ValueNode) {
    this.node = node
  }

  #compare<C extends string>(op: ComparisonOperator, other: unknown): Condition<C> {
    const right: ValueNode =
      other instanceof Expression
        ? other.node
        : { kind: 'value', value: other, field: encodingFieldOf(this.node) }
    return new Condition({ kind: 'compare', left: this.node, op, right })
  }

  /** `= value`, or `= other` for another expression; `eq(null)` is `IS NULL`, as `== None` is in SQLAlchemy. */
  eq<U extends string = never>(other: V | Expression<U, NonNullable<V> | null>): Condition<T | U> {
    return other === null ? this.isNull() : this.#compare('=', other)
  }
  /** `<> value`; `ne(null)` is `IS NOT NULL`. */
  ne<U extends string = never>(other: V | Expression<U, NonNullable<V> | null>): Condition<T | U> {
    return other === null ? this.isNotNull() : this.#compare('<>', other)
  }
  lt<U extends string = never>(
    other: NonNullable<V> | Expression<U, NonNullable<V> | null>,
  ): Condition<T | U> {
    return this.#compare('<', other)
  }
  lte<U extends string = never>(
    other: NonNullable<V> | Expression<U, NonNullable<V> | null>,
  ): Condition<T | U> {
    return this.#compare('<=', other)
  }
  gt<U extends string = never>(
    other: NonNullable<V> | Expression<U, NonNullable<V> | null>,
  ): Condition<T | U> {
    return this.#compare('>', other)
  }
  gte<U extends string = never>(
    other: NonNullable<V> | Expression<U, NonNullable<V> | null>,
  ): Condition<T | U> {
    return this.#compare('>=', other)
  }

  /**
   * `IN (…)`: a list of values (an empty one matches no row), or a one-column select of the same type.
   *
   * @example
   * Hero.c.id.in([1, 2, 3])
   * Hero.c.team_id.in(select(Team.c.id).where(Team.c.headquarters.eq('Sharp Tower')))
   */
  in(values: readonly NonNullable<V>[]): Condition<T>
  in<U extends string>(query: ColumnQuery<U, NonNullable<V> | null>): Condition<T | U>
  in(list: readonly unknown[] | object): Condition<string> {
    return this.#in(list, false)
  }
  /** `NOT IN (…)`: a list of values (an empty one matches every row), or a one-column select. */
  notIn(values: readonly NonNullable<V>[]): Condition<T>
  notIn<U extends string>(query: ColumnQuery<U, NonNullable<V> | null>): Condition<T | U>
  notIn(list: readonly unknown[] | object): Condition<string> {
    return this.#in(list, true)
  }

  #in<C extends string>(list: readonly unknown[] | object, negated: boolean): Condition<C> {
    if (Array.isArray(list)) return new Condition({ kind: 'in', left: this.node, values: list, negated })
    return new Condition({ kind: 'inQuery', left: this.node, query: list, negated })
  }

  isNull(): Condition<T> {
    return new Condition({ kind: 'null', operand: this.node, negated: false })
  }
  isNotNull(): Condition<T> {
    return new Condition({ kind: 'null', operand: this.node, negated: true })
  }
  asc(): OrderTerm<T> {
    return new OrderTerm(this.node, 'asc')
  }
  desc(): OrderTerm<T> {
    return new OrderTerm(this.node, 'desc')
  }

  /**
   * Names the expression in the query's columns (`count(*) AS n`). The label is how `.mappings()` keys it.
   *
   * @example
   * select(Team.c.name, count(Hero.c.id).as('heroes'))
   */
  as<const L extends string>(label: L): Labelled<T, V, L> {
    return new Labelled(this, label)
  }
}

/**
 * An aggregate (`count`, `sum`, …): an expression that also says, to the result types, that a scalar
 * subquery of it always has a row (`count` of nothing is 0, not a missing row).
 *
 * @example
 * const heroes: Aggregate<'hero', number> = count(Hero.c.id)
 */
export class Aggregate<T extends string = string, V = unknown> extends Expression<T, V> {
  declare readonly '~aggregate': true
}

/**
 * An expression with a label: selected as `<expression> AS <label>`, compared and ordered as the expression.
 *
 * @example
 * const heroes = count(Hero.c.id).as('heroes')
 * select(Team.c.name, heroes).join(Hero).groupBy(Team.c.name).orderBy(heroes.desc())
 */
export class Labelled<T extends string = string, V = unknown, L extends string = string> extends Expression<
  T,
  V
> {
  readonly label: L
  /** The expression labelled, so that an aggregate stays one for the result types. */
  readonly expression: Expression<T, V>

  constructor(expression: Expression<T, V>, label: L) {
    super(expression.node)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(label)) {
      throw new InvalidQueryError(
        `as(${JSON.stringify(label)}): a label must be letters, digits and underscores, starting with a letter or _.`,
      )
    }
    this.label = label
    this.expression = expression
  }
}

/** All conditions hold. */
export function and<T extends string>(...conditions: Condition<T>[]): Condition<T> {
  return new Condition({ kind: 'and', items: conditions.map((c) => c.node) })
}

/** At least one condition holds. */
export function or<T extends string>(...conditions: Condition<T>[]): Condition<T> {
  return new Condition({ kind: 'or', items: conditions.map((c) => c.node) })
}

/** The condition does not hold. */
export function not<T extends string>(condition: Condition<T>): Condition<T> {
  return new Condition({ kind: 'not', item: condition.node })
}
