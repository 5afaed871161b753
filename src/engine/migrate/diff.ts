/**
 * Autogenerate's comparison: the tables the models declare against the tables the database has, as a list
 * of changes (schema-changes.ts) in the order `up()` applies them. Renames are never guessed: a renamed
 * column is a drop and an add, with a warning that says how to write the rename instead, unless the caller
 * names the rename.
 */
import { MigrationError } from '../../errors.ts'
import type { MigrationSupport } from '../dialect/dialect.ts'
import {
  primaryKeyColumns,
  type ForeignKeySchema,
  type IndexSchema,
  type ReferentialAction,
  type TableSchema,
} from '../schema.ts'
import { byChangeOrder, type SchemaChange, type SchemaDiff } from './schema-changes.ts'

/** The sentences a comparison says besides its changes. */
class Notes {
  readonly warnings: string[] = []
  readonly edits: string[] = []

  /** Worth reading; the revision is right as written. */
  warn(message: string): void {
    this.warnings.push(message)
  }

  /** The revision is wrong unless it is edited by hand. */
  edit(message: string): void {
    this.warnings.push(message)
    this.edits.push(message)
  }
}

/**
 * A column the models renamed.
 *
 * @example
 * await migrator.revision('rename name', { renames: [{ table: 'hero', from: 'name', to: 'full_name' }] })
 */
export interface ColumnRename {
  readonly table: string
  readonly from: string
  readonly to: string
}

/** What {@link diffSchemas} is told that it cannot see. */
interface DiffOptions {
  /** Columns renamed in the models: written as renames, which keep the values, not as a drop and an add. */
  readonly renames?: readonly ColumnRename[]
}

/** Compares declared tables (in dependency order) with live ones. */
export function diffSchemas(
  declared: readonly TableSchema[],
  live: readonly TableSchema[],
  support: MigrationSupport,
  options: DiffOptions = {},
): SchemaDiff {
  const changes: SchemaChange[] = []
  const notes = new Notes()
  const liveByName = new Map(live.map((table) => [table.name, table]))
  const declaredNames = new Set(declared.map((table) => table.name))
  const renames = options.renames ?? []
  for (const rename of renames) checkRename(rename, declared, liveByName)

  for (const want of declared) {
    const have = liveByName.get(want.name)
    if (!have) {
      changes.push({ kind: 'createTable', table: want })
      continue
    }
    const renamed = renames.filter((rename) => rename.table === want.name)
    for (const { table, from, to } of renamed) changes.push({ kind: 'renameColumn', table, from, to })
    const current = renamed.reduce(renameColumn, have)
    const compared: SchemaChange[] = []
    compareTable(prepare(want, support), prepare(current, support), support, compared, notes)
    changes.push(...compared.map((change) => underLiveName(change, have, renamed)))
  }
  const dropped = dropOrder(live.filter((table) => !declaredNames.has(table.name)))
  for (const table of dropped) changes.push({ kind: 'dropTable', table })

  const created = changes.filter((c) => c.kind === 'createTable').map((c) => c.table.name)
  if (created.length > 0 && dropped.length > 0) {
    notes.edit(
      `Table(s) ${list(dropped.map((t) => t.name))} dropped and ${list(created)} created. If a table was renamed, replace the drop and create with db.schema.alterTable('old').renameTo('new'), or its rows are lost.`,
    )
  }
  for (const table of dropped) {
    notes.warn(`Table '${table.name}' is not declared by any model: up() drops it with its rows.`)
  }
  return { changes: changes.sort(byChangeOrder), warnings: notes.warnings, edits: notes.edits }
}

/** A rename must name a column the database has and the models no longer declare, and the other way round. */
function checkRename(
  rename: ColumnRename,
  declared: readonly TableSchema[],
  liveByName: ReadonlyMap<string, TableSchema>,
): void {
  const { table, from, to } = rename
  const want = declared.find((t) => t.name === table)
  const have = liveByName.get(table)
  const problem =
    !want || !have
      ? `no table '${table}' is both declared and in the database`
      : !have.columns.some((c) => c.name === from)
        ? `the database's table '${table}' has no column '${from}'`
        : !want.columns.some((c) => c.name === to)
          ? `the model of '${table}' declares no column '${to}'`
          : want.columns.some((c) => c.name === from)
            ? `the model of '${table}' still declares '${from}'`
            : have.columns.some((c) => c.name === to)
              ? `the database's table '${table}' already has a column '${to}'`
              : undefined
  if (problem !== undefined) {
    throw new MigrationError('OM_MIGRATE_RENAME', `Cannot rename ${table}.${from} to ${to}: ${problem}.`)
  }
}

/**
 * The live table as it is once `up()` renamed a column. Its indexes and constraints keep the old column
 * name, so those over the column are dropped and made again: `down()` then restores them as they were.
 */
function renameColumn(table: TableSchema, rename: ColumnRename): TableSchema {
  return {
    ...table,
    columns: table.columns.map((c) => (c.name === rename.from ? { ...c, name: rename.to } : c)),
  }
}

/** An altered column's `from` under the name the database has before `up()` renames it. */
function underLiveName(
  change: SchemaChange,
  have: TableSchema,
  renamed: readonly ColumnRename[],
): SchemaChange {
  if (change.kind !== 'alterColumn') return change
  const rename = renamed.find((r) => r.to === change.from.name)
  const live = rename && have.columns.find((c) => c.name === rename.from)
  return live ? { ...change, from: live } : change
}

/** On MySQL a unique constraint is a unique index: compare declared ones as what the database reports. */
function prepare(table: TableSchema, support: MigrationSupport): TableSchema {
  if (!support.uniqueConstraintsAreIndexes || table.uniques.length === 0) return table
  return {
    ...table,
    indexes: [
      ...table.indexes,
      ...table.uniques.map((u) => ({ name: u.name!, columns: u.columns, unique: true })),
    ],
    uniques: [],
  }
}

function compareTable(
  want: TableSchema,
  have: TableSchema,
  support: MigrationSupport,
  changes: SchemaChange[],
  notes: Notes,
): void {
  const table = want.name
  const haveColumns = new Map(have.columns.map((c) => [c.name, c]))
  const wantColumns = new Map(want.columns.map((c) => [c.name, c]))
  const added: string[] = []
  const removed: string[] = []
  for (const column of want.columns) {
    const current = haveColumns.get(column.name)
    if (!current) {
      added.push(column.name)
      changes.push({ kind: 'addColumn', table, column })
      continue
    }
    const typeChanged = support.normalizeType(current.type) !== support.normalizeType(column.type)
    if (typeChanged || current.nullable !== column.nullable) {
      changes.push({ kind: 'alterColumn', table, from: current, to: column, typeChanged })
      if (typeChanged) {
        notes.warn(
          `${table}.${column.name} changes type from ${current.type} to ${column.type}: check that the existing values convert.`,
        )
      }
    }
  }
  for (const column of have.columns) {
    if (wantColumns.has(column.name)) continue
    removed.push(column.name)
    changes.push({ kind: 'dropColumn', table, column })
  }
  if (added.length > 0 && removed.length > 0) {
    notes.edit(
      `${table}: column(s) ${list(removed)} dropped and ${list(added)} added. If a column was renamed, generate the revision again with --rename ${table}.old:new, or replace the drop and add with db.schema.alterTable('${table}').renameColumn('old', 'new'), or its values are lost.`,
    )
  }

  const [from, to] = [primaryKeyColumns(have), primaryKeyColumns(want)]
  if (!same(from, to)) {
    changes.push({ kind: 'alterPrimaryKey', table, from, to })
    notes.edit(
      `${table}: the primary key changes from (${from.join(', ')}) to (${to.join(', ')}). Autogenerate does not write primary key changes: write it by hand where up() and down() say so.`,
    )
  }

  // Indexes by name: a changed index is dropped and created again.
  for (const index of want.indexes) {
    const current = have.indexes.find((i) => i.name === index.name)
    if (current && sameIndex(current, index)) continue
    if (current) changes.push({ kind: 'dropIndex', table, index: current })
    changes.push({ kind: 'createIndex', table, index })
  }
  for (const index of have.indexes) {
    if (!want.indexes.some((i) => i.name === index.name)) changes.push({ kind: 'dropIndex', table, index })
  }

  const uniques = pair(want.uniques, have.uniques, (a, b) => same(a.columns, b.columns))
  for (const unique of uniques.missing) changes.push({ kind: 'addUnique', table, unique })
  for (const unique of uniques.extra) changes.push({ kind: 'dropUnique', table, unique })

  const foreignKeys = pair(want.foreignKeys, have.foreignKeys, sameForeignKey)
  for (const foreignKey of foreignKeys.extra) changes.push({ kind: 'dropForeignKey', table, foreignKey })
  for (const foreignKey of foreignKeys.missing) changes.push({ kind: 'addForeignKey', table, foreignKey })

  // SQLite drops a constraint by rebuilding the table without it, which needs the constraint's name.
  const unnamed = [...uniques.extra, ...foreignKeys.extra].filter((c) => c.name === undefined)
  if (!support.alterConstraints && unnamed.length > 0) {
    notes.edit(
      `${table}: a constraint on (${unnamed.map((c) => c.columns.join(', ')).join('), (')}) has no name, so the revision cannot drop it. Rebuild the table by hand, or name the constraint.`,
    )
  }
}

/**
 * Matches declared and live constraints: by name where both have one, by shape where the database lost the
 * name (SQLite). A named pair whose shape differs counts as one missing and one extra.
 */
function pair<T extends { readonly name: string | undefined }>(
  want: readonly T[],
  have: readonly T[],
  equal: (a: T, b: T) => boolean,
): { missing: T[]; extra: T[] } {
  const unmatched = new Set(have)
  const missing: T[] = []
  for (const item of want) {
    const byName = [...unmatched].find((h) => h.name !== undefined && h.name === item.name)
    const match = byName ?? [...unmatched].find((h) => h.name === undefined && equal(h, item))
    if (match && equal(match, item)) unmatched.delete(match)
    else missing.push(item)
  }
  return { missing, extra: [...unmatched] }
}

function sameIndex(a: IndexSchema, b: IndexSchema): boolean {
  return (
    a.unique === b.unique &&
    same(a.columns, b.columns) &&
    a.using === b.using &&
    a.columns.every((column) => a.prefixes?.[column] === b.prefixes?.[column])
  )
}

// RESTRICT and NO ACTION differ only in when PostgreSQL checks; MySQL treats them as one.
const action = (a: ReferentialAction) => (a === 'restrict' ? 'no action' : a)

function sameForeignKey(a: ForeignKeySchema, b: ForeignKeySchema): boolean {
  return (
    same(a.columns, b.columns) &&
    a.table === b.table &&
    (same(a.references, b.references) || a.references.includes('') || b.references.includes('')) &&
    action(a.onDelete) === action(b.onDelete)
  )
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i])
}

/** Tables to drop, referencing tables before the tables they reference. */
function dropOrder(tables: readonly TableSchema[]): TableSchema[] {
  const ordered: TableSchema[] = []
  const seen = new Set<string>()
  const visit = (table: TableSchema): void => {
    if (seen.has(table.name)) return
    seen.add(table.name)
    for (const other of tables) {
      if (other !== table && other.foreignKeys.some((fk) => fk.table === table.name)) visit(other)
    }
    ordered.push(table)
  }
  for (const table of tables) visit(table)
  return ordered
}

function list(names: readonly string[]): string {
  return names.map((name) => `'${name}'`).join(', ')
}
