/**
 * SQLite's table rebuild in a generated migration: which tables' changes ALTER TABLE cannot make, and the
 * one `rebuildTable()` call that makes them instead, constraints written as SQL text.
 */
import type { Dialect } from '../dialect/dialect.ts'
import type { ForeignKeySchema, UniqueSchema } from '../schema.ts'
import type { RenderScope } from './render-scope.ts'
import { fitList, key, quote, stringLiteral, WIDTH } from './render-source.ts'
import type { SchemaChange, SchemaChangeKind } from './schema-changes.ts'

/** Changes SQLite makes by rebuilding the table rather than with ALTER TABLE. */
const REBUILT: ReadonlySet<SchemaChangeKind> = new Set([
  'alterColumn',
  'addUnique',
  'dropUnique',
  'addForeignKey',
  'dropForeignKey',
])

/** Changes that join a SQLite table's rebuild when the table is rebuilt anyway. */
export const REBUILDABLE: ReadonlySet<SchemaChangeKind> = new Set([...REBUILT, 'addColumn', 'dropColumn'])

/** SQLite's tables whose changes need the rebuild recipe. */
export function rebuiltTables(dialect: Dialect, changes: readonly SchemaChange[]): Set<string> {
  const rebuilt = new Set<string>()
  if (dialect.migrations.alterColumn !== 'rebuild') return rebuilt
  for (const change of changes) {
    if (change.kind === 'createTable' || change.kind === 'dropTable') continue
    // ALTER TABLE ADD COLUMN cannot add a NOT NULL column without a default; a rebuild can, to an empty table.
    const emptyNotNull =
      change.kind === 'addColumn' && !change.column.nullable && change.column.fill === undefined
    if (REBUILT.has(change.kind) || emptyNotNull) {
      rebuilt.add(change.table)
    }
  }
  return rebuilt
}

/** One `rebuildTable()` call for every change of a SQLite table that ALTER TABLE cannot make. */
export function rebuild(scope: RenderScope, table: string, changes: readonly SchemaChange[]): string {
  scope.helpers.add('rebuildTable')
  const add: string[] = []
  const alter: string[] = []
  const drop: string[] = []
  const addConstraints: string[] = []
  const dropConstraints: string[] = []
  for (const change of changes) {
    switch (change.kind) {
      case 'addColumn':
        add.push(
          `${key(change.column.name)}: { type: ${stringLiteral(change.column.type)}, nullable: ${change.column.nullable} }`,
        )
        break
      case 'dropColumn':
        drop.push(stringLiteral(change.column.name))
        break
      case 'alterColumn': {
        const parts: string[] = []
        if (change.typeChanged) parts.push(`type: ${stringLiteral(change.to.type)}`)
        if (change.from.nullable !== change.to.nullable) parts.push(`nullable: ${change.to.nullable}`)
        alter.push(`${key(change.to.name)}: { ${parts.join(', ')} }`)
        break
      }
      case 'addUnique':
        addConstraints.push(stringLiteral(uniqueSql(change.unique)))
        break
      case 'addForeignKey':
        addConstraints.push(stringLiteral(foreignKeySql(change.foreignKey)))
        break
      case 'dropUnique':
      case 'dropForeignKey': {
        const name = change.kind === 'dropUnique' ? change.unique.name : change.foreignKey.name
        if (name !== undefined) dropConstraints.push(stringLiteral(name))
        break
      }
    }
  }
  const lists: [string, string[]][] = [
    ['drop', drop],
    ['addConstraints', addConstraints],
    ['dropConstraints', dropConstraints],
  ]
  const options = [
    add.length > 0 ? `add: { ${add.join(', ')} }` : '',
    alter.length > 0 ? `alter: { ${alter.join(', ')} }` : '',
    ...lists.map(([key, items]) => (items.length > 0 ? `${key}: [${items.join(', ')}]` : '')),
  ].filter((part) => part !== '')
  const oneLine = `  await rebuildTable(db, ${stringLiteral(table)}, { ${options.join(', ')} })`
  if (oneLine.length <= WIDTH) return oneLine
  return [
    `  await rebuildTable(db, ${stringLiteral(table)}, {`,
    ...(add.length > 0 ? [`    add: { ${add.join(', ')} },`] : []),
    ...(alter.length > 0 ? [`    alter: { ${alter.join(', ')} },`] : []),
    ...lists.filter(([, items]) => items.length > 0).map(([key, items]) => fitList('    ', key, items)),
    '  })',
  ].join('\n')
}

function uniqueSql(unique: UniqueSchema): string {
  const columns = unique.columns.map(quote).join(', ')
  return unique.name === undefined
    ? `unique (${columns})`
    : `constraint ${quote(unique.name)} unique (${columns})`
}

function foreignKeySql(fk: ForeignKeySchema): string {
  const name = fk.name === undefined ? '' : `constraint ${quote(fk.name)} `
  const action = fk.onDelete === 'no action' ? '' : ` on delete ${fk.onDelete}`
  return `${name}foreign key (${fk.columns.map(quote).join(', ')}) references ${quote(fk.table)} (${fk.references.map(quote).join(', ')})${action}`
}
