/**
 * `INSERT … SELECT`: an insert whose rows a select reads (SQLAlchemy's `insert(…).from_select()`). The rows
 * never reach JavaScript, so the model does not validate them: which columns a select may leave out is
 * checked when the insert is built, and the database checks the values.
 */
import { sql, type Compilable, type CompiledQuery } from 'kysely'
import type { Engine } from '../engine/engine.ts'
import { bind, type RowShape, type Statement } from '../engine/statement.ts'
import { InvalidQueryError } from '../errors.ts'
import { generatedKeyOf } from '../model/field.ts'
import { TableModel } from '../model/table.ts'
import { BoundValues, type ParamValues } from './bind-params.ts'
import { buildQuery } from './compile.ts'
import type { AnyInsert, InsertExtra } from './insert-rows.ts'
import { refuseCorrelated } from './query-statements.ts'
import { itemsOf, type AnySelect } from './select.ts'

/**
 * Where an insert's rows come from when a select reads them: the columns they fill, in the order of the
 * select's items.
 *
 * @example
 * const source: InsertSource = { columns: ['name', 'headquarters'], query: select(Hero.c.name, Hero.c.secret_name) }
 */
export interface InsertSource {
  readonly columns: readonly string[]
  readonly query: AnySelect
}

/**
 * `source` checked for an insert into `model`: one column per selected item, each a column of the model
 * named once, and every column left out one the database can fill (the generated key, or a nullable column
 * with no default).
 * @throws {InvalidQueryError} naming the insert, the column and what to change.
 */
export function checkedSource(model: TableModel, source: InsertSource): InsertSource {
  const method = `insert(${model.name}).fromSelect()`
  const { columns, query } = source
  if (query.selection instanceof TableModel) {
    throw new InvalidQueryError(
      `${method}: select(${query.selection.name}) selects rows; select the columns to insert, one per column named, as select(${query.selection.name}.c.name, …).`,
    )
  }
  refuseCorrelated(query)
  const items = itemsOf(query)
  if (items.length !== columns.length) {
    throw new InvalidQueryError(
      `${method}: ${columns.length} column${columns.length === 1 ? '' : 's'} named and ${items.length} item${items.length === 1 ? '' : 's'} selected. The select gives each column named its value, in order: name as many columns as it selects.`,
    )
  }
  for (const [index, column] of columns.entries()) {
    if (!Object.hasOwn(model.fields, column)) {
      throw new InvalidQueryError(
        `${method}: ${model.name} has no column '${column}'. Its columns are: ${Object.keys(model.fields).join(', ')}.`,
      )
    }
    if (columns.indexOf(column) !== index) {
      throw new InvalidQueryError(`${method}: '${column}' is named twice. Name each column once.`)
    }
  }
  const generated = generatedKeyOf(model.fields)
  for (const [key, field] of Object.entries(model.fields)) {
    if (columns.includes(key) || key === generated) continue
    const nullDefault = !field.hasDefault || (field.options.default === null && !field.options.defaultFactory)
    if (field.nullable && nullDefault) continue
    throw new InvalidQueryError(
      `${method}: '${key}' is not among the columns. A row a select inserts takes nothing from ${model.name}'s defaults, so a column left out is NULL: name '${key}' and select its value.`,
    )
  }
  return source
}

/**
 * An `INSERT … SELECT` compiled on one engine, and where its bind parameters go.
 *
 * @example
 * const compiledOn = new WeakMap<Engine, CompiledInsert>() // one per insert object
 */
export interface CompiledInsert {
  readonly compiled: CompiledQuery
  readonly values: BoundValues
}

/**
 * The statement of an insert into `tableName` whose rows `source` selects, finished by `extra` (its conflict
 * clause, if `upsert`, and `RETURNING`), with `params` for the select's bind parameters. Compiled once per
 * engine into `compiledOn`, a run binds only its values.
 *
 * @example
 * const statement = insertSelectStatement(engine, 'team', source, { extra, upsert: false }, OBJECT_ROWS, compiledOn, { age: 18 })
 * @throws {InvalidQueryError} for `params` that miss a bind parameter of the select or name another one.
 */
export function insertSelectStatement(
  engine: Engine,
  tableName: string,
  source: InsertSource,
  finish: { readonly extra: InsertExtra; readonly upsert: boolean },
  shape: RowShape,
  compiledOn: WeakMap<Engine, CompiledInsert>,
  params: ParamValues | null | undefined,
): Statement {
  let compiled = compiledOn.get(engine)
  if (compiled === undefined) {
    const statement = insertSelect(engine, tableName, source, finish).compile()
    compiled = { compiled: statement, values: new BoundValues(statement.parameters) }
    compiledOn.set(engine, compiled)
  }
  return bind(compiled.compiled, compiled.values.bind(params), shape)
}

function insertSelect(
  engine: Engine,
  tableName: string,
  source: InsertSource,
  { extra, upsert }: { readonly extra: InsertExtra; readonly upsert: boolean },
): Compilable {
  const { db, dialect } = engine
  let rows = buildQuery(source.query, { db, dialect, params: true })
  // SQLite reads `SELECT … FROM t ON CONFLICT` as a join's ON: its manual asks for a WHERE before an upsert.
  if (dialect.name === 'sqlite' && upsert && source.query.state.where.length === 0) {
    rows = rows.where(sql<boolean>`true`)
  }
  const insert: AnyInsert = db
    .insertInto(tableName)
    .columns([...source.columns])
    .expression(rows)
  return extra.finish(insert)
}
