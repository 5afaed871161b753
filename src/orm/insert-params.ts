/**
 * An insert built with `bindParam()` values: its rows, which each run fills with its `params` before it
 * validates them, and its statement, compiled on the first run on an engine, which later runs only bind
 * (see `Insert.statement()`).
 */
import type { CompiledQuery } from 'kysely'
import { bind, type RowShape, type Statement } from '../engine/statement.ts'
import { InvalidQueryError } from '../errors.ts'
import { requiredKeys, type AnyField } from '../model/field.ts'
import { Expression } from '../model/expression.ts'
import type { TableModel } from '../model/table.ts'
import { NO_NAMES, type ParamValues } from './bind-params.ts'
import { validatedValues } from './bulk-write.ts'
import { toParam } from './param-slots.ts'
import { sameValues } from './statements.ts'

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

/** Each row gives a value to each of `columns`, and to no other column: a prepared insert's rows fit it. */
function givesEach(rows: readonly Readonly<Record<string, unknown>>[], columns: readonly string[]): boolean {
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

/** A validated row of column values. */
type ColumnValues = Readonly<Record<string, unknown>>

/**
 * An insert with bind parameters, compiled on one engine: its SQL, the columns each row gives in the order
 * it binds them (with their fields, found once), and the values its conflict clause adds after the rows'.
 * It keeps no run's values.
 *
 * @example
 * const prepared = PreparedInsert.of(statement, rows, Favorite.fields, [])
 * prepared?.bind(nextRows, OBJECT_ROWS) // the statement with nextRows' values
 */
export class PreparedInsert {
  readonly #template: CompiledQuery
  readonly #columns: readonly string[]
  /** The field of each of {@link #columns}, which encodes its value as a statement parameter. */
  readonly #fields: readonly (AnyField | undefined)[]
  readonly #conflictValues: readonly unknown[]

  private constructor(
    template: CompiledQuery,
    columns: readonly string[],
    fields: Readonly<Record<string, AnyField>>,
    conflictValues: readonly unknown[],
  ) {
    this.#template = template
    this.#columns = columns
    this.#fields = columns.map((column) => fields[column])
    this.#conflictValues = conflictValues
  }

  /**
   * `statement`, compiled for `rows`, kept for the next runs: `undefined` when its rows do not all give the
   * same columns, or when it does not bind their values in the order {@link bind} puts them (a Kysely
   * plugin that adds values), where each run compiles its own.
   */
  static of(
    statement: Statement,
    rows: readonly ColumnValues[],
    fields: Readonly<Record<string, AnyField>>,
    conflictValues: readonly unknown[],
  ): PreparedInsert | undefined {
    const columns = Object.keys(rows[0] ?? {})
    if (!givesEach(rows, columns)) return undefined
    const template = bind(statement, [], statement.shape)
    const prepared = new PreparedInsert(template, columns, fields, conflictValues)
    return sameValues(statement.parameters, prepared.#values(rows)) ? prepared : undefined
  }

  /** The statement with `rows`' values, or `undefined` when they give other columns than it binds. */
  bind(rows: readonly ColumnValues[], shape: RowShape): Statement | undefined {
    if (!givesEach(rows, this.#columns)) return undefined
    return bind(this.#template, this.#values(rows), shape)
  }

  /** Each row's values of the columns, then the conflict clause's. */
  #values(rows: readonly ColumnValues[]): unknown[] {
    const columns = this.#columns
    const fields = this.#fields
    const values: unknown[] = []
    for (const row of rows)
      for (let i = 0; i < columns.length; i++) values.push(toParam(fields[i], row[columns[i]!]))
    values.push(...this.#conflictValues)
    return values
  }
}

/**
 * A row of `insert(model).values()`: its column values, validated as `Model.create()` validates a row, or a
 * {@link RowTemplate} when a value is a `bindParam()`, its fixed values checked now and the whole row at
 * each run.
 *
 * @example
 * insertedRow(Hero, { name: bindParam('name'), secret_name: 'Dive Wilson' }) // a RowTemplate
 * @throws {InvalidQueryError} for an expression other than `bindParam()`, a parameter for a key that is no
 * column, or a required column given neither a value nor a parameter.
 */
export function insertedRow(model: TableModel, row: object): Readonly<Record<string, unknown>> | RowTemplate {
  // Most rows have no parameter: they are validated as they are, with no copy.
  if (!hasExpression(row)) {
    return model.columnValues(row)
  }
  const params: [string, string][] = []
  const fixed: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(row)) {
    if (!isExpression(value)) fixed[key] = value
    else if (value.node.kind !== 'param') {
      throw new InvalidQueryError(
        `insert(${model.name}).values(): '${key}' is an expression. A row's value is a value, or bindParam('${key}') for one given when the insert runs.`,
      )
    } else if (!Object.hasOwn(model.fields, key)) {
      throw new InvalidQueryError(
        `insert(${model.name}).values(): ${model.name} has no column '${key}' for bindParam(${JSON.stringify(value.node.name)}). Its columns are: ${Object.keys(model.fields).join(', ')}.`,
      )
    } else params.push([key, value.node.name])
  }
  // The values given are checked now, as a row's are; the whole row again at each run.
  if (Object.keys(fixed).length > 0) validatedValues(model, fixed)
  // A column no run could fill is a mistake in the code: said here, not at the first request.
  const absent = requiredKeys(model.fields).filter(
    (key) => fixed[key] === undefined && !params.some(([column]) => column === key),
  )
  if (absent.length > 0) {
    throw new InvalidQueryError(
      `insert(${model.name}).values(): ${absent.map((key) => `'${key}'`).join(', ')} ${absent.length === 1 ? 'is a required column' : 'are required columns'} of ${model.name}, with no value and no default. Give ${absent.length === 1 ? 'it' : 'each'} a value, or bindParam('${absent[0]}') for one given when the insert runs.`,
    )
  }
  return new RowTemplate(fixed, params)
}

function isExpression(value: unknown): value is Expression {
  return value instanceof Expression
}

/** `row` is an object with an expression among its values: a loop, not an array of them, for bulk rows. */
function hasExpression(row: unknown): boolean {
  if (typeof row !== 'object' || row === null) return false
  for (const key in row) {
    if (Object.hasOwn(row, key) && isExpression((row as Record<string, unknown>)[key])) return true
  }
  return false
}
