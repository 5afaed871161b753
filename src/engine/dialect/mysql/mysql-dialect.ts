import {
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  ValueListNode,
  ValuesNode,
  type InsertQueryNode,
} from 'kysely'
import { IntegrityError, type ConstraintKind } from '../../../errors.ts'
import type { AnyField, FieldKind } from '../../../model/field.ts'
import type { IndexSchema } from '../../schema.ts'
import {
  kyselyDialect,
  serverErrorMapper,
  serverExecutor,
  type Dialect,
  type PoolOptions,
  type StatementSettings,
} from '../dialect.ts'
import { MYSQL_STATEMENT_CACHE_SIZE, MysqlPool } from './mysql-driver.ts'
import { MysqlMigrationAdapter } from './mysql-migration-adapter.ts'
import { introspectMysql, normalizeMysqlType } from './mysql-introspector.ts'

// MySQL/MariaDB error numbers for constraint violations.
const CONSTRAINT_ERRNOS: Record<number, ConstraintKind> = {
  1048: 'not_null',
  1062: 'unique',
  1216: 'foreign_key',
  1217: 'foreign_key',
  1451: 'foreign_key',
  1452: 'foreign_key',
  3819: 'check',
  4025: 'check',
}

// ER_DATA_TOO_LONG, ER_WARN_DATA_OUT_OF_RANGE, ER_TRUNCATED_WRONG_VALUE (a datetime out of range),
// ER_TRUNCATED_WRONG_VALUE_FOR_FIELD (text the column's character set cannot hold)
const DATA_ERRNOS = new Set([1406, 1264, 1292, 1366])
// MariaDB's max_statement_time, MySQL's max_execution_time
const TIMEOUT_ERRNOS = new Set([1969, 3024])
// ER_LOCK_WAIT_TIMEOUT (innodb_lock_wait_timeout, and MariaDB's NOWAIT), ER_LOCK_NOWAIT (MySQL's NOWAIT)
const LOCKED_ERRNOS = new Set([1205, 3572])
// ER_LOCK_DEADLOCK
const DEADLOCK_ERRNOS = new Set([1213])
// ER_CHECKREAD: MariaDB's innodb_snapshot_isolation found a row changed since the transaction's snapshot
const SERIALIZATION_ERRNOS = new Set([1020])

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ER_ACCESS_DENIED_ERROR',
  'ER_BAD_DB_ERROR',
  'PROTOCOL_CONNECTION_LOST',
])

const DECODERS: Partial<Record<FieldKind, (value: unknown) => unknown>> = {
  boolean: (value) => value === 1 || value === true || value === '1',
  // MariaDB's JSON is LONGTEXT, so the driver returns text.
  json: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
}

/**
 * How JSON_ARRAYAGG() writes a value that is not its column's: a boolean as 0/1, a datetime as UTC text
 * (`2024-01-02 03:04:05.000000`). A JSON column's value is kept as JSON.
 */
const JSON_ARRAY_ELEMENTS: Partial<Record<FieldKind, (value: unknown) => unknown>> = {
  boolean: DECODERS.boolean,
  datetime: (value) => (typeof value === 'string' ? new Date(`${value.replace(' ', 'T')}Z`) : value),
}

/** MySQL 8 and MariaDB through mysql2: AUTO_INCREMENT keys read from insertId, datetimes in UTC. */
export function mysqlDialect(url: URL, pool: PoolOptions, settings: StatementSettings): Dialect {
  const mapError = serverErrorMapper(url, {
    integrityError,
    data: DATA_ERRNOS,
    timeout: TIMEOUT_ERRNOS,
    locked: LOCKED_ERRNOS,
    deadlock: DEADLOCK_ERRNOS,
    serialization: SERIALIZATION_ERRNOS,
    connection: CONNECTION_CODES,
  })
  const statementCacheSize = pool.statementCacheSize ?? MYSQL_STATEMENT_CACHE_SIZE
  const executor = serverExecutor(
    new MysqlPool(url, pool, settings.readTimeout),
    statementCacheSize,
    settings,
    mapError,
  )
  return {
    name: 'mysql',
    executor,
    kysely: kyselyDialect(executor, MysqlAdapter, MysqlIntrospector, MysqlCompiler),
    supportsReturning: false,
    supportsRowLocks: true,
    supportsNullsOrder: false,
    supportsLimitInList: false,
    // In a MySQL string literal a backslash escapes, so one backslash is written as two.
    likeEscape: "escape '\\\\'",
    columnType,
    indexLongText,
    // MariaDB's default character set is latin1, which holds no emoji and few scripts beyond Latin.
    tableOptions: 'default character set utf8mb4',
    autoIncrement: (column) => column.autoIncrement(),
    decoder: (kind) => DECODERS[kind],
    // MariaDB's takes ORDER BY (10.5+) and LIMIT; MySQL 8's takes neither, so an ordered or paged
    // arraySubquery() runs on MariaDB only.
    jsonArrayAggregate: 'json_arrayagg',
    jsonArrayTakesLimit: true,
    jsonArrayElement: (kind) => JSON_ARRAY_ELEMENTS[kind],
    integrityError,
    migrations: {
      introspect: introspectMysql,
      normalizeType: normalizeMysqlType,
      alterColumn: 'modify',
      alterConstraints: true,
      uniqueConstraintsAreIndexes: true,
      dropIndexNamesTable: true,
      foreignKeysNeedIndex: true,
      transactionalDdl: false,
      // The lock is GET_LOCK(), which the connection holds until RELEASE_LOCK().
      migrationLock: () => ({ adapter: new MysqlMigrationAdapter(), inTransaction: false }),
    },
  }
}

/**
 * Kysely's MySQL compiler, except for a row of defaults only: Kysely writes `insert into t default values`,
 * which MySQL and MariaDB refuse; their spelling is `insert into t () values ()`.
 */
class MysqlCompiler extends MysqlQueryCompiler {
  protected override visitInsertQuery(node: InsertQueryNode): void {
    super.visitInsertQuery(
      node.defaultValues
        ? {
            ...node,
            defaultValues: false,
            columns: [],
            values: ValuesNode.create([ValueListNode.create([])]),
          }
        : node,
    )
  }
}

function columnType(field: AnyField): string {
  switch (field.kind) {
    case 'integer':
      return field.isWideInteger ? 'bigint' : 'integer'
    case 'number':
      return 'double'
    case 'boolean':
      return 'boolean'
    case 'datetime':
      return 'datetime(6)'
    case 'date':
      return 'date'
    case 'uuid':
      return 'char(36)'
    case 'json':
      return 'json'
    case 'string':
      // Text of any length, as on SQLite and PostgreSQL: 16 MB, beyond any request body.
      return field.options.maxLength === undefined ? 'mediumtext' : `varchar(${field.options.maxLength})`
    default:
      return 'varchar(255)'
  }
}

// 255 characters of utf8mb4 are 1020 bytes, within an index key's 3072.
const TEXT_INDEX_PREFIX = 255

/**
 * An index key holds at most 3072 bytes, so a TEXT column is indexed by its first characters: the index
 * still finds rows by equality, and the table holds the whole text.
 */
function indexLongText(index: IndexSchema, longText: readonly string[]): IndexSchema {
  return { ...index, prefixes: Object.fromEntries(longText.map((column) => [column, TEXT_INDEX_PREFIX])) }
}

function integrityError(error: unknown): IntegrityError | undefined {
  const e = error as { errno?: number; message?: string }
  const kind = typeof e?.errno === 'number' ? CONSTRAINT_ERRNOS[e.errno] : undefined
  if (!kind) return undefined
  const message = e.message ?? ''
  // "Duplicate entry 'value' for key 'uq_hero_name'" quotes the value: keep only the key.
  const key = /for key '([^']+)'/.exec(message)?.[1]
  const target = key ?? /CONSTRAINT `([^`]+)`/.exec(message)?.[1] ?? /Column '([^']+)'/.exec(message)?.[1]
  const safe = kind === 'unique' ? `Duplicate entry for key '${key ?? 'unknown'}'` : message
  return new IntegrityError(
    `${safe}. The database rejected the write; roll back and fix the data.`,
    kind,
    target,
    error,
  )
}
