import { OnemodelError } from '../errors.ts'
import type { Column, Condition, ConditionNode, OrderTerm } from '../model/column.ts'
import type { TableModel } from '../model/table.ts'

/** The state of a {@link Select}; each builder call copies it. */
export interface SelectState {
  readonly where: readonly ConditionNode[]
  readonly orderBy: readonly OrderTerm[]
  readonly limit: number | undefined
  readonly offset: number | undefined
}

type TablesOf<M extends TableModel> = M['tableName']

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

  constructor(
    model: M,
    state: SelectState = { where: [], orderBy: [], limit: undefined, offset: undefined },
  ) {
    this.model = model
    // Frozen, so a base query shared between requests cannot be changed through its state either.
    this.state = Object.freeze({
      ...state,
      where: Object.freeze([...state.where]),
      orderBy: Object.freeze([...state.orderBy]),
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

  /** At most `count` rows. */
  limit(count: number): Select<M> {
    return new Select(this.model, { ...this.state, limit: nonNegativeInteger('limit', count) })
  }

  /** Skips the first `count` rows. */
  offset(count: number): Select<M> {
    return new Select(this.model, { ...this.state, offset: nonNegativeInteger('offset', count) })
  }
}

function nonNegativeInteger(method: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new OnemodelError(
      'OM_ORM_INVALID_QUERY',
      `select().${method}(${value}): expected a whole number >= 0.`,
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
