import { CompiledQuery, type QueryResult } from 'kysely'
import { ConnectionError, OnemodelError, SerializationError } from '../errors.ts'
import type { Executor } from './executor.ts'
import { OBJECT_ROWS, type Statement } from './statement.ts'

/**
 * How stale a replica may be and still serve reads, and how often that is checked.
 *
 * @example
 * createEngine(url, { replicas: [replicaUrl], replicaLag: { max: 2000, checkEvery: 500 } })
 */
export interface ReplicaLagOptions {
  /** A replica further behind the primary than this, in ms, serves no read until it catches up; default 5000. */
  max?: number
  /** How often each replica's lag is measured, in ms; default 1000. */
  checkEvery?: number
}

/** One replica, as {@link Replicas} is given it: where its reads run, and where its health is checked. */
export interface ReplicaConnections {
  /** The replica's URL, with any password replaced by `***`. */
  readonly url: string
  /** Runs the reads routed to the replica: its own pool. */
  readonly executor: Executor
  /**
   * Runs the health check: a pool of one connection of its own, so that a check neither waits behind
   * busy reads nor takes a connection from them, and is not echoed or logged as the reads are.
   */
  readonly checker: Executor
  /** Closes both pools. */
  dispose(): Promise<void>
}

/**
 * What the engine knows of a replica: usable or not, and its lag at the last check.
 *
 * @example
 * engine.replicas?.status() // [{ url: 'postgresql://app:***@replica:5432/heroes', usable: true, lag: 0 }]
 */
export interface ReplicaStatus {
  readonly url: string
  /** Its last check answered within `checkEvery`, with a lag within `max`, and no read failed on it since. */
  readonly usable: boolean
  /**
   * How far behind the primary it was at its last check, in ms; `undefined` before one answered, and
   * while it is down (a check failed or is overdue, or a read failed on it), as an older figure says
   * nothing of it now.
   */
  readonly lag: number | undefined
}

const DEFAULT_MAX_LAG = 5000
const DEFAULT_CHECK_INTERVAL = 1000

/** How often replicas are checked: also how long a check may take to connect. */
export function checkInterval(lag: ReplicaLagOptions | undefined): number {
  return lag?.checkEvery ?? DEFAULT_CHECK_INTERVAL
}

/**
 * The lag of a PostgreSQL replica, in ms: none when it replayed all the WAL it received (an idle primary
 * sends none, so the time since the last replayed transaction would overstate it), else the age of the
 * last transaction it replayed. `null` when it cannot tell: no WAL received or replayed since it started,
 * or no stream from the primary now (its WAL receiver is gone or not streaming), since a replica cut off
 * from its primary has replayed all it received and would read as current while it falls behind without
 * bound. A server not in recovery (a promoted replica) is its own primary: lag 0. The receiver's `status`
 * is hidden from a role without `pg_read_all_stats`; the row alone then counts.
 */
const LAG_QUERY = CompiledQuery.raw(`select case
  when not pg_is_in_recovery() then 0
  when not exists (select 1 from pg_stat_wal_receiver where coalesce(status, 'streaming') = 'streaming') then null
  when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
  else extract(epoch from clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000
end as lag`)

/**
 * SQLSTATEs of a replica that cannot serve a read now, whatever the read: shutting down (57P01-57P03),
 * too many connections (53300), a connection failure (08…). A read cancelled by a conflict with the
 * recovery it replays (40001) arrives as a {@link SerializationError}.
 */
const UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300'])

/**
 * SQLSTATEs of a read that names a table (42P01), column (42703), function (42883), type (42704) or schema
 * (3F000) the replica does not have: the migration that adds it has not been replayed there yet, though
 * the replica lags within `replicaLag.max`.
 */
const BEHIND_CODES = new Set(['42P01', '42703', '42883', '42704', '3F000'])

/**
 * An engine's read replicas: which one serves the next routed read, and which are skipped. Each replica's
 * lag is measured every `checkEvery` ms while the engine is used; one that is down, does not answer its
 * check in time or lags past `max` serves no read until a check says otherwise, and a read that fails on
 * a replica because the replica is unavailable runs again on the primary, so no read fails for a replica.
 * A replica that does not answer a read within `replicaTimeout` is unavailable too: its connections
 * give the read up with a `ConnectionError`. Until a replica's first check answers, reads go to the
 * primary. Reads are spread round robin.
 *
 * @example
 * const engine = createEngine(primaryUrl, { replicas: [replicaUrl] })
 * await using session = new Session(engine, { reads: 'replica' }) // its reads go to the replica until it writes
 */
export class Replicas {
  readonly #members: Member[]
  readonly #maxLag: number
  readonly #checkEvery: number
  readonly #primary: Executor
  #timer: NodeJS.Timeout | undefined
  #disposed = false
  #next = 0

  constructor(primary: Executor, replicas: readonly ReplicaConnections[], lag: ReplicaLagOptions = {}) {
    this.#primary = primary
    this.#members = replicas.map((connections) => new Member(connections))
    this.#maxLag = lag.max ?? DEFAULT_MAX_LAG
    this.#checkEvery = checkInterval(lag)
  }

  /** Each replica: usable or not, and its lag at the last check. */
  status(): ReplicaStatus[] {
    return this.#members.map(({ connections, usable, lag }) => ({ url: connections.url, usable, lag }))
  }

  /**
   * Runs a read (a `SELECT` in autocommit) on a usable replica, else on the primary; when the replica
   * turns out to be unavailable, on the primary after all.
   */
  async run<R>(statement: Statement): Promise<QueryResult<R>> {
    const replica = this.#pick()
    if (replica === undefined) return this.#primary.run<R>(statement)
    try {
      return await replica.connections.executor.run<R>(statement)
    } catch (error) {
      if (!this.#skips(replica, error)) throw error
      return this.#primary.run<R>(statement)
    }
  }

  /**
   * Streams a read from a usable replica, else from the primary. A replica that fails before its first
   * chunk is skipped for the primary; a failure later is the stream's, as the rows read are already out
   * (running it again would hand the caller those rows twice), and the replica is skipped from then on.
   */
  async *stream<R>(statement: Statement, chunkSize: number): AsyncGenerator<QueryResult<R>> {
    const replica = this.#pick()
    if (replica === undefined) {
      yield* this.#primary.stream<R>(statement, statement.shape, chunkSize)
      return
    }
    const chunks = replica.connections.executor.stream<R>(statement, statement.shape, chunkSize)
    try {
      let first: IteratorResult<QueryResult<R>>
      try {
        first = await chunks.next()
      } catch (error) {
        if (!this.#skips(replica, error)) throw error
        yield* this.#primary.stream<R>(statement, statement.shape, chunkSize)
        return
      }
      if (first.done) return
      yield first.value
      try {
        yield* chunks
      } catch (error) {
        if (unavailable(error)) replica.down()
        throw error
      }
    } finally {
      // Also when the caller stopped before the rest was asked for: the replica's connection goes back.
      await chunks.return?.(undefined)
    }
  }

  /** Stops checking and closes every replica's connections. */
  async dispose(): Promise<void> {
    this.#disposed = true
    clearInterval(this.#timer)
    this.#timer = undefined
    await Promise.all(this.#members.map((member) => member.dispose()))
  }

  /**
   * The replica for the next read, round robin over the usable ones, or `undefined` for the primary. The
   * first call starts the checks: no replica is usable before its first check answers.
   */
  #pick(): Member | undefined {
    // Once disposed, reads go to the primary, whose executor refuses them with OM_ENGINE_DISPOSED.
    if (this.#disposed) return undefined
    if (this.#timer === undefined) this.#startChecks()
    const members = this.#members
    for (let tried = 0; tried < members.length; tried++) {
      const member = members[this.#next++ % members.length]!
      if (member.usable) return member
    }
    return undefined
  }

  /**
   * Whether a read that failed on `replica` with `error` is to run on the primary instead: when the replica
   * is unavailable, which then serves no read until a check answers, or behind a migration the primary
   * already ran, which it will have replayed soon: it stays usable.
   */
  #skips(replica: Member, error: unknown): boolean {
    if (behind(error)) return true
    if (!unavailable(error)) return false
    replica.down()
    return true
  }

  #startChecks(): void {
    const check = (): void => {
      for (const member of this.#members) member.check(this.#maxLag)
    }
    this.#timer = setInterval(check, this.#checkEvery)
    // The checks never keep a process alive: a script that forgot to dispose still exits.
    this.#timer.unref()
    check()
  }
}

/** A replica and what its checks found. */
class Member {
  readonly connections: ReplicaConnections
  usable = false
  lag: number | undefined
  /** The check under way; one still under way when the next is due did not answer in time. */
  #checking: Promise<void> | undefined

  constructor(connections: ReplicaConnections) {
    this.connections = connections
  }

  check(maxLag: number): void {
    if (this.#checking !== undefined) {
      this.down()
      return
    }
    this.#checking = this.#measure(maxLag).finally(() => (this.#checking = undefined))
  }

  /** Serves no read until a check answers, and has no lag to tell of until then. */
  down(): void {
    this.usable = false
    this.lag = undefined
  }

  async dispose(): Promise<void> {
    await this.#checking
    await this.connections.dispose()
  }

  async #measure(maxLag: number): Promise<void> {
    try {
      const { rows } = await this.connections.checker.execute<{ lag: unknown }>(LAG_QUERY, OBJECT_ROWS)
      const lag = rows[0]?.lag
      this.lag = lag === null || lag === undefined ? undefined : Number(lag)
      this.usable = this.lag !== undefined && this.lag <= maxLag
    } catch {
      // Down, refusing connections, or silent past replicaTimeout: skipped until a check answers again.
      this.down()
    }
  }
}

/** The read failed because the replica has not replayed the migration that made what it reads. */
function behind(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && BEHIND_CODES.has(code)
}

/**
 * The read failed because the replica cannot serve reads now, not because of the read: it may run on the
 * primary instead. A connection lost without a SQLSTATE (pg's "Connection terminated") is one too.
 */
function unavailable(error: unknown): boolean {
  // A standby runs no serializable transaction: its 40001 is a read cancelled by the replay.
  if (error instanceof ConnectionError || error instanceof SerializationError) return true
  if (error instanceof OnemodelError) return false
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string') return true
  return UNAVAILABLE_CODES.has(code) || code.startsWith('08') || !/^[0-9A-Z]{5}$/.test(code)
}
