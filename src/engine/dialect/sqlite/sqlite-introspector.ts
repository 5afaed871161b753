import { sql, type Kysely } from 'kysely'
import type {
  ForeignKeySchema,
  IndexSchema,
  ReferentialAction,
  TableSchema,
  UniqueSchema,
} from '../../schema.ts'
import {
  constraintName,
  isTableConstraint,
  parenthesizedNames,
  readIdentifier,
  splitCreateTable,
} from './sqlite-table-sql.ts'

interface IndexRow {
  name: string
  unique: number
  origin: 'c' | 'u' | 'pk'
}

interface ForeignKeyRow {
  id: number
  seq: number
  table: string
  from: string
  to: string | null
  on_delete: string
}

/**
 * The tables of a SQLite database: Kysely's introspection for the columns, the `pragma_*` functions for
 * primary keys, indexes and foreign keys, and the stored `CREATE TABLE` text for constraint names.
 */
export async function introspectSqlite(db: Kysely<any>): Promise<TableSchema[]> {
  const tables = (await db.introspection.getTables()).filter((table) => !table.isView)
  const result: TableSchema[] = []
  for (const table of tables) {
    const info = await rows<{ name: string; pk: number }>(
      db,
      sql`select name, pk from pragma_table_info(${table.name})`,
    )
    const primaryKey = new Set(info.filter((row) => row.pk > 0).map((row) => row.name))
    const [created] = await rows<{ sql: string }>(
      db,
      sql`select sql from sqlite_master where type = 'table' and name = ${table.name}`,
    )
    const constraints = created ? splitCreateTable(created.sql).items.filter(isTableConstraint) : []

    const indexes: IndexSchema[] = []
    const uniques: UniqueSchema[] = []
    for (const index of await rows<IndexRow>(
      db,
      sql`select name, "unique", origin from pragma_index_list(${table.name})`,
    )) {
      if (index.origin === 'pk') continue
      const columns = (
        await rows<{ name: string }>(
          db,
          sql`select name from pragma_index_info(${index.name}) order by seqno`,
        )
      ).map((row) => row.name)
      if (index.origin === 'c') indexes.push({ name: index.name, columns, unique: index.unique === 1 })
      else uniques.push({ name: namedConstraint(constraints, /^unique\b/i, columns), columns })
    }

    const foreignKeys: ForeignKeySchema[] = []
    const fkRows = await rows<ForeignKeyRow>(db, sql`select * from pragma_foreign_key_list(${table.name})`)
    for (const id of new Set(fkRows.map((row) => row.id))) {
      const parts = fkRows.filter((row) => row.id === id).sort((a, b) => a.seq - b.seq)
      const columns = parts.map((row) => row.from)
      foreignKeys.push({
        name: namedConstraint(constraints, /^foreign\s+key\b/i, columns),
        columns,
        table: parts[0]!.table,
        // A reference written without columns means the target's primary key.
        references: parts.map((row) => row.to ?? ''),
        onDelete: parts[0]!.on_delete.toLowerCase() as ReferentialAction,
      })
    }

    result.push({
      name: table.name,
      columns: table.columns.map((column) => ({
        name: column.name,
        type: column.dataType,
        nullable: column.isNullable && !primaryKey.has(column.name),
        primaryKey: primaryKey.has(column.name),
        autoIncrement: column.isAutoIncrementing,
      })),
      indexes,
      uniques,
      foreignKeys,
    })
  }
  return result
}

/** The name given by `constraint "name" <kind> (columns)` to the constraint on these columns, if any. */
function namedConstraint(
  constraints: readonly string[],
  kind: RegExp,
  columns: readonly string[],
): string | undefined {
  for (const item of constraints) {
    const name = constraintName(item)
    if (name === undefined) continue
    const body = readIdentifier(item.slice('constraint'.length)).rest.trim()
    if (kind.test(body) && parenthesizedNames(body).join('\0') === columns.join('\0')) return name
  }
  return undefined
}

async function rows<R>(
  db: Kysely<any>,
  query: { execute(db: Kysely<any>): Promise<{ rows: unknown[] }> },
): Promise<R[]> {
  return (await query.execute(db)).rows as R[]
}

/** SQLite keeps the declared type as written: compare it lowercased, with single spaces. */
export function normalizeSqliteType(type: string): string {
  return type
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*\(\s*/g, '(')
    .replace(/\s*\)/g, ')')
    .trim()
}
