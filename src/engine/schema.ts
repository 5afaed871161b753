/**
 * A database schema as data: the tables that `createAll` creates from the models, and the tables that
 * migrations find in a live database. Both sides have the same shape, so autogenerate compares them.
 */
import { ModelDefinitionError } from '../errors.ts'
import type { Field } from '../model/field.ts'
import type { Metadata, TableModel } from '../model/table.ts'
import type { Dialect } from './dialect/dialect.ts'

/** One column. `type` is SQL, as the dialect spells it (`varchar(255)`, `timestamptz`). */
export interface ColumnSchema {
  readonly name: string
  readonly type: string
  readonly nullable: boolean
  /** Part of the primary key, which has these columns in table order (a composite key has several). */
  readonly primaryKey: boolean
  /** The database assigns the value (SQLite's integer primary key, an identity, AUTO_INCREMENT). */
  readonly autoIncrement: boolean
  /**
   * What a migration that adds this NOT NULL column writes into the rows the table already has: the
   * model's `default`, as stored (JSON as text). Only declared columns have it, and only for a `default`
   * SQL can hold as one value: not `null`, not a `defaultFactory` (a value per row, computed in JavaScript).
   */
  readonly fill?: { readonly value: FillValue } | undefined
}

/**
 * A value a migration can write into every existing row of a new column: a field's `default`.
 *
 * @example
 * const rank: FillValue = 1 // field.integer({ default: 1 }) fills existing rows with 1
 */
export type FillValue = string | number | boolean | bigint

/** An index that is not a constraint: `ix_hero_name`, or a unique index. */
export interface IndexSchema {
  readonly name: string
  readonly columns: readonly string[]
  readonly unique: boolean
  /** The index method, where not the default btree: PostgreSQL's `hash` holds keys of any length. */
  readonly using?: 'hash' | undefined
  /** Columns indexed by their first characters only, by name (MySQL cannot index a TEXT column whole). */
  readonly prefixes?: Readonly<Record<string, number>> | undefined
}

/** A UNIQUE constraint. SQLite loses the name of a constraint written without one. */
export interface UniqueSchema {
  readonly name: string | undefined
  readonly columns: readonly string[]
}

/** What the database does to referencing rows when the referenced row is deleted. */
export type ReferentialAction = 'cascade' | 'set null' | 'set default' | 'restrict' | 'no action'

export interface ForeignKeySchema {
  /** The constraint name; SQLite does not keep one written without `constraint "name"`. */
  readonly name: string | undefined
  readonly columns: readonly string[]
  /** The referenced table. */
  readonly table: string
  readonly references: readonly string[]
  readonly onDelete: ReferentialAction
  /** MySQL: the index of the same name InnoDB keeps for the key, which dropping the key leaves behind. */
  readonly backingIndex?: string | undefined
}

export interface TableSchema {
  readonly name: string
  readonly columns: readonly ColumnSchema[]
  readonly indexes: readonly IndexSchema[]
  readonly uniques: readonly UniqueSchema[]
  readonly foreignKeys: readonly ForeignKeySchema[]
}

/**
 * The table a model declares, in the dialect's SQL types, with the names `createAll` gives: `ix_<table>_<col>`
 * for indexes, `uq_<table>_<col>` for unique constraints and `fk_<table>_<col>_<target>` for foreign keys.
 */
export function declaredTable(table: TableModel, dialect: Dialect): TableSchema {
  const name = table.tableName
  const fields = Object.entries(table.fields)
  const columns = fields.map(([column, field]) => ({
    name: column,
    type: dialect.columnType(field),
    nullable: field.nullable && !field.isPrimaryKey,
    primaryKey: field.isPrimaryKey,
    autoIncrement: column === table.generatedKey,
    fill: fillOf(field),
  }))
  // The primary key's own index serves lookups by its first column; a later column of a composite key,
  // such as a link table's second foreign key, needs its index when the field asks for one.
  const [leadingKey] = table.primaryKeys
  const declaredIndexes: IndexSchema[] = [
    ...fields
      .filter(([column, field]) => field.options.index && column !== leadingKey)
      .map(([column, field]) => ({
        name: `ix_${name}_${column}`,
        columns: [column],
        unique: field.options.unique ?? false,
      })),
    ...table.indexes.map((index) => ({ name: index.name, columns: index.columns, unique: index.unique })),
  ]
  // Text of any length does not fit every index: the dialect decides how to index it.
  const indexes = declaredIndexes.map((index) => {
    const longText = index.columns.filter((column) => table.fields[column]!.isLongText)
    return longText.length > 0 && dialect.indexLongText ? dialect.indexLongText(index, longText) : index
  })
  // A unique column that is also indexed gets a unique index instead, as SQLAlchemy does.
  const uniques: UniqueSchema[] = fields
    .filter(([, field]) => field.options.unique && !field.options.index)
    .map(([column]) => ({ name: `uq_${name}_${column}`, columns: [column] }))
  const foreignKeys: ForeignKeySchema[] = fields.flatMap(([column, field]) => {
    const reference = field.options.foreignKey
    if (!reference) return []
    const [target, targetColumn] = reference.split('.') as [string, string]
    return [
      {
        name: `fk_${name}_${column}_${target}`,
        columns: [column],
        table: target,
        references: [targetColumn],
        onDelete: field.options.onDelete ?? 'no action',
      },
    ]
  })
  return { name, columns, indexes, uniques, foreignKeys }
}

/** The primary key's columns, in table order: one, or several for a composite key. */
export function primaryKeyColumns(table: TableSchema): string[] {
  return table.columns.filter((column) => column.primaryKey).map((column) => column.name)
}

/**
 * The name of a composite primary key constraint: PostgreSQL's own default (`<table>_pkey`), which a
 * single-column key gets too. SQLite keeps it in the table's SQL only; MySQL always names a key `PRIMARY`.
 */
export function primaryKeyName(tableName: string): string {
  return `${tableName}_pkey`
}

/** The model's `default` as one storable value, or `undefined` when the existing rows cannot get one. */
function fillOf(field: Field): ColumnSchema['fill'] {
  if (field.nullable || field.options.defaultFactory || !('default' in field.options)) return undefined
  const value = field.options.default
  if (value === null || value === undefined) return undefined
  // A JSON field stores its value as JSON text, a string included.
  if (JSON_KINDS.has(field.kind))
    return typeof value === 'bigint' ? undefined : { value: JSON.stringify(value) }
  const scalar =
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    typeof value === 'bigint'
  return scalar ? { value } : undefined
}

const JSON_KINDS: ReadonlySet<string> = new Set(['json', 'model', 'list'])

/**
 * Every table of the metadata, ordered so each referenced table comes before the tables referencing it.
 * A foreign key naming no declared table or column throws {@link ModelDefinitionError}.
 */
export function tablesInDependencyOrder(metadata: Metadata): TableModel[] {
  const ordered: TableModel[] = []
  const state = new Map<TableModel, 'visiting' | 'done'>()
  const visit = (table: TableModel): void => {
    if (state.has(table)) return
    state.set(table, 'visiting')
    for (const target of referencedTables(metadata, table)) if (target !== table) visit(target)
    state.set(table, 'done')
    ordered.push(table)
  }
  for (const table of metadata.tables) visit(table)
  return ordered
}

function referencedTables(metadata: Metadata, table: TableModel): TableModel[] {
  const targets: TableModel[] = []
  for (const [name, field] of Object.entries(table.fields)) {
    const reference = field.options.foreignKey
    if (!reference) continue
    const [targetTable, targetColumn] = reference.split('.') as [string, string]
    const target = metadata.get(targetTable)
    if (!target) {
      throw new ModelDefinitionError(
        `${table.name}.${name}: foreignKey "${reference}" points to no declared table. Declare table('${targetTable}', …) before createAll(), or fix the reference.`,
      )
    }
    if (!(targetColumn in target.fields)) {
      throw new ModelDefinitionError(
        `${table.name}.${name}: foreignKey "${reference}" names no column of table '${targetTable}' (${target.name}). Its columns are: ${Object.keys(target.fields).join(', ')}.`,
      )
    }
    targets.push(target)
  }
  return targets
}
