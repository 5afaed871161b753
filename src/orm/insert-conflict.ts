/**
 * An upsert's conflict clause: which unique key a conflict is on (`onConflict({ target })`), and what it
 * adds to an `INSERT`: `ON CONFLICT … DO NOTHING | DO UPDATE` on SQLite and PostgreSQL, `ON DUPLICATE KEY
 * UPDATE` on MySQL.
 */
import { sql } from 'kysely'
import type { Dialect } from '../engine/dialect/dialect.ts'
import { InvalidQueryError } from '../errors.ts'
import type { TableModel } from '../model/table.ts'
import type { AnyInsert, InsertExtra } from './insert-rows.ts'
import { toParam } from './param-slots.ts'

/**
 * What an {@link Insert} does with a row whose unique key another row already has: nothing
 * (`doNothing()`), or an update of that row with fixed values or with the new row's values of some columns
 * (`doUpdate()`).
 */
export type ConflictAction =
  | { readonly kind: 'nothing'; readonly target: readonly string[] }
  | {
      readonly kind: 'update'
      readonly target: readonly string[]
      /** Columns set to the new row's value (SQL's `excluded.<column>`). */
      readonly fromNewRow: readonly string[]
      /** Columns set to a fixed value. */
      readonly values: Readonly<Record<string, unknown>>
    }

/**
 * The columns of `target`, checked: each the primary key (all of a composite one) or a unique column.
 *
 * @example
 * conflictTarget(Team, 'name') // ['name']
 * @throws {InvalidQueryError} for a column that is not unique, naming it and the table.
 */
export function conflictTarget(model: TableModel, target: string | readonly string[]): readonly string[] {
  const columns: readonly string[] = typeof target === 'string' ? [target] : target
  const keys = model.primaryKeys
  // A composite key is unique as a whole: the target names every field of it, or is another unique column.
  const wholeKey = keys.length > 1 && keys.every((key) => columns.includes(key))
  for (const key of columns) {
    const field = model.fields[key]
    const unique =
      field?.options.unique === true || key === model.primaryKey || (wholeKey && keys.includes(key))
    if (!unique) {
      const hint =
        keys.length > 1 && keys.includes(key)
          ? ` '${key}' is one field of the primary key (${keys.join(', ')}): name them all.`
          : ''
      throw new InvalidQueryError(
        `insert(${model.name}).onConflict(): '${key}' is not a unique column of ${model.name}. A conflict target must be its primary key or a column declared with { unique: true }.${hint}`,
      )
    }
  }
  return columns
}

const NO_CONFLICT_CLAUSE: InsertExtra = { key: '', parameters: [], finish: (insert) => insert }

/**
 * The conflict clause of an insert into `model` on `dialect`: what it adds to the statement's shape (its
 * SQL) and parameters (the fixed values of `doUpdate()`), and how it finishes the `INSERT`.
 *
 * @example
 * conflictClause(Team, { kind: 'nothing', target: ['name'] }, engine.dialect).finish(insert) // … on conflict ("name") do nothing
 */
export function conflictClause(
  model: TableModel,
  conflict: ConflictAction | undefined,
  dialect: Dialect,
): InsertExtra {
  if (conflict === undefined) return NO_CONFLICT_CLAUSE
  const fixed = conflict.kind === 'update' ? fixedValues(model, conflict.values) : {}
  const fromNewRow = conflict.kind === 'update' ? conflict.fromNewRow : []
  const key = `${conflict.kind} [${conflict.target.join(',')}] [${fromNewRow.join(',')}] [${Object.keys(fixed).join(',')}]`
  const parameters = Object.values(fixed)
  if (dialect.name === 'mysql') {
    // No DO NOTHING on MySQL: setting the key to itself changes no row. INSERT IGNORE would also turn
    // other errors (a value too long) into warnings. The key is qualified: an INSERT … SELECT's table
    // may have a column of that name too.
    const primaryKey = model.primaryKeys[0]
    const set =
      conflict.kind === 'nothing'
        ? { [primaryKey]: sql.ref(`${model.tableName}.${primaryKey}`) }
        : {
            ...fixed,
            ...Object.fromEntries(fromNewRow.map((key) => [key, sql`values(${sql.ref(key)})`])),
          }
    return { key, parameters, finish: (insert: AnyInsert): AnyInsert => insert.onDuplicateKeyUpdate(set) }
  }
  return {
    key,
    parameters,
    finish: (insert: AnyInsert): AnyInsert =>
      insert.onConflict((oc) => {
        const on = oc.columns(conflict.target)
        if (conflict.kind === 'nothing') return on.doNothing()
        return on.doUpdateSet({
          ...fixed,
          ...Object.fromEntries(fromNewRow.map((key) => [key, sql.ref(`excluded.${key}`)])),
        })
      }),
  }
}

/** The fixed values of `doUpdate()` as parameters; an `undefined` one sets nothing, as Kysely has it. */
function fixedValues(model: TableModel, values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, toParam(model.fields[key]!, value)]),
  )
}
