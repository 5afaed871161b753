import type { CompiledQuery, DatabaseConnection, Driver, QueryResult, TransactionSettings } from 'kysely'
import { OnemodelError } from '../../errors.ts'
import { hintsOf, type EngineDriver } from './dialect.ts'

/** What a pooled driver adds around Kysely's: logging and error mapping. */
export interface PooledDriverHooks {
  onQuery?: (query: CompiledQuery) => void
  mapError: (error: unknown) => Error
}

/** A connection that logs each statement and maps driver errors to onemodel's. */
class MappedConnection implements DatabaseConnection {
  readonly inner: DatabaseConnection
  readonly #hooks: PooledDriverHooks

  constructor(inner: DatabaseConnection, hooks: PooledDriverHooks) {
    this.inner = inner
    this.#hooks = hooks
  }

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    this.#hooks.onQuery?.(query)
    let result: QueryResult<R>
    try {
      result = await this.inner.executeQuery<R>(query)
    } catch (error) {
      throw this.#hooks.mapError(error)
    }
    const columns = hintsOf(query).arrayOf
    if (columns === undefined) return result
    const rows = (result.rows as Record<string, unknown>[]).map((row) => columns.map((c) => row[c]))
    return { ...result, rows: rows as R[] }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize: number): AsyncIterableIterator<QueryResult<R>> {
    this.#hooks.onQuery?.(query)
    return this.inner.streamQuery<R>(query, chunkSize)
  }
}

/**
 * Kysely's PostgreSQL or MySQL driver (a connection pool) with onemodel's hooks, plus autocommit
 * execution: a statement borrows a pooled connection only for as long as it runs.
 */
export class PooledDriver implements EngineDriver {
  readonly #inner: Driver
  readonly #hooks: PooledDriverHooks
  #ready: Promise<void> | undefined
  #destroyed = false

  constructor(inner: Driver, hooks: PooledDriverHooks) {
    this.#inner = inner
    this.#hooks = hooks
  }

  init(): Promise<void> {
    return (this.#ready ??= this.#inner.init())
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#destroyed) {
      throw new OnemodelError('OM_ENGINE_DISPOSED', 'The engine was disposed; create a new one.')
    }
    await this.init()
    try {
      return new MappedConnection(await this.#inner.acquireConnection(), this.#hooks)
    } catch (error) {
      throw this.#hooks.mapError(error)
    }
  }

  async executeAutocommit<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const connection = await this.acquireConnection()
    try {
      return await connection.executeQuery<R>(query)
    } finally {
      await this.releaseConnection(connection)
    }
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#mapped(() => this.#inner.beginTransaction(unwrap(connection), settings))
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#mapped(() => this.#inner.commitTransaction(unwrap(connection)))
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#mapped(() => this.#inner.rollbackTransaction(unwrap(connection)))
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#inner.releaseConnection(unwrap(connection))
  }

  async destroy(): Promise<void> {
    // Only once: mysql2 fails when its pool is ended twice, and the engine may destroy the driver twice.
    if (this.#destroyed) return
    this.#destroyed = true
    // A pool that never connected has nothing to close, and some drivers fail when asked to.
    if (this.#ready) await this.#inner.destroy()
  }

  async #mapped(work: () => Promise<void>): Promise<void> {
    try {
      await work()
    } catch (error) {
      throw this.#hooks.mapError(error)
    }
  }
}

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof MappedConnection ? connection.inner : connection
}
