import { CompiledQuery, Kysely, type KyselyPlugin, type Logger } from 'kysely'
import type { TableModel } from '../model/table.ts'
import type { EngineDatabase } from './database-type.ts'
import type { Dialect, PoolOptions } from './dialect/dialect.ts'
import { EngineUrlError } from '../errors.ts'
import { mysqlDialect } from './dialect/mysql/mysql-dialect.ts'
import { postgresDialect } from './dialect/postgres/postgres-dialect.ts'
import { sqliteDialect } from './dialect/sqlite/sqlite-dialect.ts'
import type { SqliteOptions } from './dialect/sqlite/sqlite-driver.ts'
import { checkInterval, Replicas, type ReplicaConnections, type ReplicaLagOptions } from './replicas.ts'
import { OBJECT_ROWS } from './statement.ts'
import { parseDatabaseUrl, redactUrl } from './url.ts'

const PING = CompiledQuery.raw('select 1')

/** Options of {@link createEngine}; `T` is the tuple of tables given as `tables`. */
export interface EngineOptions<T extends readonly TableModel[] = readonly TableModel[]> {
  /**
   * The tables `engine.db` knows: its raw Kysely queries are then checked against these models (see
   * `DatabaseOf`). Read by the type system only; `createAll` and the Session need no list of tables.
   */
  tables?: T
  /**
   * Log each SQL statement and its parameter count (SQLAlchemy's `echo=True`). Parameter values are
   * never logged, so secrets cannot leak into logs.
   */
  echo?: boolean
  /** Where `echo` writes; defaults to `console.log`. */
  logger?: (line: string) => void
  /** SQLite connection settings: WAL, `synchronous=NORMAL`, foreign keys and a 5 s busy timeout by default. */
  sqlite?: SqliteOptions
  /**
   * PostgreSQL and MySQL pool settings: size (default 10), connect, idle and statement timeouts, SSL,
   * prepared statements per connection. See {@link PoolOptions}.
   *
   * @example
   * createEngine(process.env.DATABASE_URL!, { pool: { size: 20, idleTimeout: 30_000 } })
   */
  pool?: PoolOptions
  /**
   * Keep repeated statements prepared on PostgreSQL (named statements) and MySQL (`execute()`); default
   * true. Turn it off behind PgBouncer in transaction pooling mode, or add `?pgbouncer=true` to the URL,
   * which turns it off whatever this says. Unset, it also goes off when a pooler is found as a connection
   * opens; an explicit `true` keeps it on there (PgBouncer from 1.21 carries prepared statements), until a
   * prepared statement meets a server connection that lacks it. SQLite always keeps its statements prepared.
   *
   * @example
   * createEngine('postgresql://app@pgbouncer:6432/heroes', { prepare: true }) // PgBouncer ≥ 1.21
   */
  prepare?: boolean
  /**
   * Kysely plugins of {@link Engine.db}. Their `transformQuery` also shapes the Session's statements,
   * which `engine.db` compiles once per shape and then only binds: so these plugins must be static (not
   * read the current request) and must not add bound values, which fails with `OM_ENGINE_PLUGIN`. Give
   * such a plugin to the queries it is for with `engine.db.withPlugin(plugin)`. Their `transformResult`
   * sees only queries run through `engine.db`, since the Session reads its rows by position.
   *
   * @example
   * createEngine(url, { plugins: [new CamelCasePlugin()] })
   */
  plugins?: KyselyPlugin[]
  /**
   * Kysely's logger, called after every statement of the engine, the Session's and Kysely's alike, with
   * its SQL, parameters and duration, or its error. Unlike `echo`, the event holds the parameter values.
   *
   * @example
   * createEngine(url, { log: (event) => metrics.observe(event.query.sql, event.queryDurationMillis) })
   */
  log?: Logger
  /**
   * Read replicas of a PostgreSQL primary (streaming replicas), each with a pool of its own sized by
   * `pool`. Only the reads of a Session created with `{ reads: 'replica' }` go to them, and only until
   * that Session writes or opens a transaction; every other statement, `engine.db`'s included, runs on the
   * primary. A replica that is down, lags past `replicaLag.max` or does not answer within `replicaTimeout`
   * is skipped. See `docs/deploying.md`.
   *
   * A string is a comma-separated list, as in an environment variable; an empty one is none.
   *
   * @example
   * createEngine(process.env.DATABASE_URL!, { replicas: process.env.DATABASE_REPLICA_URLS }) // 'postgresql://…,postgresql://…'
   * createEngine(primaryUrl, { replicas: [replicaUrl], replicaLag: { max: 2000 } })
   */
  replicas?: string | readonly string[] | undefined
  /** How stale a replica may be and still serve reads (default 5000 ms), checked every `checkEvery` (1000 ms). */
  replicaLag?: ReplicaLagOptions
  /**
   * How long a replica may take to answer a statement (a read or its lag check), or to give a read a
   * connection (a new one's login and first round trip included), in ms; default 5000: a read on a new
   * connection costs at most twice this. Past it the read runs on the primary, the replica serves no read until
   * a check answers again, and the connection is closed, the replica asked to cancel the read: a replica
   * gone from the network without closing its connections, or only slow, costs a read this much time,
   * never the request. A streamed read fails instead once it has yielded rows. Each statement has its own
   * deadline, each chunk of a stream too, so raise it only for single reads that legitimately take longer.
   *
   * @example
   * createEngine(primaryUrl, { replicas: [replicaUrl], replicaTimeout: 2000 })
   */
  replicaTimeout?: number
}

const DEFAULT_REPLICA_TIMEOUT = 5000

/**
 * How long {@link Engine.ping} may take to connect (its login and first round trip), and then as long
 * again to be answered, in ms (less when `pool.connectTimeout` is): a database that cannot answer
 * `select 1` that soon is not ready, and a ping left waiting on a server gone from the network would hold
 * its connection, and `dispose()`, for good. Readiness checks time out at 2000 ms by default too.
 */
const PING_DEADLINE = 2000

/**
 * A database: its dialect, its connections and the Kysely instance that builds SQL for it. Create one per
 * database and process; sessions borrow its connections. `DB` is the Kysely database interface of
 * {@link Engine.db}: derived from the tables given to {@link createEngine}, `any` when none are.
 */
export class Engine<DB = any> {
  /** The URL, with any password replaced by `***`. */
  readonly url: string
  readonly dialect: Dialect
  /**
   * The underlying Kysely instance, for queries onemodel does not model. Typed by the engine's `tables`:
   * `engine.db.selectFrom('hero').select(['id', 'name'])` is checked against the `Hero` model.
   */
  readonly db: Kysely<DB>
  /**
   * The read replicas given as `replicas`, which Sessions created with `{ reads: 'replica' }` read from;
   * `undefined` without any. `engine.replicas.status()` says which are usable and how far behind they are.
   */
  readonly replicas: Replicas | undefined
  /** Makes the dialect {@link ping} runs on, where the engine has a pool to keep it apart from. */
  readonly #createPinger: (() => Dialect) | undefined
  #pinger: Dialect | undefined
  #disposed = false

  constructor(url: string, options: EngineOptions = {}) {
    this.url = redactUrl(url)
    this.dialect = dialectOf(url, options)
    const deadline = connectDeadline(options.pool, PING_DEADLINE)
    this.#createPinger =
      this.dialect.name === 'sqlite' ? undefined : () => probeDialect(url, options, deadline, deadline)
    // No `log` here: the executor logs every statement, Kysely's included, once.
    this.db = new Kysely<DB>({ dialect: this.dialect.kysely, plugins: options.plugins })
    this.replicas = replicasOf(this.dialect, options)
  }

  /**
   * Runs `select 1` on the primary: resolves when the database answers, rejects with its error (a
   * `ConnectionError` when it cannot be reached, or does not answer within 2 s). For readiness checks, so
   * on PostgreSQL and MySQL it runs on a connection of its own, opened at the first ping, kept open while
   * idle and closed with the engine (or when a ping goes unanswered), and never waits for the pool: a
   * process whose requests hold every connection is busy, not unready, and a probe that waited would get
   * every such process taken out of the load balancer at once. (SQLite has no pool: there it runs as any
   * read does.)
   *
   * @example
   * createApp({ health: { checks: { database: () => engine.ping() } } })
   */
  async ping(): Promise<void> {
    // Once disposed, the engine's own executor refuses with OM_ENGINE_DISPOSED.
    const pinger = this.#disposed ? undefined : (this.#pinger ??= this.#createPinger?.())
    await (pinger ?? this.dialect).executor.execute(PING, OBJECT_ROWS)
  }

  /**
   * Closes every connection: the executor's, which Kysely and the Sessions share. Sessions still open fail
   * on their next statement or commit with `OM_ENGINE_DISPOSED`, and so does `engine.db`; a rollback still
   * works. A Session's open transaction is rolled back: at once on SQLite and MySQL, whose connections
   * close; on PostgreSQL this waits until the Session rolls back or closes and gives its connection back.
   *
   * @example
   * process.once('SIGTERM', () => void app.close().then(() => engine.dispose()))
   */
  async dispose(): Promise<void> {
    this.#disposed = true
    await Promise.all([
      this.dialect.executor.destroy(),
      this.replicas?.dispose(),
      this.#pinger?.executor.destroy(),
    ])
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose()
  }
}

/**
 * The dialect of `url`, its statements echoed, logged and prepared as `options` say, and given up after
 * `readTimeout` ms without an answer (see `StatementSettings.readTimeout`).
 */
function dialectOf(url: string, options: EngineOptions, readTimeout?: number): Dialect {
  const parsed = parseDatabaseUrl(url)
  const settings = {
    onQuery: options.echo ? echoTo(options.logger ?? console.log) : undefined,
    log: options.log,
    prepare: options.prepare ?? true,
    keepPreparedWhenPoolerFound: options.prepare === true,
    transactionPooling: false,
    readTimeout,
  }
  if (parsed.dialect === 'sqlite') {
    const sqlite = { ...options.sqlite, filename: parsed.filename, memory: parsed.memory }
    return sqliteDialect(sqlite, settings)
  }
  const create = parsed.dialect === 'postgres' ? postgresDialect : mysqlDialect
  return create(parsed.url, options.pool ?? {}, {
    ...settings,
    prepare: settings.prepare && parsed.prepare,
    transactionPooling: parsed.transactionPooling,
  })
}

/**
 * The engine's {@link Replicas}: each replica a dialect of its own for reads, and one of one connection for
 * checks. A statement sent to either that gets no answer within `replicaTimeout` closes its connection and
 * fails, and the reads' pool waits no longer than that for a connection: a replica gone from the network
 * without a word then costs a read that much time, not the request.
 */
function replicasOf(primary: Dialect, options: EngineOptions): Replicas | undefined {
  const { replicas, replicaLag, replicaTimeout = DEFAULT_REPLICA_TIMEOUT } = options
  const urls = (typeof replicas === 'string' ? replicas.split(',') : (replicas ?? []))
    .map((url) => url.trim())
    .filter((url) => url !== '')
  if (urls.length === 0) return undefined
  if (primary.name !== 'postgres' || urls.some((url) => parseDatabaseUrl(url).dialect !== 'postgres')) {
    throw new EngineUrlError(
      `replicas are PostgreSQL streaming replicas of a PostgreSQL primary; ${urls.map((url) => JSON.stringify(redactUrl(url))).join(', ')} cannot serve this ${primary.name} engine.`,
    )
  }
  const pool = { ...options.pool, connectTimeout: connectDeadline(options.pool, replicaTimeout) }
  const connections = urls.map((url): ReplicaConnections => {
    const reads = dialectOf(url, { ...options, pool }, replicaTimeout)
    const checks = probeDialect(url, options, checkInterval(replicaLag), replicaTimeout)
    return {
      url: redactUrl(url),
      executor: reads.executor,
      checker: checks.executor,
      dispose: async () => void (await Promise.all([reads.executor.destroy(), checks.executor.destroy()])),
    }
  })
  return new Replicas(primary.executor, connections, replicaLag)
}

/**
 * A dialect of one connection for probes (the ping, a replica's lag check), apart from the pool the app's
 * statements share: the same server and settings, but never echoed or logged, as a probe every second
 * would drown the statements the app runs, and kept open while idle, as a probe that logged in anew each
 * time would cost the server a backend per probe and fail first once it is full. Its connection is opened
 * within `connectTimeout` ms, and closed when a statement gets no answer within `readTimeout` ms.
 */
function probeDialect(
  url: string,
  options: EngineOptions,
  connectTimeout: number,
  readTimeout: number,
): Dialect {
  const pool = { ...options.pool, size: 1, connectTimeout, idleTimeout: 0 }
  return dialectOf(url, { pool, prepare: options.prepare }, readTimeout)
}

/**
 * `pool.connectTimeout` bounded by `deadline`, or `deadline` when it says none: pg reads a connect timeout
 * of 0 as none, and a probe or a replica read must not wait longer than its own deadline to connect.
 */
function connectDeadline(pool: PoolOptions | undefined, deadline: number): number {
  const connectTimeout = pool?.connectTimeout
  return connectTimeout !== undefined && connectTimeout > 0 ? Math.min(connectTimeout, deadline) : deadline
}

function echoTo(logger: (line: string) => void): (query: CompiledQuery) => void {
  return (query) => {
    const count = query.parameters.length
    logger(count === 0 ? query.sql : `${query.sql} -- ${count} parameter${count === 1 ? '' : 's'}`)
  }
}

/**
 * Creates an engine from a database URL (SQLAlchemy's `create_engine`). Given `tables`, its `engine.db`
 * checks raw Kysely queries against those models.
 *
 * @example
 * const engine = createEngine('sqlite:///heroes.db', { echo: true })
 * const memory = createEngine('sqlite://')
 * const server = createEngine(process.env.DATABASE_URL!, { pool: { size: 20 } }) // postgresql://… or mysql://…
 * const typed = createEngine('sqlite://', { tables: [Hero, Team] })
 * await typed.db.selectFrom('hero').select(['id', 'name']).where('age', '>', 30).execute() // { id: number; name: string }[]
 */
export function createEngine<const T extends readonly TableModel[] = never>(
  url: string,
  options?: EngineOptions<T>,
): Engine<EngineDatabase<T>>
export function createEngine<const T extends readonly TableModel[] = never>(
  options: EngineOptions<T> & { url: string },
): Engine<EngineDatabase<T>>
export function createEngine(
  urlOrOptions: string | (EngineOptions & { url: string }),
  options?: EngineOptions,
): Engine {
  if (typeof urlOrOptions === 'string') return new Engine(urlOrOptions, options)
  const { url, ...rest } = urlOrOptions
  return new Engine(url, rest)
}
