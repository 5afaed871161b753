/**
 * The rows of an insert built with `bindParam()` values: what each run fills with its `params` before it
 * validates and binds them (see `Insert.statement()`).
 */
import type { Expression } from '../model/expression.ts'
import type { TableModel } from '../model/table.ts'
import { NO_NAMES, type ParamValues } from './bind-params.ts'

/**
 * A row of {@link Insert.values}: each column's value, or a `bindParam()` that each run gives it
 * (`session.exec(query, { params })`), typed as the column's value.
 *
 * @example
 * const row: InsertRow<typeof Hero> = { name: bindParam('name'), secret_name: 'Dive Wilson' }
 */
export type InsertRow<M extends TableModel> = {
  [K in keyof M['Input']]: M['Input'][K] | Expression<never, M['Input'][K]>
}

/**
 * A row with bind parameters: its values given when the insert was built, and the parameter that fills
 * each other column when it runs. The whole row is validated then, as `Model.create()` validates one, its
 * defaults made then too (a `defaultFactory`'s timestamp is each run's own).
 *
 * @example
 * insert(Favorite).values({ user_id: bindParam('user'), article_id: 7 }).state.rows[0] // a RowTemplate
 */
export class RowTemplate {
  /** The values given as they were given (they are validated with the parameters at each run). */
  readonly fixed: Readonly<Record<string, unknown>>
  /** Each column a parameter fills, and the parameter's name. */
  readonly params: readonly (readonly [column: string, name: string])[]

  constructor(fixed: Readonly<Record<string, unknown>>, params: readonly (readonly [string, string])[]) {
    this.fixed = Object.freeze(fixed)
    this.params = Object.freeze(params)
  }

  /** The row a run inserts: the fixed values, and each parameter's value in its column. */
  filled(values: ParamValues): Record<string, unknown> {
    const row: Record<string, unknown> = { ...this.fixed }
    for (const [column, name] of this.params) row[column] = values[name]
    return row
  }
}

/**
 * The names of the bind parameters of an insert's `rows`.
 *
 * @example
 * namesOf([new RowTemplate({}, [['user_id', 'user']])]) // Set { 'user' }
 */
export function namesOf(rows: readonly object[]): ReadonlySet<string> {
  const names = new Set<string>()
  for (const row of rows) if (row instanceof RowTemplate) for (const [, name] of row.params) names.add(name)
  return names.size === 0 ? NO_NAMES : names
}

/**
 * Each row gives a value to each of `columns`, and to no other column: a prepared insert's rows fit it.
 *
 * @example
 * givesEach([{ user_id: 1, article_id: 7 }], ['user_id', 'article_id']) // true
 */
export function givesEach(
  rows: readonly Readonly<Record<string, unknown>>[],
  columns: readonly string[],
): boolean {
  for (const row of rows) {
    let given = 0
    for (const key in row) {
      if (row[key] === undefined) continue
      if (!columns.includes(key)) return false
      given++
    }
    if (given !== columns.length) return false
  }
  return true
}
