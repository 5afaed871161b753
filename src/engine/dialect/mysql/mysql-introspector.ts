import { sql, type Kysely } from 'kysely'
import type { ForeignKeySchema, IndexSchema, ReferentialAction, TableSchema } from '../../schema.ts'

interface ColumnRow {
  table: string
  column: string
  type: string
  key: string
}

interface IndexRow {
  table: string
  name: string
  non_unique: number | string
  column: string
  prefix: number | string | null
}

interface ForeignKeyRow {
  table: string
  name: string
  column: string
  target: string
  reference: string
  on_delete: string
}

/**
 * The tables of the connected database: Kysely's introspection for tables, nullability and AUTO_INCREMENT,
 * and `information_schema` for full column types, indexes and foreign keys. A unique constraint is a unique
 * index in MySQL, so every unique one is reported as an index.
 */
export async function introspectMysql(db: Kysely<any>): Promise<TableSchema[]> {
  const tables = (await db.introspection.getTables()).filter((t) => !t.isView)
  const columns = (
    await sql<ColumnRow>`
      select TABLE_NAME as \`table\`, COLUMN_NAME as \`column\`, COLUMN_TYPE as \`type\`, COLUMN_KEY as \`key\`
      from information_schema.COLUMNS where TABLE_SCHEMA = database()`.execute(db)
  ).rows
  const indexRows = (
    await sql<IndexRow>`
      select TABLE_NAME as \`table\`, INDEX_NAME as \`name\`, NON_UNIQUE as \`non_unique\`, COLUMN_NAME as \`column\`,
        SUB_PART as \`prefix\`
      from information_schema.STATISTICS where TABLE_SCHEMA = database()
      order by TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`.execute(db)
  ).rows
  const fkRows = (
    await sql<ForeignKeyRow>`
      select k.TABLE_NAME as \`table\`, k.CONSTRAINT_NAME as \`name\`, k.COLUMN_NAME as \`column\`,
        k.REFERENCED_TABLE_NAME as \`target\`, k.REFERENCED_COLUMN_NAME as \`reference\`, r.DELETE_RULE as \`on_delete\`
      from information_schema.KEY_COLUMN_USAGE k
      join information_schema.REFERENTIAL_CONSTRAINTS r
        on r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA and r.CONSTRAINT_NAME = k.CONSTRAINT_NAME and r.TABLE_NAME = k.TABLE_NAME
      where k.TABLE_SCHEMA = database()
      order by k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION`.execute(db)
  ).rows

  return tables.map((table) => {
    const foreignKeys: ForeignKeySchema[] = []
    for (const name of new Set(fkRows.filter((r) => r.table === table.name).map((r) => r.name))) {
      const parts = fkRows.filter((r) => r.table === table.name && r.name === name)
      foreignKeys.push({
        name,
        columns: parts.map((r) => r.column),
        table: parts[0]!.target,
        references: parts.map((r) => r.reference),
        onDelete: parts[0]!.on_delete.toLowerCase() as ReferentialAction,
      })
    }
    const indexes: IndexSchema[] = []
    const own = indexRows.filter((r) => r.table === table.name)
    for (const name of new Set(own.map((r) => r.name))) {
      if (name === 'PRIMARY') continue
      // InnoDB creates an index named after a foreign key that needs one; it belongs to the foreign key.
      const fk = foreignKeys.findIndex((key) => key.name === name)
      if (fk !== -1) {
        foreignKeys[fk] = { ...foreignKeys[fk]!, backingIndex: name }
        continue
      }
      const parts = own.filter((r) => r.name === name)
      const prefixed = parts.filter((r) => r.prefix !== null)
      indexes.push({
        name,
        columns: parts.map((r) => r.column),
        unique: Number(parts[0]!.non_unique) === 0,
        prefixes:
          prefixed.length > 0
            ? Object.fromEntries(prefixed.map((r) => [r.column, Number(r.prefix)]))
            : undefined,
      })
    }
    const key = (column: string) => columns.find((c) => c.table === table.name && c.column === column)
    return {
      name: table.name,
      columns: table.columns.map((column) => ({
        name: column.name,
        type: key(column.name)?.type ?? column.dataType,
        nullable: column.isNullable,
        primaryKey: key(column.name)?.key === 'PRI',
        autoIncrement: column.isAutoIncrementing,
      })),
      indexes,
      uniques: [],
      foreignKeys,
    }
  })
}

const ALIASES: Record<string, string> = {
  integer: 'int',
  bool: 'tinyint(1)',
  boolean: 'tinyint(1)',
  'double precision': 'double',
  real: 'double',
  // MariaDB's JSON is an alias of LONGTEXT with a JSON_VALID check.
  json: 'longtext',
  dec: 'decimal',
  numeric: 'decimal',
}

/** One spelling per type: `integer` and `int(11)` are `int`, `boolean` is `tinyint(1)`. */
export function normalizeMysqlType(type: string): string {
  let t = type.toLowerCase().replace(/\s+/g, ' ').trim()
  // The display width of an integer type (`int(11)`) is not part of the type; `tinyint(1)` is a boolean.
  if (t !== 'tinyint(1)') t = t.replace(/^(tinyint|smallint|mediumint|int|integer|bigint)\(\d+\)/, '$1')
  return ALIASES[t] ?? t
}
