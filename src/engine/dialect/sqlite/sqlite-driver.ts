import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite'
import type { CompiledQuery, DatabaseConnection, QueryResult, TransactionSettings } from 'kysely'
import { ConnectionError, OnemodelError } from '../../../errors.ts'
import { hintsOf, type EngineDriver } from '../dialect.ts'

/** SQLite settings applied to every connection. */
export interface SqliteOptions {
  /** `journal_mode`; default `'wal'` for files (memory databases keep `'memory'`). */
  journalMode?: 'wal' | 'delete' | 'truncate' | 'persist' | 'memory' | 'off'
  /** `synchronous`; default `'normal'`, safe with WAL and much faster than `'full'`. */
  synchronous?: 'off' | 'normal' | 'full' | 'extra'
  /** Enforce foreign keys (`PRAGMA foreign_keys`); default `true`. */
  foreignKeys?: boolean
  /** How long a connection waits for another process's lock, in ms; default 5000. */
  busyTimeout?: number
  /** Prepared statements kept per connection; default 256. */
  statementCacheSize?: number
}

export interface SqliteDriverConfig extends SqliteOptions {
  filename: string
  memory: boolean
  /** Called before each statement runs (the engine's `echo`). */
  onQuery?: (query: CompiledQuery) => void
  /** Turns a driver error into onemodel's (constraint violations become IntegrityError). */
  mapError: (error: unknown) => Error
}

interface CachedStatement {
  readonly statement: StatementSync
  /** The statement returns rows (a SELECT, or a write with RETURNING). */
  readonly returnsRows: boolean
}

/**
 * One node:sqlite connection with a prepared-statement cache keyed by SQL text, so the same query is
 * prepared once per connection, not once per call.
 */
class SqliteConnection implements DatabaseConnection {
  readonly #db: DatabaseSync
  readonly #cache = new Map<string, CachedStatement>()
  readonly #arrayCache = new Map<string, CachedStatement>()
  readonly #config: SqliteDriverConfig

  constructor(db: DatabaseSync, config: SqliteDriverConfig) {
    this.#db = db
    this.#config = config
  }

  /** Runs synchronously: node:sqlite is synchronous, so a statement cannot interleave with another. */
  run<R>(query: CompiledQuery): QueryResult<R> {
    this.#config.onQuery?.(query)
    const { oneRow, arrayOf } = hintsOf(query)
    const { statement, returnsRows } = this.#prepare(query.sql, arrayOf !== undefined)
    const params = toSqliteParams(query.parameters)
    try {
      if (returnsRows && oneRow) {
        const row = statement.get(...params) as R | undefined
        return { rows: row === undefined ? [] : [row] }
      }
      if (returnsRows) return { rows: statement.all(...params) as R[] }
      const { changes, lastInsertRowid } = statement.run(...params)
      return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) }
    } catch (error) {
      throw this.#config.mapError(error)
    }
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.run<R>(query)
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    this.#config.onQuery?.(query)
    const { statement } = this.#prepare(query.sql, hintsOf(query).arrayOf !== undefined)
    for (const row of statement.iterate(...toSqliteParams(query.parameters))) yield { rows: [row as R] }
  }

  /** Runs transaction control (`begin immediate`, `commit`), which can fail when another process holds the lock. */
  exec(sql: string): void {
    try {
      this.#db.exec(sql)
    } catch (error) {
      throw this.#config.mapError(error)
    }
  }

  close(): void {
    this.#cache.clear()
    this.#arrayCache.clear()
    if (this.#db.isOpen) this.#db.close()
  }

  // Statements that return arrays are cached apart: node:sqlite sets the row shape per statement.
  #prepare(sql: string, arrays: boolean): CachedStatement {
    const cache = arrays ? this.#arrayCache : this.#cache
    let cached = cache.get(sql)
    if (cached) return cached
    let statement: StatementSync
    try {
      statement = this.#db.prepare(sql)
    } catch (error) {
      throw this.#config.mapError(error)
    }
    if (arrays) statement.setReturnArrays(true)
    cached = { statement, returnsRows: statement.columns().length > 0 }
    if (cache.size >= (this.#config.statementCacheSize ?? 256)) {
      cache.delete(cache.keys().next().value!)
    }
    cache.set(sql, cached)
    return cached
  }
}

/** node:sqlite binds numbers, bigints, strings, null and bytes; booleans and dates need converting. */
function toSqliteParams(parameters: readonly unknown[]): SQLInputValue[] {
  const out: SQLInputValue[] = new Array(parameters.length)
  for (let i = 0; i < parameters.length; i++) {
    const value = parameters[i]
    if (typeof value === 'boolean') out[i] = value ? 1 : 0
    else if (value instanceof Date) out[i] = value.toISOString()
    else if (value === undefined) out[i] = null
    else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array))
      out[i] = JSON.stringify(value)
    else out[i] = value as SQLInputValue
  }
  return out
}

/**
 * A mutex for the write connection. node:sqlite blocks the thread while it waits for a lock, so two
 * connections of one process must never contend inside SQLite: writers queue here instead, and give up
 * after the busy timeout, as SQLite's own lock does between processes.
 */
class WriteLock {
  #held = false
  readonly #waiting: (() => void)[] = []

  get held(): boolean {
    return this.#held
  }

  /** Takes the lock, or rejects with `busy()` when it is not free within `timeout` ms. */
  async acquire(timeout: number, busy: () => Error): Promise<void> {
    if (!this.#held) {
      this.#held = true
      return
    }
    await new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(grant), 1)
        reject(busy())
      }, timeout)
      this.#waiting.push(grant)
    })
  }

  release(): void {
    const next = this.#waiting.shift()
    if (next) next()
    else this.#held = false
  }
}

/**
 * The SQLite driver over node:sqlite. A file database has one write connection, taken by one transaction
 * at a time, which also runs autocommit reads while no transaction is open; while one is, they run on a
 * second, read-only connection: in WAL mode a read sees the last commit and never waits for a writer. A
 * memory database has a single connection for both.
 */
export class SqliteDriver implements EngineDriver {
  readonly #config: SqliteDriverConfig
  readonly #lock = new WriteLock()
  #writer: SqliteConnection | undefined
  #reader: SqliteConnection | undefined
  #destroyed = false

  constructor(config: SqliteDriverConfig) {
    this.#config = config
  }

  async init(): Promise<void> {
    this.#connect()
  }

  #connect(): SqliteConnection {
    if (this.#destroyed)
      throw new OnemodelError('OM_ENGINE_DISPOSED', 'The engine was disposed; create a new one.')
    if (this.#writer) return this.#writer
    const c = this.#config
    let db: DatabaseSync
    try {
      db = new DatabaseSync(c.filename, { enableForeignKeyConstraints: c.foreignKeys ?? true })
    } catch (error) {
      throw new ConnectionError(`Cannot open SQLite database ${c.filename}: ${(error as Error).message}`, {
        cause: error,
      })
    }
    const journal = c.memory ? 'memory' : (c.journalMode ?? 'wal')
    db.exec(`pragma busy_timeout = ${Math.trunc(c.busyTimeout ?? 5000)}`)
    db.exec(`pragma journal_mode = ${journal}`)
    db.exec(`pragma synchronous = ${c.synchronous ?? 'normal'}`)
    db.exec(`pragma foreign_keys = ${(c.foreignKeys ?? true) ? 'on' : 'off'}`)
    this.#writer = new SqliteConnection(db, c)
    if (!c.memory) {
      const reader = new DatabaseSync(c.filename)
      reader.exec(`pragma busy_timeout = ${Math.trunc(c.busyTimeout ?? 5000)}`)
      reader.exec('pragma query_only = on')
      this.#reader = new SqliteConnection(reader, c)
    }
    return this.#writer
  }

  /** Waits for the write connection as long as SQLite would wait for another process's lock. */
  #acquireLock(): Promise<void> {
    const timeout = this.#config.busyTimeout ?? 5000
    return this.#lock.acquire(
      timeout,
      () =>
        new OnemodelError(
          'OM_ENGINE_BUSY',
          `SQLite database ${this.#config.filename}: another Session of this engine kept its write transaction open for longer than the busy timeout (${timeout} ms). Keep transactions short, or raise the engine's sqlite.busyTimeout.`,
        ),
    )
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#acquireLock()
    try {
      return this.#connect()
    } catch (error) {
      this.#lock.release()
      throw error
    }
  }

  async executeAutocommit<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const writer = this.#connect()
    // With no transaction open, the write connection sees just the last commit, and its page cache is
    // warm: SQLite empties a connection's cache when another connection has written since its last read,
    // so reads on the read connection between writes would read their pages again.
    if (!this.#lock.held) return writer.run<R>(query)
    if (this.#reader) return this.#reader.run<R>(query)
    // A memory database has one connection: wait for the open transaction so its writes stay invisible.
    await this.#acquireLock()
    try {
      return writer.run<R>(query)
    } finally {
      this.#lock.release()
    }
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    // IMMEDIATE takes the write lock now, so another process cannot make this transaction fail halfway.
    ;(connection as SqliteConnection).exec(settings.accessMode === 'read only' ? 'begin' : 'begin immediate')
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    ;(connection as SqliteConnection).exec('commit')
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    ;(connection as SqliteConnection).exec('rollback')
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    ;(connection as SqliteConnection).exec(`savepoint "${name}"`)
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    ;(connection as SqliteConnection).exec(`rollback to savepoint "${name}"`)
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    ;(connection as SqliteConnection).exec(`release savepoint "${name}"`)
  }

  async releaseConnection(): Promise<void> {
    this.#lock.release()
  }

  async destroy(): Promise<void> {
    this.#destroyed = true
    this.#reader?.close()
    this.#writer?.close()
    this.#reader = this.#writer = undefined
  }
}
