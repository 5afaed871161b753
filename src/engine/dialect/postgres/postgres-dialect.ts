import { PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, type Kysely } from 'kysely'
import { IntegrityError, type ConstraintKind } from '../../../errors.ts'
import type { AnyField } from '../../../model/field.ts'
import type { IndexSchema } from '../../schema.ts'
import { transactionPoolingError } from '../../transaction-pooling.ts'
import {
  DEFAULT_STATEMENT_CACHE_SIZE,
  kyselyDialect,
  serverErrorMapper,
  serverExecutor,
  type Dialect,
  type PoolOptions,
  type StatementSettings,
} from '../dialect.ts'
import { PostgresPool } from './postgres-driver.ts'
import { currentSchema, introspectPostgres, normalizePostgresType } from './postgres-introspector.ts'

// SQLSTATE class 23, integrity constraint violation.
const CONSTRAINT_CODES: Record<string, ConstraintKind> = {
  '23502': 'not_null',
  '23503': 'foreign_key',
  '23505': 'unique',
  '23514': 'check',
}

// Values the column cannot hold: string_data_right_truncation, numeric_value_out_of_range,
// invalid_datetime_format, datetime_field_overflow, character_not_in_repertoire (NUL in text),
// invalid_text_representation (a lone surrogate in jsonb), untranslatable_character (\u0000 in jsonb), and
// program_limit_exceeded (a key longer than a btree index row holds).
const DATA_CODES = new Set(['22001', '22003', '22007', '22008', '22021', '22P02', '22P05', '54000'])
// query_canceled: what statement_timeout raises
const TIMEOUT_CODES = new Set(['57014'])
// lock_not_available: FOR UPDATE NOWAIT on a locked row, or a lock_timeout
const LOCKED_CODES = new Set(['55P03'])

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  '28P01',
  '28000',
  '3D000',
  '57P01',
])

/**
 * PostgreSQL through pg: identity keys, RETURNING, timestamptz, jsonb, native uuid and boolean. Behind a
 * pooler in transaction pooling mode, a migration command runs in one transaction that holds the lock.
 */
export function postgresDialect(url: URL, pool: PoolOptions, settings: StatementSettings): Dialect {
  if (settings.transactionPooling && pool.statementTimeout !== undefined) {
    // pg sends it as a startup parameter, which PgBouncer refuses (and SET would outlive a transaction).
    throw transactionPoolingError(
      "pool.statementTimeout is a setting of the server connection, which a pooler in transaction pooling mode (the URL's ?pgbouncer=true) shares between clients. Set it on the role instead: ALTER ROLE app SET statement_timeout = '5s'.",
    )
  }
  const mapError = serverErrorMapper(url, {
    integrityError,
    data: DATA_CODES,
    timeout: TIMEOUT_CODES,
    locked: LOCKED_CODES,
    connection: CONNECTION_CODES,
  })
  const statementCacheSize = pool.statementCacheSize ?? DEFAULT_STATEMENT_CACHE_SIZE
  const native = new PostgresPool(url, pool, settings.readTimeout)
  const executor = serverExecutor(native, statementCacheSize, settings, mapError)
  return {
    name: 'postgres',
    executor,
    kysely: kyselyDialect(executor, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler),
    supportsReturning: true,
    supportsRowLocks: true,
    supportsNullsOrder: true,
    supportsLimitInList: true,
    likeEscape: "escape '\\'",
    columnType,
    indexLongText,
    autoIncrement: (column) => column.generatedByDefaultAsIdentity(),
    decoder: () => undefined,
    integrityError,
    migrations: {
      introspect: introspectPostgres,
      normalizeType: normalizePostgresType,
      alterColumn: 'alter',
      alterConstraints: true,
      uniqueConstraintsAreIndexes: false,
      dropIndexNamesTable: false,
      foreignKeysNeedIndex: false,
      transactionalDdl: true,
      ...(settings.transactionPooling ? TRANSACTION_LOCK : SESSION_LOCK),
      // The migrations table belongs in the current schema, which the URL's search_path may choose.
      currentSchema,
    },
  }
}

/** The key of Kysely's migration lock, so migrators behind a pooler and direct ones exclude each other. */
const MIGRATION_LOCK_ID = 3853314791062309107n

/** Kysely's adapter takes a session advisory lock, which the connection holds until it unlocks. */
const SESSION_LOCK = { lockIsTransaction: false, migrationAdapter: () => new PostgresAdapter() }

/**
 * Behind transaction pooling a session lock would stay on a server connection the pooler hands to others:
 * the command runs in one transaction, each revision in a savepoint, and holds a transaction advisory lock.
 */
const TRANSACTION_LOCK = {
  lockIsTransaction: true,
  migrationAdapter: () => new TransactionLockAdapter(),
  lockTransaction: async (db: Kysely<any>) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(MIGRATION_LOCK_ID)})`.execute(db)
  },
}

/** Kysely's adapter without its session lock: the transaction takes the lock (see `TRANSACTION_LOCK`). */
class TransactionLockAdapter extends PostgresAdapter {
  override async acquireMigrationLock(): Promise<void> {}
  override async releaseMigrationLock(): Promise<void> {}
}

function columnType(field: AnyField): string {
  switch (field.kind) {
    case 'integer':
      return field.isWideInteger ? 'bigint' : 'integer'
    case 'number':
      return 'double precision'
    case 'boolean':
      return 'boolean'
    case 'datetime':
      return 'timestamptz'
    case 'date':
      return 'date'
    case 'uuid':
      return 'uuid'
    case 'json':
      return 'jsonb'
    default:
      return field.options.maxLength === undefined ? 'varchar' : `varchar(${field.options.maxLength})`
  }
}

/**
 * A btree index row holds about 2.7 KB, so a longer value would fail its insert. A hash index holds keys
 * of any length and serves equality (`where name = …`), though not ordering or ranges.
 */
function indexLongText(index: IndexSchema): IndexSchema {
  return { ...index, using: 'hash' }
}

function integrityError(error: unknown): IntegrityError | undefined {
  const e = error as { code?: string; constraint?: string; table?: string; column?: string; message?: string }
  const kind = typeof e?.code === 'string' ? CONSTRAINT_CODES[e.code] : undefined
  if (!kind) return undefined
  // The message names the constraint; pg's `detail`, which quotes the offending values, is left out.
  const target = e.constraint ?? (e.table && e.column ? `${e.table}.${e.column}` : e.table)
  return new IntegrityError(
    `${e.message}. The database rejected the write; roll back and fix the data.`,
    kind,
    target,
    error,
  )
}
