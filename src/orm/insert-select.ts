/**
 * `INSERT … SELECT`: an insert whose rows a select reads (SQLAlchemy's `insert(…).from_select()`). The rows
 * never reach JavaScript, so the model does not validate them: which columns a select may leave out is
 * checked when the insert is built, and the database checks the values.
 */
import { sql, type CompiledQuery } from 'kysely'
import type { Engine } from '../engine/engine.ts'
import { InvalidQueryError } from '../errors.ts'
import { generatedKeyOf } from '../model/field.ts'
import { AliasedTable } from '../model/alias.ts'
import { TableModel } from '../model/table.ts'
import { BoundValues } from './bind-params.ts'
import { buildQuery } from './compile.ts'
import type { AnyInsert, InsertExtra } from './insert-rows.ts'
import { refuseCorrelated } from './query-statements.ts'
import { isEntity } from './joins.ts'
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
  const entity = items.find(isEntity)
  if (entity !== undefined) {
    const name = entity instanceof AliasedTable ? entity.alias : entity.name
    throw new InvalidQueryError(
      `${method}: the select selects ${name}'s rows, whose columns would all fill the insert's. Select the columns to insert, one per column named, as ${name}.c.name.`,
    )
  }
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
    const why = field.hasDefault
      ? `a row a select inserts takes nothing from ${model.name}'s defaults, and a column left out is NULL`
      : `it is not nullable, and a column left out is NULL`
    throw new InvalidQueryError(
      `${method}: '${key}' is not among the columns, and ${why}. Name '${key}' and select its value.`,
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
 * The insert into `model` whose rows `source` selects, compiled on `engine`, finished by `extra` (its
 * conflict clause, if `upsert`, and `RETURNING`). A run binds its values: `compiled.values.bind(params)`.
 *
 * @example
 * const { compiled, values } = compileInsertSelect(engine, Team, source, extra, false)
 */
export function compileInsertSelect(
  engine: Engine,
  model: TableModel,
  source: InsertSource,
  extra: InsertExtra,
  upsert: boolean,
): CompiledInsert {
  const { db, dialect } = engine
  let rows = buildQuery(source.query, { db, dialect, params: true })
  // SQLite reads `SELECT … FROM t ON CONFLICT` as a join's ON: its manual asks for a WHERE before an upsert.
  if (dialect.name === 'sqlite' && upsert && source.query.state.where.length === 0) {
    rows = rows.where(sql<boolean>`true`)
  }
  // MySQL finds the table's columns ambiguous in ON DUPLICATE KEY UPDATE when the select reads a table with
  // the same names, the table itself included; its manual reads the rows from a derived table instead.
  const from = dialect.name === 'mysql' && upsert ? db.selectFrom(rows.as('source')).selectAll() : rows
  const insert: AnyInsert = db
    .insertInto(model.tableName)
    .columns([...source.columns])
    .expression(from)
  const compiled = extra.finish(insert).compile()
  const name = `insert(${model.name}).fromSelect()`
  return { compiled, values: new BoundValues(compiled.parameters, [], name) }
}
