import { PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, sql, type Kysely } from 'kysely'
import {
  IntegrityError,
  DeadlockError,
  LockNotAvailableError,
  MigrationError,
  OnemodelError,
  type ConstraintKind,
} from '../../../errors.ts'
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
// deadlock_detected
const DEADLOCK_CODES = new Set(['40P01'])
// serialization_failure
const SERIALIZATION_CODES = new Set(['40001'])

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
 * pooler in transaction pooling mode, a migration command runs in one transaction that holds the lock
 * (see `takeTransactionLock`).
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
    deadlock: DEADLOCK_CODES,
    serialization: SERIALIZATION_CODES,
    connection: CONNECTION_CODES,
  })
  const statementCacheSize = pool.statementCacheSize ?? DEFAULT_STATEMENT_CACHE_SIZE
  const native = new PostgresPool(url, pool, {
    readTimeout: settings.readTimeout,
    poolerKnown: settings.transactionPooling,
  })
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
    jsonArrayAggregate: 'json_agg',
    jsonArrayTakesLimit: false,
    // json_agg() writes a timestamptz as ISO 8601 text with its offset; the other values as pg reads them.
    jsonArrayElement: (kind) => (kind === 'datetime' ? toDate : undefined),
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
      // Behind a pooler, told by the URL or found since, a session lock would stay on a server connection
      // the pooler hands to other clients: the command runs in one transaction that holds a transaction
      // advisory lock instead.
      migrationLock: () =>
        executor.transactionPooling
          ? {
              adapter: new TransactionLockAdapter(),
              inTransaction: true,
              lockTransaction: takeTransactionLock,
            }
          : { adapter: new SessionLockAdapter(), inTransaction: false },
      // The migrations table belongs in the current schema, which the URL's search_path may choose.
      currentSchema,
    },
  }
}

const toDate = (value: unknown): unknown => (typeof value === 'string' ? new Date(value) : value)

/** The key of Kysely's migration lock, so migrators behind a pooler and direct ones exclude each other. */
const MIGRATION_LOCK_ID = 3853314791062309107n

/**
 * How long a command waits for the migration lock when the server sets no `lock_timeout`: an hour, as on
 * MySQL. A `lock_timeout` of the role or database (`ALTER ROLE migrator SET lock_timeout = '1min'`) bounds
 * the wait instead.
 */
const MIGRATION_LOCK_WAIT = '1h'

/** Kysely's adapter, whose session advisory lock the connection holds until it unlocks, with a bounded wait. */
class SessionLockAdapter extends PostgresAdapter {
  override async acquireMigrationLock(db: Kysely<any>): Promise<void> {
    // A session lock taken in a transaction outlives it; the transaction bounds the wait for it.
    await db.transaction().execute((trx) => waitForMigrationLock(trx, 'pg_advisory_lock'))
  }

  /**
   * Unlocks, and fails when there was nothing to unlock: a pooler the engine did not find sent the unlock
   * to a server connection other than the one that took the lock, where it stays (or a revision unlocked it).
   */
  override async releaseMigrationLock(db: Kysely<any>): Promise<void> {
    const { rows } = await sql<{ released: boolean }>`select
      pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_ID)}) as released`.execute(db)
    if (rows[0]!.released) return
    throw new MigrationError(
      'OM_MIGRATE_LOCK',
      "Could not release the migration lock: the server connection the command ended on does not hold it. A revision unlocked it (pg_advisory_unlock_all()), or something in between (a connection pooler) moved the command to another server connection. The lock may still be held there, and the next migration command would wait for it until that server connection closes: look for it (select pid from pg_locks where locktype = 'advisory'), end it with pg_terminate_backend(pid), and migrate through a direct URL or one with ?pgbouncer=true.",
    )
  }
}

/** Kysely's adapter without its session lock: the command's transaction takes the lock (`lockTransaction`). */
class TransactionLockAdapter extends PostgresAdapter {
  override async acquireMigrationLock(): Promise<void> {}
  override async releaseMigrationLock(): Promise<void> {}
}

/**
 * Takes the transaction lock of a command that runs in one transaction, then lifts the bound put on the
 * wait for it, so the revisions that run next in the transaction wait for their locks as the server's
 * settings say.
 */
async function takeTransactionLock(trx: Kysely<any>): Promise<void> {
  const bounded = await waitForMigrationLock(trx, 'pg_advisory_xact_lock')
  if (bounded) await sql`select set_config('lock_timeout', '0', true)`.execute(trx)
}

/**
 * Takes the migration lock with `lock` in the open transaction `trx`, waiting up to the server's
 * `lock_timeout`, or {@link MIGRATION_LOCK_WAIT} when it has none: then returns true, the bound being a
 * setting of the transaction, which ends with it (a pooler's server connection keeps nothing).
 */
async function waitForMigrationLock(
  trx: Kysely<any>,
  lock: 'pg_advisory_lock' | 'pg_advisory_xact_lock',
): Promise<boolean> {
  await refuseLockOfAnotherClient(trx)
  const setting = sql<{ lock_timeout: string }>`select current_setting('lock_timeout') as lock_timeout`
  const serverTimeout = (await setting.execute(trx)).rows[0]!.lock_timeout
  const unbounded = serverTimeout === '0'
  if (unbounded)
    await sql`select set_config('lock_timeout', ${sql.lit(MIGRATION_LOCK_WAIT)}, true)`.execute(trx)
  try {
    await sql`select ${sql.raw(lock)}(${sql.lit(MIGRATION_LOCK_ID)})`.execute(trx)
  } catch (error) {
    throw migrationLockError(error, unbounded ? MIGRATION_LOCK_WAIT : serverTimeout)
  }
  return unbounded
}

/**
 * Refuses to take the lock on a server connection that holds it already. A command's own connection never
 * does: it unlocked when its last command ended. So another client took a session lock there and left it,
 * through a pooler that handed that server connection over; the lock would be granted again (a session
 * holds it as many times as it asks, and a transaction of that session shares it) and both would run.
 */
async function refuseLockOfAnotherClient(trx: Kysely<any>): Promise<void> {
  // pg_locks shows a bigint key as its high half in classid and its low half in objid.
  const { rows } = await sql<{ held: boolean }>`select exists (select from pg_locks
    where locktype = 'advisory' and pid = pg_backend_pid() and objsubid = 1
      and (classid::bigint << 32 | objid::bigint) = ${sql.lit(MIGRATION_LOCK_ID)}) as held`.execute(trx)
  if (!rows[0]!.held) return
  throw transactionPoolingError(
    'The server connection this migration command reached already holds the migration lock, which another client took there: a pooler in transaction pooling mode is in between, and that client took a session lock through it. Add ?pgbouncer=true to every URL that reaches the pooler (a session lock is then refused), or migrate through a direct URL. Nothing ran.',
  )
}

/** The wait for the migration lock ended without it: `OM_MIGRATE_LOCK`. Other errors stay as they are. */
function migrationLockError(error: unknown, waited: string): unknown {
  const why =
    // A lock wait that timed out, not a deadlock, which lock_timeout has nothing to do with.
    error instanceof LockNotAvailableError && !(error instanceof DeadlockError)
      ? `another migration command held it for longer than lock_timeout (${waited})`
      : error instanceof OnemodelError && error.code === 'OM_ENGINE_TIMEOUT'
        ? 'the wait for it was cancelled (by statement_timeout, or pg_cancel_backend())'
        : undefined
  if (why === undefined) return error
  return new MigrationError(
    'OM_MIGRATE_LOCK',
    `Could not take the migration lock: ${why}. Nothing ran. Look for a migration command that is stuck or still running (select pid, state, query from pg_stat_activity where pid in (select pid from pg_locks where locktype = 'advisory')), then run the command again once it is done.`,
    { cause: error },
  )
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
  const e = error as {
    code?: string
    constraint?: string
    table?: string
    column?: string
    message?: string
    routine?: string
  }
  // cardinality_violation raised where one upsert's rows share a conflict key (a statement updates a row
  // once). By the server function that raised it, not the message, which lc_messages translates.
  if (e?.code === '21000' && e.routine === 'ExecOnConflictUpdate') {
    return new IntegrityError(
      `${e.message}: two rows of one upsert have the same value of its conflict target. Give each key once per insert (merge those rows first), or write them with separate inserts.`,
      'unique',
      undefined,
      error,
    )
  }
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
