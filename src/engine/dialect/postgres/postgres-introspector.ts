import { sql, type Kysely } from 'kysely'
import { DEFAULT_MIGRATION_LOCK_TABLE, DEFAULT_MIGRATION_TABLE } from 'kysely/migration'
import type { ReferentialAction, TableSchema } from '../../schema.ts'

interface ColumnRow {
  table: string
  column: string
  type: string
  nullable: boolean
  auto_increment: boolean
}

interface ConstraintRow {
  table: string
  name: string
  kind: 'p' | 'u' | 'f'
  columns: string[]
  target: string | null
  references: string[] | null
  on_delete: string
}

interface IndexRow {
  table: string
  name: string
  unique: boolean
  method: string
  columns: string[] | null
}

const ACTIONS: Record<string, ReferentialAction> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
}

/**
 * The tables of the current schema (`search_path`), read from `pg_catalog` for that schema only: columns
 * with their full types (`character varying(100)`), nullability and identity, constraints and indexes.
 * Kysely's introspection is not used: it scans every schema and checks each one's privileges, which fails
 * when another connection drops a schema meanwhile (a tenant's, a test's).
 */
export async function introspectPostgres(db: Kysely<any>): Promise<TableSchema[]> {
  const schema = await currentSchema(db)
  const columns = (
    await sql<ColumnRow>`
      select c.relname as "table", a.attname as "column", format_type(a.atttypid, a.atttypmod) as "type",
        not a.attnotnull as "nullable",
        pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) is not null
          as "auto_increment"
      from pg_attribute a
      join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${schema} and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
        and c.relname not in (${DEFAULT_MIGRATION_TABLE}, ${DEFAULT_MIGRATION_LOCK_TABLE})
      order by c.relname, a.attnum`.execute(db)
  ).rows
  const tables = Map.groupBy(columns, (column) => column.table)
  const constraints = (
    await sql<ConstraintRow>`
      select c.relname as "table", con.conname as "name", con.contype as "kind", f.relname as "target",
        con.confdeltype as "on_delete",
        array(select a.attname::text from unnest(con.conkey) with ordinality k(num, ord)
          join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.num order by k.ord) as "columns",
        array(select a.attname::text from unnest(con.confkey) with ordinality k(num, ord)
          join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.num order by k.ord) as "references"
      from pg_constraint con
      join pg_class c on c.oid = con.conrelid
      join pg_namespace n on n.oid = c.relnamespace
      left join pg_class f on f.oid = con.confrelid
      where n.nspname = ${schema} and con.contype in ('p', 'u', 'f')
      order by con.conname`.execute(db)
  ).rows
  // Indexes that back a primary key or unique constraint are reported as those constraints.
  const indexes = (
    await sql<IndexRow>`
      select t.relname as "table", i.relname as "name", ix.indisunique as "unique", am.amname as "method",
        case when 0 = any(ix.indkey::int2[]) then null else
          array(select a.attname::text from unnest(ix.indkey::int2[]) with ordinality k(num, ord)
            join pg_attribute a on a.attrelid = ix.indrelid and a.attnum = k.num order by k.ord) end as "columns"
      from pg_index ix
      join pg_class i on i.oid = ix.indexrelid
      join pg_am am on am.oid = i.relam
      join pg_class t on t.oid = ix.indrelid
      join pg_namespace n on n.oid = t.relnamespace
      where n.nspname = ${schema}
        and not exists (select 1 from pg_constraint con where con.conindid = ix.indexrelid and con.contype in ('p', 'u', 'x'))
      order by i.relname`.execute(db)
  ).rows

  return [...tables].map(([name, tableColumns]) => {
    const own = constraints.filter((c) => c.table === name)
    const primaryKey = new Set(own.filter((c) => c.kind === 'p').flatMap((c) => c.columns))
    return {
      name,
      columns: tableColumns.map((column) => ({
        name: column.column,
        type: column.type,
        nullable: column.nullable && !primaryKey.has(column.column),
        primaryKey: primaryKey.has(column.column),
        autoIncrement: column.auto_increment,
      })),
      // An expression index has no column list; it is not something a model declares, so it is left alone.
      indexes: indexes
        .filter((index) => index.table === name && index.columns !== null)
        .map((index) => ({
          name: index.name,
          columns: index.columns!,
          unique: index.unique,
          using: index.method === 'hash' ? ('hash' as const) : undefined,
        })),
      uniques: own.filter((c) => c.kind === 'u').map((c) => ({ name: c.name, columns: c.columns })),
      foreignKeys: own
        .filter((c) => c.kind === 'f')
        .map((c) => ({
          name: c.name,
          columns: c.columns,
          table: c.target!,
          references: c.references ?? [],
          onDelete: ACTIONS[c.on_delete] ?? 'no action',
        })),
    }
  })
}

/** The first schema of the `search_path` that exists: where unqualified tables are created. */
export async function currentSchema(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db)
  return rows[0]!.schema
}

const ALIASES: Record<string, string> = {
  int: 'integer',
  int4: 'integer',
  int2: 'smallint',
  int8: 'bigint',
  float8: 'double precision',
  float4: 'real',
  bool: 'boolean',
  varchar: 'character varying',
  char: 'character',
  timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
  timetz: 'time with time zone',
  time: 'time without time zone',
  decimal: 'numeric',
}

/** PostgreSQL's own spelling, as `format_type` gives it: `varchar(100)` → `character varying(100)`. */
export function normalizePostgresType(type: string): string {
  const t = type.toLowerCase().replace(/\s+/g, ' ').trim()
  const match = /^([a-z0-9_ ]+?)\s*(\(.*\))?$/.exec(t)
  if (!match) return t
  const base = ALIASES[match[1]!] ?? match[1]!
  const args = match[2]?.replace(/\s+/g, '')
  if (args === undefined) return base
  // Precision goes inside the words: timestamp(3) with time zone.
  const zone = / with(out)? time zone$/.exec(base)
  return zone ? `${base.slice(0, zone.index)}${args}${zone[0]}` : `${base}${args}`
}
