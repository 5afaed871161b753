/**
 * Column references and the conditions built from them: `Hero.c.age.lt(30)`. They are plain data (a small
 * condition tree) so the model layer stays free of SQL; the ORM turns them into Kysely expressions.
 */
import type { AnyField } from './field.ts'

/**
 * The SQL comparison of a condition.
 *
 * @example
 * Hero.c.age.lt(30) // a condition whose node has op: '<'
 */
export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>='

/** The condition tree. `T` in {@link Condition} tracks which tables it reads. */
export type ConditionNode =
  | {
      readonly kind: 'compare'
      readonly column: ColumnInfo
      readonly op: ComparisonOperator
      readonly value: unknown
    }
  | {
      readonly kind: 'in'
      readonly column: ColumnInfo
      readonly values: readonly unknown[]
      readonly negated: boolean
    }
  | { readonly kind: 'null'; readonly column: ColumnInfo; readonly negated: boolean }
  | {
      readonly kind: 'like'
      readonly column: ColumnInfo
      readonly text: string
      readonly match: 'contains' | 'startsWith' | 'endsWith'
    }
  | { readonly kind: 'and' | 'or'; readonly items: readonly ConditionNode[] }
  | { readonly kind: 'not'; readonly item: ConditionNode }

/**
 * What the SQL layer needs to know about a column.
 *
 * @example
 * const { table, name } = Hero.c.age   // a Column is a ColumnInfo: 'hero', 'age'
 */
export interface ColumnInfo {
  readonly table: string
  readonly name: string
  readonly field: AnyField
}

/** A boolean SQL condition over the tables named by `T`. Pass it to `select(...).where()`. */
export class Condition<T extends string = string> {
  declare readonly '~tables': T
  readonly node: ConditionNode

  constructor(node: ConditionNode) {
    this.node = node
  }
}

/** An ordering term: a column and a direction. Columns sort ascending when passed directly. */
export class OrderTerm<T extends string = string> {
  declare readonly '~tables': T
  readonly column: ColumnInfo
  readonly direction: 'asc' | 'desc'

  constructor(column: ColumnInfo, direction: 'asc' | 'desc') {
    this.column = column
    this.direction = direction
  }
}

/**
 * A typed reference to one column of table `T`, holding values of type `V`. Comparison methods only
 * accept values of the column's type, so `Hero.c.age.lt('30')` does not compile.
 *
 * @example
 * select(Hero).where(Hero.c.age.gte(18), Hero.c.name.contains('Man')).orderBy(Hero.c.age.desc())
 */
export class Column<T extends string = string, V = unknown> implements ColumnInfo {
  declare readonly '~value': V
  readonly table: T
  readonly name: string
  readonly field: AnyField

  constructor(table: T, name: string, field: AnyField) {
    this.table = table
    this.name = name
    this.field = field
  }

  #compare(op: ComparisonOperator, value: unknown): Condition<T> {
    return new Condition({ kind: 'compare', column: this, op, value })
  }

  /** `column = value`; `eq(null)` is `IS NULL`, as `== None` is in SQLAlchemy. */
  eq(value: V): Condition<T> {
    return value === null ? this.isNull() : this.#compare('=', value)
  }
  /** `column <> value`; `ne(null)` is `IS NOT NULL`. */
  ne(value: V): Condition<T> {
    return value === null ? this.isNotNull() : this.#compare('<>', value)
  }
  lt(value: NonNullable<V>): Condition<T> {
    return this.#compare('<', value)
  }
  lte(value: NonNullable<V>): Condition<T> {
    return this.#compare('<=', value)
  }
  gt(value: NonNullable<V>): Condition<T> {
    return this.#compare('>', value)
  }
  gte(value: NonNullable<V>): Condition<T> {
    return this.#compare('>=', value)
  }
  /** `column IN (...)`. An empty list matches no row. */
  in(values: readonly NonNullable<V>[]): Condition<T> {
    return new Condition({ kind: 'in', column: this, values, negated: false })
  }
  /** `column NOT IN (...)`. An empty list matches every row. */
  notIn(values: readonly NonNullable<V>[]): Condition<T> {
    return new Condition({ kind: 'in', column: this, values, negated: true })
  }
  isNull(): Condition<T> {
    return new Condition({ kind: 'null', column: this, negated: false })
  }
  isNotNull(): Condition<T> {
    return new Condition({ kind: 'null', column: this, negated: true })
  }
  /**
   * `column LIKE '%text%'`, with `%`, `_` and `\` in `text` matched literally. Case sensitivity is the
   * database's: case-insensitive for ASCII on SQLite and MySQL's default collations, sensitive on PostgreSQL.
   */
  contains(this: Column<T, string | null> | Column<T, string>, text: string): Condition<T> {
    return new Condition({ kind: 'like', column: this, text, match: 'contains' })
  }
  /** `column LIKE 'text%'`, with `text` matched literally. */
  startsWith(this: Column<T, string | null> | Column<T, string>, text: string): Condition<T> {
    return new Condition({ kind: 'like', column: this, text, match: 'startsWith' })
  }
  /** `column LIKE '%text'`, with `text` matched literally. */
  endsWith(this: Column<T, string | null> | Column<T, string>, text: string): Condition<T> {
    return new Condition({ kind: 'like', column: this, text, match: 'endsWith' })
  }
  asc(): OrderTerm<T> {
    return new OrderTerm(this, 'asc')
  }
  desc(): OrderTerm<T> {
    return new OrderTerm(this, 'desc')
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

/**
 * Returns the column itself. It exists so SQLModel code (`col(Hero.name).contains("Man")`) reads the same;
 * in onemodel every column reference is already typed, so `Hero.c.name.contains('Man')` is equivalent.
 */
export function col<C extends Column<string, unknown>>(column: C): C {
  return column
}
