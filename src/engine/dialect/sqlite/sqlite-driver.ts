import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite'
import type { QueryResult, TransactionSettings } from 'kysely'
import { ConnectionError, OnemodelError } from '../../../errors.ts'
import type { RowShape } from '../../statement.ts'
import type { NativeConnection, NativePool } from '../native.ts'

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
  /** Prepared statements kept per connection, the least recently used going first; default 256. */
  statementCacheSize?: number
}

export interface SqlitePoolConfig extends SqliteOptions {
  filename: string
  memory: boolean
}

interface CachedStatement {
  readonly statement: StatementSync
  /** The statement returns rows (a SELECT, or a write with RETURNING). */
  readonly returnsRows: boolean
}

/**
 * One node:sqlite connection with a prepared-statement cache keyed by SQL text, so the same query is
 * prepared once per connection, not once per call. It runs synchronously: node:sqlite is synchronous, so a
 * statement cannot interleave with another.
 */
class SqliteConnection implements NativeConnection {
  readonly #db: DatabaseSync
  readonly #cache = new Map<string, CachedStatement>()
  readonly #arrayCache = new Map<string, CachedStatement>()
  readonly #cacheSize: number
  /** {@link close} closes the database handle: false for a connection that {@link share}s another's. */
  readonly #ownsDatabase: boolean
  /** Its streams read their whole result first (see {@link share}). */
  #streamsWhole = false

  constructor(db: DatabaseSync, cacheSize: number, ownsDatabase = true) {
    this.#db = db
    this.#cacheSize = cacheSize
    this.#ownsDatabase = ownsDatabase
  }

  /**
   * Another connection over this one's database handle, which closing it leaves open. Its streams read
   * their whole result before the first row: one handle has no snapshot, so a loop's own writes would
   * otherwise reach the rows still to come (and a loop that adds a row per row read would never end).
   */
  share(): SqliteConnection {
    const shared = new SqliteConnection(this.#db, 0, false)
    shared.#streamsWhole = true
    return shared
  }

  execute(sql: string, parameters: readonly unknown[], shape: RowShape): QueryResult<unknown> {
    const { statement, returnsRows } = this.#prepare(sql, shape.arrays)
    const params = toSqliteParams(parameters)
    if (returnsRows && shape.oneRow) {
      const row = statement.get(...params)
      return { rows: row === undefined ? [] : [row] }
    }
    if (returnsRows) return { rows: statement.all(...params) }
    const { changes, lastInsertRowid } = statement.run(...params)
    return { rows: [], numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid) }
  }

  async *stream(
    sql: string,
    parameters: readonly unknown[],
    shape: RowShape,
    chunkSize: number,
  ): AsyncIterableIterator<QueryResult<unknown>> {
    // A statement of its own, not the cache's: the same text run again while this one is open would reset
    // it. Leaving the loop early resets it (for…of calls the iterator's return()).
    const statement = this.#db.prepare(sql)
    statement.setReturnArrays(shape.arrays)
    let rows: unknown[] = []
    const params = toSqliteParams(parameters)
    for (const row of this.#streamsWhole ? statement.all(...params) : statement.iterate(...params)) {
      rows.push(row)
      if (rows.length === chunkSize) {
        yield { rows }
        rows = []
      }
    }
    if (rows.length > 0) yield { rows }
  }

  begin(settings: TransactionSettings): void {
    // IMMEDIATE takes the write lock now, so another process cannot make this transaction fail halfway.
    this.#db.exec(settings.accessMode === 'read only' ? 'begin' : 'begin immediate')
  }

  commit(): void {
    this.#db.exec('commit')
  }

  rollback(): void {
    this.#db.exec('rollback')
  }

  close(): void {
    this.#cache.clear()
    this.#arrayCache.clear()
    if (this.#ownsDatabase && this.#db.isOpen) this.#db.close()
  }

  // Statements that return arrays are cached apart: node:sqlite sets the row shape per statement. A Map
  // keeps insertion order, so moving a hit to the end makes the first key the least recently used. Only a
  // full cache evicts, so only there does a hit move (~70 ns): a cache that never fills pays nothing.
  #prepare(sql: string, arrays: boolean): CachedStatement {
    const cache = arrays ? this.#arrayCache : this.#cache
    let cached = cache.get(sql)
    if (cached) {
      if (cache.size >= this.#cacheSize) {
        cache.delete(sql)
        cache.set(sql, cached)
      }
      return cached
    }
    const statement = this.#db.prepare(sql)
    if (arrays) statement.setReturnArrays(true)
    cached = { statement, returnsRows: statement.columns().length > 0 }
    if (cache.size >= this.#cacheSize) cache.delete(cache.keys().next().value!)
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
 * The connections of a SQLite database over node:sqlite. A file database has one write connection, taken
 * by one transaction at a time, which also runs autocommit statements while no transaction is open; while
 * one is, they run on a second, read-only connection: in WAL mode a read sees the last commit and never
 * waits for a writer. A memory database has a single connection for both.
 */
export class SqlitePool implements NativePool {
  readonly #config: SqlitePoolConfig
  readonly #lock = new WriteLock()
  #writer: SqliteConnection | undefined
  #reader: SqliteConnection | undefined
  /** The connections of the streams reading now, each closed when its stream ends. */
  readonly #streamReaders = new Set<SqliteConnection>()

  constructor(config: SqlitePoolConfig) {
    this.#config = config
  }

  async acquire(): Promise<NativeConnection> {
    await this.#acquireLock()
    try {
      return this.#connect()
    } catch (error) {
      this.#lock.release()
      throw error
    }
  }

  release(connection: SqliteConnection): void {
    if (this.#streamReaders.delete(connection)) connection.close()
    else this.#lock.release()
  }

  async acquireReader(): Promise<NativeConnection> {
    const writer = this.#connect()
    // A file's stream reads on a connection of its own: in WAL mode it sees the last commit and never
    // blocks a writer, and the shared read connection's statements do not see its snapshot. A memory
    // database has one connection: the stream shares it, without its write lock, which the Session's own
    // writes during the stream need.
    const reader = this.#config.memory ? writer.share() : this.#open(new DatabaseSync(this.#config.filename))
    this.#streamReaders.add(reader)
    return reader
  }

  idle(): NativeConnection | undefined {
    const writer = this.#connect()
    // With no transaction open, the write connection sees just the last commit, and its page cache is
    // warm: SQLite empties a connection's cache when another connection has written since its last read,
    // so reads on the read connection between writes would read their pages again.
    if (!this.#lock.held) return writer
    // A memory database has one connection: a statement waits for the open transaction, so its writes
    // stay invisible.
    return this.#reader
  }

  async destroy(): Promise<void> {
    for (const reader of this.#streamReaders) reader.close()
    this.#streamReaders.clear()
    this.#reader?.close()
    this.#writer?.close()
    this.#reader = this.#writer = undefined
  }

  #connect(): SqliteConnection {
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
    const cacheSize = c.statementCacheSize ?? 256
    const journal = c.memory ? 'memory' : (c.journalMode ?? 'wal')
    db.exec(`pragma busy_timeout = ${Math.trunc(c.busyTimeout ?? 5000)}`)
    db.exec(`pragma journal_mode = ${journal}`)
    db.exec(`pragma synchronous = ${c.synchronous ?? 'normal'}`)
    db.exec(`pragma foreign_keys = ${(c.foreignKeys ?? true) ? 'on' : 'off'}`)
    this.#writer = new SqliteConnection(db, cacheSize)
    if (!c.memory) this.#reader = this.#open(new DatabaseSync(c.filename))
    return this.#writer
  }

  /** A read-only connection over `db`, a new handle on the database file. */
  #open(db: DatabaseSync): SqliteConnection {
    db.exec(`pragma busy_timeout = ${Math.trunc(this.#config.busyTimeout ?? 5000)}`)
    db.exec('pragma query_only = on')
    return new SqliteConnection(db, this.#config.statementCacheSize ?? 256)
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
}
