/**
 * A new table in a generated migration: `createTable` with its columns, primary key, unique constraints
 * and foreign keys, then its indexes.
 */
import {
  primaryKeyColumns,
  primaryKeyName,
  type ForeignKeySchema,
  type IndexSchema,
  type TableSchema,
} from '../schema.ts'
import { columnDefinition, dataType } from './render-columns.ts'
import type { RenderScope } from './render-scope.ts'
import { chain, stringLiteral, strings } from './render-source.ts'

/** `await db.schema.createTable(…)…`, and a `createIndex` statement for each of the table's indexes. */
export function createTable(scope: RenderScope, table: TableSchema): string {
  const calls = [`createTable(${stringLiteral(table.name)})`]
  // A composite key is one table constraint, as createAll writes it; a single key stays on its column.
  const keys = primaryKeyColumns(table)
  for (const column of table.columns) {
    const definition = columnDefinition(
      scope.dialect,
      keys.length > 1 ? { ...column, primaryKey: false } : column,
      false,
    )
    calls.push(`addColumn(${stringLiteral(column.name)}, ${dataType(scope, column.type)}${definition})`)
  }
  if (keys.length > 1) {
    calls.push(`addPrimaryKeyConstraint(${stringLiteral(primaryKeyName(table.name))}, ${strings(keys)})`)
  }
  for (const unique of table.uniques) {
    calls.push(
      `addUniqueConstraint(${stringLiteral(unique.name ?? `uq_${table.name}_${unique.columns.join('_')}`)}, ${strings(unique.columns)})`,
    )
  }
  for (const fk of table.foreignKeys) calls.push(foreignKey(table.name, fk))
  const options = scope.dialect.tableOptions
  if (options) {
    scope.helpers.add('sql')
    calls.push(`modifyEnd(sql\`${options}\`)`)
  }
  const lines = [chain(calls)]
  for (const index of table.indexes) lines.push(createIndex(scope, table.name, index))
  return lines.join('\n')
}

/** `await db.schema.createIndex(…).on(…)…`: `index` of `table`. */
export function createIndex(scope: RenderScope, table: string, index: IndexSchema): string {
  const prefixed = index.columns.some((column) => index.prefixes?.[column] !== undefined)
  if (prefixed) scope.helpers.add('sql')
  const columns = prefixed
    ? index.columns.map((column) => {
        const prefix = index.prefixes?.[column]
        return prefix === undefined
          ? `column(${stringLiteral(column)})`
          : `column(sql\`\${sql.ref(${stringLiteral(column)})}(${prefix})\`)`
      })
    : [`columns(${strings(index.columns)})`]
  return chain([
    `createIndex(${stringLiteral(index.name)})`,
    `on(${stringLiteral(table)})`,
    ...columns,
    ...(index.using ? [`using(${stringLiteral(index.using)})`] : []),
    ...(index.unique ? ['unique()'] : []),
  ])
}

/** The `addForeignKeyConstraint(…)` call of `fk`, a key of `table`, for a create or alter table chain. */
export function foreignKey(table: string, fk: ForeignKeySchema): string {
  const name = fk.name ?? `fk_${table}_${fk.columns.join('_')}_${fk.table}`
  const action = fk.onDelete === 'no action' ? '' : `, (fk) => fk.onDelete(${stringLiteral(fk.onDelete)})`
  return `addForeignKeyConstraint(${stringLiteral(name)}, ${strings(fk.columns)}, ${stringLiteral(fk.table)}, ${strings(fk.references)}${action})`
}
