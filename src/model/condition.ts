/**
 * Conditions: the boolean trees of `where()`, `having()` and a join's ON, built from expressions
 * (`Hero.c.age.lt(30)`) and combined with {@link and}, {@link or} and {@link not}.
 */
import type { ColumnInfo, ParamNode, ValueNode } from './expression.ts'

/**
 * The SQL comparison of a condition.
 *
 * @example
 * Hero.c.age.lt(30) // a condition whose node has op: '<'
 */
export type ComparisonOperator = '=' | '<>' | '<' | '<=' | '>' | '>='

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
      /** The text matched literally, or a bind parameter that gives it when the query runs. */
      readonly text: string | ParamNode
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
  /** It selects one column or expression: checked again at run time, for callers the types do not reach. */
  readonly isColumn: boolean
}

/**
 * All conditions hold.
 *
 * @example
 * select(Hero).where(and(Hero.c.age.gte(18), Hero.c.age.lt(30)))
 */
export function and<T extends string>(...conditions: Condition<T>[]): Condition<T> {
  return new Condition({ kind: 'and', items: conditions.map((c) => c.node) })
}

/**
 * At least one condition holds.
 *
 * @example
 * select(Hero).where(or(Hero.c.age.lt(18), Hero.c.age.isNull()))
 */
export function or<T extends string>(...conditions: Condition<T>[]): Condition<T> {
  return new Condition({ kind: 'or', items: conditions.map((c) => c.node) })
}

/**
 * The condition does not hold.
 *
 * @example
 * select(Team).where(not(Team.rel.heroes.any()))
 */
export function not<T extends string>(condition: Condition<T>): Condition<T> {
  return new Condition({ kind: 'not', item: condition.node })
}
