/**
 * `down()` of a generated migration: the inverse of each change of `up()`, in an order that applies.
 */
import { byChangeOrder, type SchemaChange, type SchemaChangeKind } from './schema-changes.ts'

const INVERSE: { [K in SchemaChangeKind]: (change: Extract<SchemaChange, { kind: K }>) => SchemaChange } = {
  createTable: (c) => ({ kind: 'dropTable', table: c.table }),
  dropTable: (c) => ({ kind: 'createTable', table: c.table }),
  addColumn: (c) => ({ kind: 'dropColumn', table: c.table, column: c.column }),
  dropColumn: (c) => ({ kind: 'addColumn', table: c.table, column: c.column }),
  renameColumn: (c) => ({ ...c, from: c.to, to: c.from }),
  alterPrimaryKey: (c) => ({ ...c, from: c.to, to: c.from }),
  alterColumn: (c) => ({ ...c, from: c.to, to: c.from }),
  createIndex: (c) => ({ kind: 'dropIndex', table: c.table, index: c.index }),
  dropIndex: (c) => ({ kind: 'createIndex', table: c.table, index: c.index }),
  addUnique: (c) => ({ kind: 'dropUnique', table: c.table, unique: c.unique }),
  dropUnique: (c) => ({ kind: 'addUnique', table: c.table, unique: c.unique }),
  // A key added to an existing table gets its own index where the database needs one (MySQL).
  addForeignKey: (c) => ({
    kind: 'dropForeignKey',
    table: c.table,
    foreignKey: { ...c.foreignKey, backingIndex: c.foreignKey.name },
  }),
  dropForeignKey: (c) => ({ kind: 'addForeignKey', table: c.table, foreignKey: c.foreignKey }),
}

/** The changes that undo `changes`, in the order `down()` applies them. */
export function invert(changes: readonly SchemaChange[]): SchemaChange[] {
  // Reversed first, so tables are created parents first and dropped children first; then phased.
  const inverse = [...changes]
    .reverse()
    .map((change) => (INVERSE[change.kind] as (c: SchemaChange) => SchemaChange)(change))
  return inverse.sort(byChangeOrder)
}
