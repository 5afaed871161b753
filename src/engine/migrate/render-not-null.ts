/**
 * A column that becomes NOT NULL in a generated migration: the guard that fails when rows have no value
 * for it, or the `UPDATE` that fills them with the model's default.
 */
import type { FillValue } from '../schema.ts'
import type { RenderScope } from './render-scope.ts'
import { chain, key, stringLiteral, valueLiteral } from './render-source.ts'
import type { SchemaChange } from './schema-changes.ts'

/**
 * A column that becomes NOT NULL where rows may have no value for it and the model gives none: added, or
 * an existing column made NOT NULL. The guard fails when such rows exist.
 */
export function notNullGuard(scope: RenderScope, change: SchemaChange): string[] {
  const guard = (helper: string, table: string, column: string) => {
    scope.helpers.add(helper)
    return [`  await ${helper}(db, ${stringLiteral(table)}, ${stringLiteral(column)})`]
  }
  if (change.kind === 'addColumn' && !change.column.nullable && change.column.fill === undefined)
    return guard('assertNoRowsToFill', change.table, change.column.name)
  // Guards run before any change, so before a rename: the column still has its old name.
  if (madeNotNull(change) && change.to.fill === undefined)
    return guard('assertNoNulls', change.table, change.from.name)
  return []
}

/** An existing column that becomes NOT NULL. */
function madeNotNull(change: SchemaChange): change is Extract<SchemaChange, { kind: 'alterColumn' }> {
  return change.kind === 'alterColumn' && change.from.nullable && !change.to.nullable
}

/** An existing column made NOT NULL whose model gives a default: rows holding NULL get it first. */
export function fillNulls(change: SchemaChange): string[] {
  if (!madeNotNull(change) || change.to.fill === undefined) return []
  return [fill(change.table, change.to.name, change.to.fill.value)]
}

/**
 * The rows of `table` holding NULL in `column` get `value`: the one rule for a column that becomes NOT NULL
 * with a model default, whether added (every row) or made NOT NULL.
 */
export function fill(table: string, column: string, value: FillValue): string {
  return chain(
    [
      `updateTable(${stringLiteral(table)})`,
      `set({ ${key(column)}: ${valueLiteral(value)} })`,
      `where(${stringLiteral(column)}, 'is', null)`,
    ],
    'db',
  )
}
