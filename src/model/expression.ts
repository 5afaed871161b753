/**
 * SQL expressions as plain data: columns, bound values, aggregates and subqueries, and the orderings and
 * conditions (`condition.ts`) built from them: `Hero.c.age.lt(30)`, `count().gt(2)`. This layer knows no
 * SQL text; the ORM compiles the trees with Kysely. `T` in every class tracks which tables an expression
 * reads, so a query refuses, at compile time, a column of a table it does not read.
 */
import { InvalidQueryError } from '../errors.ts'
import type { AliasedTable } from './alias.ts'
import { Condition, type ColumnQuery, type ComparisonOperator } from './condition.ts'
import type { AnyField } from './field.ts'
import type { TableModel } from './table.ts'

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
 * A column's name with its table's, as SQL and onemodel's messages write it.
 *
 * @example
 * qualifiedName(Hero.c.age) // 'hero.age'
 */
export function qualifiedName(column: Pick<ColumnInfo, 'table' | 'name'>): string {
  return `${column.table}.${column.name}`
}

/**
 * A value given when the query runs ({@link bindParam}), encoded as `field` encodes it: the field of the
 * column it is compared with, as a literal value there would be. Compared with a column, it is checked
 * and converted by that column's field (`column`) when the query runs.
 *
 * @example
 * Hero.c.name.eq(bindParam('name')).node.right
 * // { kind: 'param', name: 'name', field: Hero's name field, column: Hero.c.name }
 */
export interface ParamNode {
  readonly kind: 'param'
  readonly name: string
  readonly field: AnyField | undefined
  readonly column: ColumnInfo | undefined
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
  | ParamNode
  | {
      readonly kind: 'aggregate'
      readonly fn: AggregateFunction
      readonly argument: ValueNode | undefined
      readonly distinct: boolean
    }
  | {
      readonly kind: 'subquery'
      readonly query: object
      /**
       * It gives the values of all the rows it finds, as one array in its order (`arraySubquery()`), rather
       * than the value of its one row (`scalarSubquery()`).
       */
      readonly array: boolean
      /** The enclosing query's tables it refers to (`correlate()`): selected, it makes the query read them. */
      readonly outer: readonly (TableModel | AliasedTable)[]
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
 * `value` as a condition keeps it: a date, bytes, or a JSON object or array is copied, so that changing the
 * caller's object afterwards changes no select built with it (a select run again reuses its values).
 */
function keptValue(value: unknown): unknown {
  if (value instanceof Date) return new Date(value.getTime())
  if (value instanceof Uint8Array) return new Uint8Array(value)
  if (typeof value !== 'object' || value === null) return value
  try {
    return structuredClone(value)
  } catch {
    return value // not data (a function inside, say): kept as given, as it cannot be bound as JSON either
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
    refuseArray(this.node)
    const right: ValueNode =
      other instanceof Expression
        ? encodedAs(refuseArray(other.node), this.node)
        : { kind: 'value', value: keptValue(other), field: encodingFieldOf(this.node) }
    return new Condition({ kind: 'compare', left: encodedAs(this.node, right), op, right })
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
  in(list: readonly unknown[] | ColumnQuery<string, unknown>): Condition<string> {
    return this.#in(list, false)
  }
  /** `NOT IN (…)`: a list of values (an empty one matches every row), or a one-column select. */
  notIn(values: readonly NonNullable<V>[]): Condition<T>
  notIn<U extends string>(query: ColumnQuery<U, NonNullable<V> | null>): Condition<T | U>
  notIn(list: readonly unknown[] | ColumnQuery<string, unknown>): Condition<string> {
    return this.#in(list, true)
  }

  #in<C extends string>(
    list: readonly unknown[] | ColumnQuery<string, unknown>,
    negated: boolean,
  ): Condition<C> {
    const method = negated ? 'notIn' : 'in'
    refuseArray(this.node)
    if (Array.isArray(list)) {
      for (const value of list) if (value instanceof Expression) refuseParamInList(method, value.node)
      return new Condition({
        kind: 'in',
        left: this.node,
        values: Object.freeze(list.map(keptValue)),
        negated,
      })
    }
    if (list instanceof Expression) refuseParamInList(method, list.node)
    if (!('isColumn' in list) || !list.isColumn) {
      throw new InvalidQueryError(
        `${method}(select(…)): the select must select one column or expression, as select(Team.c.id).`,
      )
    }
    return new Condition({ kind: 'inQuery', left: this.node, query: list, negated })
  }

  isNull(): Condition<T> {
    return new Condition({ kind: 'null', operand: refuseArray(this.node), negated: false })
  }
  isNotNull(): Condition<T> {
    return new Condition({ kind: 'null', operand: refuseArray(this.node), negated: true })
  }
  asc(): OrderTerm<T> {
    return new OrderTerm(refuseArray(this.node), 'asc')
  }
  desc(): OrderTerm<T> {
    return new OrderTerm(refuseArray(this.node), 'desc')
  }

  /**
   * Names the expression in the query's columns (`count(*) AS n`): the SQL reads better, and a select
   * used as a derived table needs names that differ.
   *
   * @example
   * select(Team.c.name, count(Hero.c.id).as('heroes'))
   */
  as<const L extends string>(label: L): Labelled<T, V, L, this> {
    return new Labelled(this, label)
  }
}

/**
 * `node` as compared with `other`: a bind parameter takes the encoding of the value it is compared with
 * (a JSON column's value is bound as its text), as a literal value in its place would, and beside a
 * column, that column, whose field checks its value.
 */
function encodedAs(node: ValueNode, other: ValueNode): ValueNode {
  if (node.kind !== 'param' || node.field !== undefined) return node
  const field = encodingFieldOf(other)
  const column = other.kind === 'column' ? other.column : undefined
  return field === undefined ? node : { kind: 'param', name: node.name, field, column }
}

/** `node`, unless it is an array subquery, which its type already keeps from comparisons and orderings. */
function refuseArray(node: ValueNode): ValueNode {
  if (node.kind !== 'subquery' || !node.array) return node
  throw new InvalidQueryError(
    'An array subquery is only selected, or labelled with as() and selected: its JSON compares as text on SQLite and MariaDB and not at all on PostgreSQL, so it is neither compared nor ordered. Filter and order inside it, with where() and orderBy().',
  )
}

/** A list's length is part of the SQL, so a bind parameter cannot stand in it, nor for it. */
function refuseParamInList(method: string, node: ValueNode): void {
  if (node.kind !== 'param') return
  throw new InvalidQueryError(
    `${method}(): bindParam(${JSON.stringify(node.name)}) cannot be in an IN list, whose length is part of the SQL. Build the condition when the values are known, as ${method}(ids), or compare with a subquery: ${method}(select(…)).`,
  )
}

/**
 * A value given each time the query runs, rather than when it is built (SQLAlchemy's `bindparam()`):
 * build a select once, at module load, and run it with `session.exec(query, { params: { name: value } })`,
 * which binds the value where the parameter stands and skips building and compiling the select again. An
 * insert takes it as a row's value too: `insert(Hero).values({ name: bindParam('name'), … })`, its row
 * validated whole at each run.
 * The value is encoded as a literal in its place would be (dates, booleans, JSON), and `null` is bound as
 * SQL `NULL`: `eq(bindParam('x'))` with `x: null` matches no row (`= NULL`), unlike `eq(null)`.
 *
 * It stands on either side of a comparison, in a text match (`contains`, …), `limit()` and `offset()`; not
 * in an `in([…])` list, whose length is part of the SQL, nor as a selected item, whose type the database
 * would guess. Its type is inferred from where it stands (a
 * string for `Hero.c.name.eq(…)`), or given: `bindParam<number>('age')`. Compared with a column, its value
 * is checked and converted when the select runs by the rule of the column's field kind (`'16'` is 16
 * for an integer column; `'abc'` is an `InvalidQueryError`).
 *
 * @example
 * const heroByName = select(Hero).where(Hero.c.name.eq(bindParam('name')))
 * const hero = await session.exec(heroByName, { params: { name: 'Deadpond' } }).one()
 * const page = select(Hero).orderBy(Hero.c.id).limit(bindParam('limit')).offset(bindParam('offset'))
 * const heroes = await session.exec(page, { params: { limit: 20, offset: 40 } }).all()
 * @throws {InvalidQueryError} for an empty name.
 */
export function bindParam<V = unknown>(name: string): Expression<never, V> {
  if (typeof name !== 'string' || name === '') {
    throw new InvalidQueryError(
      `bindParam(${JSON.stringify(name)}): a parameter needs a name, as bindParam('slug').`,
    )
  }
  return new Expression({ kind: 'param', name, field: undefined, column: undefined })
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

/** The methods of an expression that compare or order it. */
type Comparisons =
  'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'notIn' | 'isNull' | 'isNotNull' | 'asc' | 'desc'

/** `E` with every comparison typed `never`, so calling one does not compile; labelled, it stays so. */
type SelectedOnly<E extends Expression> = { readonly [K in Comparisons]: never } & {
  as<const L extends string>(label: L): SelectedOnly<Labelled<E['~tables'], E['~value'], L, SelectedOnly<E>>>
} & E

/**
 * An array subquery (`select(…).arraySubquery()`): selected, or labelled with `as()` and selected, and
 * nothing else. Its value is JSON, which SQLite and MariaDB would compare as text and PostgreSQL not at
 * all, so it has no comparison and no ordering (`eq()`, `in()`, `desc()` do not compile, and throw an
 * `InvalidQueryError` from JavaScript): filter and order inside the subquery. Never null, as an aggregate.
 *
 * @example
 * const tags: ArraySubquery<'article', string[]> = select(Tag.c.name)
 *   .correlate(Article)
 *   .where(Tag.c.article_id.eq(Article.c.id))
 *   .arraySubquery()
 * select(Article, tags.as('tags'))
 */
export type ArraySubquery<T extends string = string, V = unknown> = SelectedOnly<Aggregate<T, V>>

/**
 * An expression with a label: selected as `<expression> AS <label>`, compared and ordered as the expression.
 *
 * @example
 * const heroes = count(Hero.c.id).as('heroes')
 * select(Team.c.name, heroes).join(Hero).groupBy(Team.c.name).orderBy(heroes.desc())
 */
export class Labelled<
  T extends string = string,
  V = unknown,
  L extends string = string,
  E extends Expression<T, V> = Expression<T, V>,
> extends Expression<T, V> {
  readonly label: L
  /** The expression labelled, with its own type, so that an aggregate stays one for the result types. */
  readonly expression: E

  constructor(expression: E, label: L) {
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
