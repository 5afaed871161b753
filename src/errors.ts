/**
 * The error registry. Every error onemodel throws has a stable `code` from {@link ERROR_CODES};
 * `docs/reference/errors.md` has one row per code and a test keeps the two in sync.
 */

export const ERROR_CODES = {
  OM_MODEL_DEFINITION: 'A model, field or table declaration is invalid.',
  OM_MODEL_VALIDATION: 'Input data does not match a model.',
  OM_ENGINE_URL: 'A database URL cannot be parsed or names an unsupported dialect.',
  OM_ENGINE_CONNECTION: 'The database cannot be reached or the connection failed.',
  OM_ENGINE_DISPOSED: 'The engine was disposed and cannot run queries any more.',
  OM_ENGINE_BUSY: 'The database stayed locked by another connection for longer than the busy timeout.',
  OM_ENGINE_TIMEOUT: 'A statement ran longer than the statement timeout, and the database cancelled it.',
  OM_ENGINE_PLUGIN: "A Kysely plugin of the engine changed the bound values of the Session's statements.",
  OM_ENGINE_TRANSACTION_POOLING:
    'A statement or setting would outlive its transaction, which a pooler in transaction mode cannot keep.',
  OM_ORM_INTEGRITY: 'The database rejected a write: a unique, foreign key, not-null or check constraint.',
  OM_ORM_DATA: 'The database refused a value that does not fit its column: too long, or out of range.',
  OM_ORM_NO_RESULT: 'A query expected exactly one row and found none.',
  OM_ORM_MULTIPLE_RESULTS: 'A query expected exactly one row and found more.',
  OM_ORM_INVALID_QUERY: 'A query was built with an argument it cannot use, such as a negative limit.',
  OM_ORM_NOT_A_ROW: 'An object passed to the Session is not a row of a table model.',
  OM_ORM_SESSION_CLOSED: 'The Session was closed and cannot be used any more.',
  OM_ORM_TRANSACTION: 'A transaction was begun while one was already open.',
  OM_ORM_SESSION_OPTIONS:
    'A Session was made with an option it cannot take, such as an unknown isolation level.',
  OM_ORM_DETACHED: 'The object is not in the Session, so the operation cannot apply to it.',
  OM_ORM_ATTACHED: 'The row is already in another open Session.',
  OM_ORM_DELETED: 'The row was deleted by a flush or commit, so it cannot be added again.',
  OM_ORM_STALE: 'A row the Session updated, deleted or refreshed is no longer in the database.',
  OM_ORM_NOT_SUPPORTED:
    "A query uses a clause the database's dialect does not have, such as UPDATE … RETURNING on MySQL.",
  OM_ORM_RELATIONSHIP_NOT_LOADED: 'A relationship of a row was read before it was loaded.',
  OM_ORM_LOCKED:
    'A row another transaction holds locked could not be locked: NOWAIT, or a lock wait that timed out.',
  OM_ORM_DEADLOCK:
    'Two transactions waited for each other, and the database rolled one back to end the deadlock.',
  OM_ORM_SERIALIZATION:
    "A transaction's reads and writes could not be serialized with another's, and the database rolled it back.",
  OM_ORM_STREAM_OPEN: 'The Session was used while a stream read in its transaction, on its connection.',
  OM_ORM_KEY_MISSING: 'A row reached its insert without a value for a primary key field.',
  OM_MIGRATE_CONFIG: 'The migrations configuration or the models module it names cannot be loaded.',
  OM_MIGRATE_REVISION: 'A migration revision is unknown, ambiguous, or cannot be reached in that direction.',
  OM_MIGRATE_OUT_OF_DATE:
    'The database is not at the latest migration, so it cannot be compared with the models.',
  OM_MIGRATE_FAILED: 'A migration failed; its transaction was rolled back where the database allows it.',
  OM_MIGRATE_OUT_OF_ORDER: 'A pending migration sorts before one the database has already applied.',
  OM_MIGRATE_MISSING: 'The database applied a migration whose file is not in the migrations folder.',
  OM_MIGRATE_REBUILD:
    'A SQLite table rebuild cannot run: a table or column is missing, or foreign keys would break.',
  OM_MIGRATE_UNREVIEWED:
    'A generated revision still carries its review marker, so it is not run until it has been edited.',
  OM_MIGRATE_NOT_NULL: 'A migration makes a column NOT NULL while rows of its table have no value for it.',
  OM_MIGRATE_RENAME: 'A column rename given to autogenerate does not match the models and the database.',
  OM_MIGRATE_LOCK:
    'A migration command could not take the migration lock, so it ran nothing, or could not release it.',
  OM_HTTP_ERROR: 'A handler answered with an HTTP error status (HTTPError).',
  OM_HTTP_ROUTE_DEFINITION: 'A route, parameter or dependency declaration is invalid.',
  OM_HTTP_RESPONSE_VALIDATION: "A handler returned data that does not match the route's response model.",
  OM_CLIENT_HTTP_ERROR: "A typed client's request was answered with an error status.",
} as const

export type ErrorCode = keyof typeof ERROR_CODES

/** Base class of every error onemodel throws. Catch it to handle all of them; switch on `code` for one. */
export class OnemodelError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/**
 * A mistake in a declaration: a model, field, table or relationship that cannot work.
 * Thrown when the model is declared or at `createAll`, never at the first query.
 */
export class ModelDefinitionError extends OnemodelError {
  constructor(message: string) {
    super('OM_MODEL_DEFINITION', message)
  }
}

/**
 * A relationship declaration that cannot work: an unknown target, a `backPopulates` partner that is missing
 * or does not point back, no foreign key between the two tables, or one naming an unknown column.
 * `sides` names both ends, as `['Hero.team', 'Team.heroes']`.
 */
export class RelationshipDefinitionError extends ModelDefinitionError {
  readonly sides: readonly [string, string]

  constructor(message: string, sides: readonly [string, string]) {
    super(message)
    this.sides = sides
  }
}

/**
 * A relationship was read before it was loaded. onemodel never loads one behind your back (no lazy
 * loading, no N+1 queries): load it with `select(Team).options(selectinload('heroes'))`,
 * `session.get(Hero, id, { options: [selectinload('team')] })` or `session.load(row, 'team')`.
 */
export class RelationshipNotLoadedError extends OnemodelError {
  /** The model whose row was read (`'Hero'`). */
  readonly model: string
  /** The relationship (`'team'`). */
  readonly relationship: string

  /** `replacing`: the collection was assigned, which needs what it held, to unlink the rows that left it. */
  constructor(model: string, relationship: string, target: string, replacing = false) {
    super(
      'OM_ORM_RELATIONSHIP_NOT_LOADED',
      replacing
        ? `${model}.${relationship} = […]: the collection is not loaded, so the rows it held are unknown and would stay linked. Load it first, with select(${model}).options(selectinload('${relationship}')) or await session.load(row, '${relationship}'), then assign it or push to it.`
        : `${model}.${relationship} is not loaded. Load it with the query, select(${model}).options(selectinload('${relationship}')), or for one row with await session.load(row, '${relationship}'); a ${target} is never fetched by reading the property.`,
    )
    this.model = model
    this.relationship = relationship
  }
}

/** The database URL or engine options are wrong. */
export class EngineUrlError extends OnemodelError {
  constructor(message: string) {
    super('OM_ENGINE_URL', message)
  }
}

/** The database refused a connection or dropped it. */
export class ConnectionError extends OnemodelError {
  constructor(message: string, options?: ErrorOptions) {
    super('OM_ENGINE_CONNECTION', message, options)
  }
}

/** The kind of constraint an {@link IntegrityError} reports. */
export type ConstraintKind = 'unique' | 'foreign_key' | 'not_null' | 'check' | 'primary_key' | 'unknown'

/**
 * The database rejected a write because it broke a constraint. The same class on every dialect,
 * with the constraint's kind and, where the database names it, the constraint or column.
 *
 * @example
 * try { await session.commit() } catch (error) {
 *   if (error instanceof IntegrityError && error.constraint === 'unique') await session.rollback()
 * }
 */
export class IntegrityError extends OnemodelError {
  readonly constraint: ConstraintKind
  /** The constraint name or the `table.column` list the database reported, when it reports one. */
  readonly target: string | undefined

  constructor(message: string, constraint: ConstraintKind, target: string | undefined, cause: unknown) {
    super('OM_ORM_INTEGRITY', message, { cause })
    this.constraint = constraint
    this.target = target
  }
}

/** `.one()` found no row. */
export class NoResultError extends OnemodelError {
  constructor(message: string) {
    super('OM_ORM_NO_RESULT', message)
  }
}

/** `.one()` found more than one row. */
export class MultipleResultsError extends OnemodelError {
  constructor(message: string) {
    super('OM_ORM_MULTIPLE_RESULTS', message)
  }
}

/**
 * A migration problem: a failed migration (rolled back where the database allows it), an unknown revision,
 * a database behind the migrations, a configuration that cannot be loaded. `code` says which.
 */
export class MigrationError extends OnemodelError {
  declare readonly code: MigrationErrorCode

  constructor(code: MigrationErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options)
  }
}

/** The codes of {@link MigrationError}: `if (error.code === 'OM_MIGRATE_NOT_NULL') …`. */
export type MigrationErrorCode =
  | 'OM_MIGRATE_CONFIG'
  | 'OM_MIGRATE_REVISION'
  | 'OM_MIGRATE_OUT_OF_DATE'
  | 'OM_MIGRATE_FAILED'
  | 'OM_MIGRATE_OUT_OF_ORDER'
  | 'OM_MIGRATE_MISSING'
  | 'OM_MIGRATE_REBUILD'
  | 'OM_MIGRATE_UNREVIEWED'
  | 'OM_MIGRATE_NOT_NULL'
  | 'OM_MIGRATE_RENAME'
  | 'OM_MIGRATE_LOCK'

/**
 * A query was built with an argument it cannot use: a negative `limit`, an unknown relationship. Thrown
 * when the query is built, before anything reaches the database.
 *
 * @example
 * try { select(Hero).limit(-1) } catch (error) {
 *   if (error instanceof InvalidQueryError) console.log(error.detail)   // 'limit must be a whole number >= 0'
 * }
 */
export class InvalidQueryError extends OnemodelError {
  /**
   * The refused value's rule in words for an API client, when the value may come from a request (a `limit`
   * or `offset`): over HTTP the answer is a 400 with this `detail`. `undefined` when only the code can be
   * wrong (an unknown relationship), which is a server error.
   */
  readonly detail: string | undefined

  constructor(message: string, detail?: string) {
    super('OM_ORM_INVALID_QUERY', message)
    this.detail = detail
  }
}

/**
 * A query uses a clause the database's dialect does not have (MySQL has no `UPDATE … RETURNING`). Thrown
 * before the statement runs; the message names the dialect and what to do instead. A server error over HTTP.
 *
 * @example
 * try { await session.exec(update(Hero).values({ age: 1 }).returning()) } catch (error) {
 *   if (error instanceof NotSupportedError) console.log(error.message) // mysql has no UPDATE … RETURNING. …
 * }
 */
export class NotSupportedError extends OnemodelError {
  constructor(message: string) {
    super('OM_ORM_NOT_SUPPORTED', message)
  }
}

/** Misuse of a Session: a closed session, a plain object where a row was expected, a transaction mistake. */
export class SessionError extends OnemodelError {}

/**
 * A row the Session updated, deleted or refreshed is no longer in the database: another session or
 * process deleted it since it was loaded (SQLAlchemy's `StaleDataError`). A flush that meets one has
 * rolled back its transaction; either way the row has left the Session, and the Session stays usable.
 * The message names the model and the primary key, never another field's value. A route that lets it
 * escape answers 404.
 *
 * @example
 * hero.age = 30
 * try {
 *   await session.commit()
 * } catch (error) {
 *   if (!(error instanceof StaleDataError)) throw error
 *   console.log(`${error.model} ${error.key} was deleted meanwhile`) // Hero 1 was deleted meanwhile
 * }
 */
export class StaleDataError extends SessionError {
  /** The model of the row (`'Hero'`). */
  readonly model: string
  /** The row's primary key value. */
  readonly key: unknown

  constructor(message: string, model: string, key: unknown) {
    super('OM_ORM_STALE', message)
    this.model = model
    this.key = key
  }
}

/**
 * A row lock could not be taken: another transaction holds the row, and the select said `noWait`, or the
 * wait outlasted the database's lock timeout (PostgreSQL's `lock_timeout`, MySQL's
 * `innodb_lock_wait_timeout`). The statement failed: roll the transaction back, then retry or give up. A
 * deadlock is a subclass, {@link DeadlockError}, where running the transaction again is the fix. A route
 * that lets either escape answers 503 with `Retry-After`, as a busy database does.
 *
 * @example
 * try {
 *   await session.exec(select(Hero).where(Hero.c.id.eq(1)).forUpdate({ noWait: true })).one()
 * } catch (error) {
 *   if (!(error instanceof LockNotAvailableError)) throw error
 *   await session.rollback() // someone else is editing the hero
 * }
 */
export class LockNotAvailableError extends OnemodelError {
  constructor(message: string, options?: ErrorOptions) {
    super('OM_ORM_LOCKED', message, options)
  }
}

/**
 * Two transactions each waited for a lock the other held, and the database ended one of them
 * (PostgreSQL's SQLSTATE 40P01, MySQL's and MariaDB's errno 1213): that transaction's work is undone.
 * Roll the Session back (`session.transaction()` does), then run the transaction again, the fix both
 * databases' manuals give; unlike a lock wait that timed out, which would wait as long again. Run again
 * the outermost transaction: a nested `session.transaction()` is a savepoint, which MySQL's rollback of
 * the whole transaction took with it. It is a {@link LockNotAvailableError}, so code that handles a lock
 * not taken handles it too.
 *
 * @example
 * for (let attempt = 1; ; attempt++) {
 *   try {
 *     return await session.transaction(() => transfer(session, from, to))
 *   } catch (error) {
 *     if (!(error instanceof DeadlockError) || attempt === 3) throw error
 *   }
 * }
 */
export class DeadlockError extends LockNotAvailableError {
  override readonly code: ErrorCode = 'OM_ORM_DEADLOCK'
}

/**
 * A transaction at the `repeatable read` or `serializable` isolation level (the Session's
 * `isolationLevel`, or the database's default: MariaDB 11.6.2+ runs its default `repeatable read` with
 * `innodb_snapshot_isolation` on) read or wrote rows that another transaction changed at the same time, in
 * a way no order of the two could give, and the database rolled it back (PostgreSQL's SQLSTATE 40001,
 * MariaDB's errno 1020). Its work is undone; run the outermost transaction again,
 * as both databases' manuals ask, the same fix as a {@link DeadlockError}'s. A route that lets it escape
 * answers 503 with `Retry-After`, as a busy database does.
 *
 * @example
 * await using session = new Session(engine, { isolationLevel: 'serializable' })
 * for (let attempt = 1; ; attempt++) {
 *   try {
 *     return await session.transaction(() => transfer(session, from, to))
 *   } catch (error) {
 *     const again = error instanceof SerializationError || error instanceof DeadlockError
 *     if (!again || attempt === 3) throw error
 *   }
 * }
 */
export class SerializationError extends OnemodelError {
  constructor(message: string, options?: ErrorOptions) {
    super('OM_ORM_SERIALIZATION', message, options)
  }
}

/**
 * A route that cannot work: a path parameter missing from the template, two body parameters, a route
 * added after the app started. Thrown when the route is declared or when the app starts.
 */
export class RouteDefinitionError extends OnemodelError {
  constructor(message: string) {
    super('OM_HTTP_ROUTE_DEFINITION', message)
  }
}

/**
 * The database refused a value that passed the model but does not fit the column: a string longer than
 * MySQL's `varchar(255)`, an integer beyond a 32-bit column. The message names the column, never the value,
 * and the driver's own error is not kept as `cause`: its text quotes the value, and a logger prints causes.
 *
 * @example
 * try { await session.commit() } catch (error) {
 *   if (error instanceof DataError) console.log(error.driverCode)   // '22003' on PostgreSQL
 * }
 */
export class DataError extends OnemodelError {
  /** The driver's error code (PostgreSQL's SQLSTATE, MySQL's errno), for telling the cases apart. */
  readonly driverCode: string | number | undefined

  constructor(message: string, driverCode?: string | number) {
    super('OM_ORM_DATA', message)
    this.driverCode = driverCode
  }
}
