import { isAbsolute, resolve } from 'node:path'
import { EngineUrlError } from '../errors.ts'

/** The dialects onemodel speaks. */
export type DialectName = 'sqlite' | 'postgres' | 'mysql'

/** A parsed database URL. */
export type DatabaseUrl =
  | { readonly dialect: 'sqlite'; readonly filename: string; readonly memory: boolean }
  | {
      readonly dialect: 'postgres' | 'mysql'
      /** The URL handed to the driver, without the parameters onemodel reads itself. */
      readonly url: URL
      /** Keep repeated statements prepared on the server; false with `?pgbouncer=true`. */
      readonly prepare: boolean
      /**
       * The URL is a pooler's in transaction pooling mode (`?pgbouncer=true`): each transaction, or
       * statement outside one, may run on another server connection, so nothing may outlive it.
       */
      readonly transactionPooling: boolean
    }

const SCHEMES: Record<string, DialectName> = {
  sqlite: 'sqlite',
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
}

/**
 * Parses a SQLAlchemy-style database URL.
 *
 * - `sqlite:///heroes.db`: a file relative to the working directory; `sqlite:////var/data/heroes.db`: absolute.
 * - `sqlite://` or `sqlite:///:memory:`: an in-memory database.
 * - `postgresql://user:pass@host:5432/db`, `mysql://user:pass@host:3306/db` (also `postgres://`, `mariadb://`).
 *
 * A driver suffix (`sqlite+aiosqlite://`, `postgresql+asyncpg://`) is accepted and ignored, so URLs copied
 * from a Python project work.
 *
 * `?pgbouncer=true` on a PostgreSQL URL says a pooler in transaction pooling mode (PgBouncer's) is in
 * between, where a statement prepared on one server connection may run on another: prepared statements are
 * off, and what would outlive a transaction is refused (see `docs/deploying.md`). It is not passed to pg.
 *
 * @example
 * parseDatabaseUrl('postgresql://app@db:6432/heroes?pgbouncer=true') // { dialect: 'postgres', prepare: false, transactionPooling: true, url }
 */
export function parseDatabaseUrl(url: string): DatabaseUrl {
  const match = /^([a-z][a-z0-9]*)(?:\+[a-z0-9]+)?:\/\/(.*)$/i.exec(url.trim())
  const dialect = match ? SCHEMES[match[1]!.toLowerCase()] : undefined
  if (!match || !dialect) {
    throw new EngineUrlError(
      `Cannot use database URL ${JSON.stringify(redactUrl(url))}: expected sqlite:///path.db, sqlite:// (memory), postgresql://user:pass@host/db or mysql://user:pass@host/db.`,
    )
  }
  const rest = match[2]!
  if (dialect === 'sqlite') {
    const path = rest.startsWith('/') ? rest.slice(1) : rest
    if (path === '' || path === ':memory:') return { dialect, filename: ':memory:', memory: true }
    return { dialect, filename: isAbsolute(path) ? path : resolve(path), memory: false }
  }
  let parsed: URL
  try {
    parsed = new URL(`${match[1]}://${rest}`)
  } catch {
    throw new EngineUrlError(
      `Cannot parse database URL ${JSON.stringify(redactUrl(url))}: check the host, port and database name.`,
    )
  }
  if (dialect === 'mysql') return { dialect, url: parsed, prepare: true, transactionPooling: false }
  const pgbouncer = parsed.searchParams.get('pgbouncer') === 'true'
  parsed.searchParams.delete('pgbouncer')
  return { dialect, url: parsed, prepare: !pgbouncer, transactionPooling: pgbouncer }
}

/** The URL with its password replaced by `***`, safe to log or show in an error. */
export function redactUrl(url: string): string {
  // Up to the last '@', as URL parsers read it: a password pasted with an unencoded '/', '#' or '@' must
  // not leak either. A stray '@' later in the URL only makes the redaction cover more than the password.
  return url.replace(/^([a-z][a-z0-9+]*:\/\/[^:/@?#]*:).*@/is, '$1***@')
}
