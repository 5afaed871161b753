import {
  sql,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type ColumnDefinitionBuilder,
  type Kysely,
} from 'kysely'
import { IntegrityError, MigrationError, OnemodelError, type ConstraintKind } from '../../../errors.ts'
import type { AnyField, FieldKind } from '../../../model/field.ts'
import { parseIsoDatetime } from '../../../model/iso-datetime.ts'
import { Executor } from '../../executor.ts'
import { kyselyDialect, type Dialect, type MigrationSupport, type StatementSettings } from '../dialect.ts'
import { SqlitePool, type SqliteOptions } from './sqlite-driver.ts'
import { introspectSqlite, normalizeSqliteType } from './sqlite-introspector.ts'

// SQLite's extended result codes for constraint violations (https://sqlite.org/rescode.html).
const CONSTRAINT_CODES: Record<number, ConstraintKind> = {
  275: 'check',
  787: 'foreign_key',
  1299: 'not_null',
  1555: 'primary_key',
  2067: 'unique',
}

const DECODERS: Partial<Record<FieldKind, (value: unknown) => unknown>> = {
  boolean: (value) => (value === null ? null : value === 1 || value === 1n || value === true),
  datetime: (value) => (typeof value === 'string' ? parseIsoDatetime(isoText(value)) : value),
  json: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
}

/**
 * SQLite's date text as ISO 8601: its own `datetime()` form (`2026-12-05 07:33:00`) as UTC, with a `T`
 * and a `Z`. The form onemodel writes, `toISOString()`'s, has its `T` at index 10, found without a scan.
 */
function isoText(value: string): string {
  const iso = value.charCodeAt(10) === 84 || value.includes('T') || value.endsWith('Z')
  return iso ? value : `${value.replace(' ', 'T')}Z`
}

/**
 * SQLite through node:sqlite: dates as ISO 8601 text, booleans as 0/1, JSON as text. Statements are
 * always kept prepared, per connection (`statementCacheSize`): they live in the process, so `prepare`,
 * which is about servers, does not apply.
 */
export function sqliteDialect(
  config: SqliteOptions & { filename: string; memory: boolean },
  settings: StatementSettings,
): Dialect {
  const executor = new Executor(new SqlitePool(config), {
    mapError: (error) => integrityError(error) ?? busyError(error, config) ?? (error as Error),
    onQuery: settings.onQuery,
    log: settings.log,
  })
  return {
    name: 'sqlite',
    executor,
    kysely: kyselyDialect(executor, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler),
    supportsReturning: true,
    supportsRowLocks: false,
    supportsNullsOrder: true,
    supportsLimitInList: true,
    likeEscape: "escape '\\'",
    columnType,
    autoIncrement: (column: ColumnDefinitionBuilder) => column,
    decoder: (kind) => DECODERS[kind],
    // json_group_array() keeps each value as the column holds it: 0/1, datetimes and JSON as text.
    jsonArrayAggregate: 'json_group_array',
    jsonArrayTakesLimit: false,
    jsonArrayElement: (kind) => DECODERS[kind],
    integrityError,
    migrations: MIGRATIONS,
  }
}

/**
 * Kysely's SQLite adapter, for the migrator. A migration command runs in one transaction, each revision in
 * a savepoint of it; onemodel's driver begins it IMMEDIATE, which takes SQLite's write lock and so serves
 * as the migration lock between processes.
 *
 * The lock hooks run on the migrator's connection just before its transaction begins and after it ends,
 * the only moments `pragma foreign_keys` can change: foreign keys are off while migrations run, so the
 * table-rebuild recipe can drop a referenced table without cascading, and {@link verifyForeignKeys} checks
 * them before each migration commits.
 */
class SqliteMigrationAdapter extends SqliteAdapter {
  #restoreForeignKeys = false

  override async acquireMigrationLock(db: Kysely<any>): Promise<void> {
    const { rows } = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(db)
    this.#restoreForeignKeys = rows[0]?.foreign_keys === 1
    if (this.#restoreForeignKeys) await sql`pragma foreign_keys = off`.execute(db)
  }

  override async releaseMigrationLock(db: Kysely<any>): Promise<void> {
    if (this.#restoreForeignKeys) await sql`pragma foreign_keys = on`.execute(db)
  }
}

async function verifyForeignKeys(db: Kysely<any>): Promise<void> {
  const { rows } = await sql<{ table: string; parent: string }>`pragma foreign_key_check`.execute(db)
  if (rows.length === 0) return
  const tables = [...new Set(rows.map((row) => `'${row.table}' → '${row.parent}'`))].join(', ')
  throw new MigrationError(
    'OM_MIGRATE_REBUILD',
    `The migration leaves ${rows.length} row(s) referencing missing rows (${tables}). It was rolled back; fix the data or the migration.`,
  )
}

const MIGRATIONS: MigrationSupport = {
  introspect: introspectSqlite,
  normalizeType: normalizeSqliteType,
  alterColumn: 'rebuild',
  alterConstraints: false,
  uniqueConstraintsAreIndexes: false,
  dropIndexNamesTable: false,
  foreignKeysNeedIndex: false,
  transactionalDdl: true,
  migrationLock: () => ({ adapter: new SqliteMigrationAdapter(), inTransaction: true }),
  verify: verifyForeignKeys,
}

function columnType(field: AnyField) {
  switch (field.kind) {
    case 'integer':
    case 'boolean':
      return 'integer'
    case 'number':
      return 'real'
    default:
      // SQLite keeps text of any length; the declared length stays a validation rule.
      return field.kind === 'string' && field.options.maxLength !== undefined
        ? `varchar(${field.options.maxLength})`
        : 'text'
  }
}

function integrityError(error: unknown): IntegrityError | undefined {
  const errcode = (error as { errcode?: number } | null)?.errcode
  if (typeof errcode !== 'number' || (errcode & 0xff) !== 19) return undefined
  const message = (error as Error).message
  // ON DELETE RESTRICT fails with SQLITE_CONSTRAINT_TRIGGER (1811), not SQLITE_CONSTRAINT_FOREIGNKEY.
  const kind =
    CONSTRAINT_CODES[errcode] ??
    (message.startsWith('FOREIGN KEY constraint failed') ? 'foreign_key' : 'unknown')
  // SQLite names the columns ("UNIQUE constraint failed: hero.name") but never the values.
  const target = /constraint failed: (.+)$/i.exec(message)?.[1]
  return new IntegrityError(
    `${message}. The database rejected the write; roll back and fix the data.`,
    kind,
    target,
    error,
  )
}

// SQLITE_BUSY and SQLITE_LOCKED: another connection (usually another process) held the lock past busy_timeout.
function busyError(error: unknown, config: SqliteOptions & { filename: string }): OnemodelError | undefined {
  const errcode = (error as { errcode?: number } | null)?.errcode
  if (typeof errcode !== 'number' || ((errcode & 0xff) !== 5 && (errcode & 0xff) !== 6)) return undefined
  return new OnemodelError(
    'OM_ENGINE_BUSY',
    `SQLite database ${config.filename} stayed locked by another connection for longer than the busy timeout (${config.busyTimeout ?? 5000} ms). Keep transactions short in the other process, or raise the engine's sqlite.busyTimeout.`,
    { cause: error },
  )
}
