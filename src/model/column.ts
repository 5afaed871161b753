/**
 * Column references: `Hero.c.age`. A column is an {@link Expression} that knows its table and field, and
 * adds the text matches (`contains`, `startsWith`, `endsWith`) that only columns of strings have.
 */
import { InvalidQueryError } from '../errors.ts'
import type { AliasedTable } from './alias.ts'
import type { AnyField } from './field.ts'
import { Condition } from './condition.ts'
import { Expression, type ColumnInfo } from './expression.ts'
import type { TableModel } from './table.ts'

/**
 * A typed reference to one column of table `T` (its name in the query, an alias's for an aliased table),
 * holding values of type `V`. Comparison methods only accept values of the column's type, so
 * `Hero.c.age.lt('30')` does not compile.
 *
 * @example
 * select(Hero).where(Hero.c.age.gte(18), Hero.c.name.contains('Man')).orderBy(Hero.c.age.desc())
 */
export class Column<T extends string = string, V = unknown> extends Expression<T, V> implements ColumnInfo {
  readonly table: T
  readonly name: string
  readonly field: AnyField
  readonly source: TableModel | AliasedTable

  constructor(table: T, name: string, field: AnyField, source: TableModel | AliasedTable) {
    super({ kind: 'column', column: { table, name, field, source } })
    this.table = table
    this.name = name
    this.field = field
    this.source = source
  }

  /**
   * `column LIKE '%text%'`, with `%`, `_` and `\` in `text` matched literally. Case sensitivity is the
   * database's: case-insensitive for ASCII on SQLite and MySQL's default collations, sensitive on PostgreSQL.
   * `text` may be a `bindParam()`, given when the query runs.
   */
  contains(this: Column<T, string | null> | Column<T, string>, text: LikeText): Condition<T> {
    return likeCondition(this, text, 'contains')
  }
  /** `column LIKE 'text%'`, with `text` matched literally. */
  startsWith(this: Column<T, string | null> | Column<T, string>, text: LikeText): Condition<T> {
    return likeCondition(this, text, 'startsWith')
  }
  /** `column LIKE '%text'`, with `text` matched literally. */
  endsWith(this: Column<T, string | null> | Column<T, string>, text: LikeText): Condition<T> {
    return likeCondition(this, text, 'endsWith')
  }
}

/** The text of a match: a string, or a `bindParam()` given when the query runs. */
type LikeText = string | Expression<never, string>

function likeCondition<T extends string>(
  column: ColumnInfo,
  text: LikeText,
  match: 'contains' | 'startsWith' | 'endsWith',
): Condition<T> {
  if (typeof text === 'string') return new Condition({ kind: 'like', column, text, match })
  if (text instanceof Expression && text.node.kind === 'param') {
    return new Condition({ kind: 'like', column, text: text.node, match })
  }
  throw new InvalidQueryError(`${match}(…): the text to match is a string or a bindParam(…).`)
}

/**
 * Returns the column itself. It exists so SQLModel code (`col(Hero.name).contains("Man")`) reads the same;
 * in onemodel every column reference is already typed, so `Hero.c.name.contains('Man')` is equivalent.
 */
export function col<C extends Column<string, unknown>>(column: C): C {
  return column
}
