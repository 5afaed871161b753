import type { CompiledQuery } from 'kysely'

/**
 * How the caller reads a statement's rows. The drivers build each shape natively (node:sqlite's
 * `setReturnArrays`, pg's `rowMode: 'array'`, mysql2's `rowsAsArray`), so no row is built twice.
 *
 * @example
 * const byKey: RowShape = ONE_ARRAY // [[1, 'Deadpond', 'Dive Wilson', null]] rather than [{ id: 1, … }]
 */
export interface RowShape {
  /** Each row is the array of its result columns' values, in the statement's column order. */
  readonly arrays: boolean
  /**
   * The statement returns at most one row (a primary-key read, a one-row `INSERT … RETURNING`):
   * node:sqlite's `get()` reads just that row, in about half the time of `all()`.
   */
  readonly oneRow: boolean
}

/** Rows as objects keyed by column name: what Kysely's own queries read. */
export const OBJECT_ROWS: RowShape = Object.freeze({ arrays: false, oneRow: false })
/** Rows as arrays of column values. */
export const ARRAY_ROWS: RowShape = Object.freeze({ arrays: true, oneRow: false })
/** At most one row, as an object. */
export const ONE_OBJECT: RowShape = Object.freeze({ arrays: false, oneRow: true })
/** At most one row, as an array of column values. */
export const ONE_ARRAY: RowShape = Object.freeze({ arrays: true, oneRow: true })

/**
 * A compiled statement with its bound parameters and the shape its rows are read in: what the ORM hands
 * the engine's executor. It is a Kysely `CompiledQuery` too, so logs and plugins see it as one.
 *
 * @example
 * const template = engine.db.selectFrom('hero').select(['id', 'name']).where('id', '=', 0).compile()
 * const { rows } = await engine.dialect.executor.run<unknown[]>(bind(template, [1], ONE_ARRAY))
 */
export interface Statement extends CompiledQuery {
  readonly shape: RowShape
}

/** `template`'s statement with these parameters, read in `shape`; the SQL text is shared, not compiled again. */
export function bind(template: CompiledQuery, parameters: readonly unknown[], shape: RowShape): Statement {
  return { sql: template.sql, query: template.query, queryId: template.queryId, parameters, shape }
}
