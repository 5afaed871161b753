import { OnemodelError } from '../errors.ts'

/**
 * What cannot work behind a pooler in transaction pooling mode (PgBouncer's `pool_mode = transaction`,
 * the URL's `?pgbouncer=true`): there a client's next transaction, or its next statement outside one, may
 * run on another server connection, while the connection it used serves other clients. A statement whose
 * effect outlives its transaction would leave that effect on a connection the client no longer has, and
 * leak it to another client: a session-level `SET` (or `set_config(…, false)`), `LISTEN`, a session
 * advisory lock, `PREPARE`, a cursor `WITH HOLD`, a temporary table.
 */
const SESSION_STATE: readonly { pattern: RegExp; what: string; instead: string }[] = [
  {
    pattern: /^\s*set\s+(?!local\b|transaction\b|constraints\b)/i,
    what: 'a session-level SET',
    instead: 'SET LOCAL in a transaction, or ALTER ROLE … SET for every connection of the role',
  },
  {
    pattern: /^\s*reset\b/i,
    what: 'RESET',
    instead: 'SET LOCAL in a transaction, which ends with it',
  },
  {
    pattern: /^\s*(?:un)?listen\b/i,
    what: 'LISTEN',
    instead: 'a direct connection to the server for the listener',
  },
  {
    pattern: /\bpg_(?:try_)?advisory_(?:un)?lock(?:_shared|_all)?\s*\(/i,
    what: 'a session advisory lock',
    instead: 'pg_advisory_xact_lock() in a transaction, which releases it',
  },
  {
    pattern: /^\s*(?:prepare|deallocate)\b/i,
    what: 'PREPARE',
    instead: 'a plain statement with parameters',
  },
  {
    pattern: /^\s*declare\b[^;]*\bwith\s+hold\b/i,
    what: 'a cursor WITH HOLD',
    instead: 'session.stream(), whose cursor lives in a transaction',
  },
  {
    pattern: /\bset_config\s*\([^)]*,\s*false\s*\)/i,
    what: 'set_config(…, false), a session-level setting,',
    instead: 'set_config(…, true) in a transaction',
  },
  {
    pattern: /^\s*create\s+(?:(?:global|local)\s+)?temp(?:orary)?\s+table\b(?![^;]*\bon\s+commit\s+drop\b)/i,
    what: 'a temporary table',
    instead: 'a temporary table created ON COMMIT DROP in a transaction',
  },
]

/**
 * Statements already found allowed: an app sends the same few texts again and again, so each is matched
 * against the patterns once, not on every query. Bounded, since texts built with literals never repeat.
 */
const allowed = new Set<string>()
const ALLOWED_KEPT = 1000

/** The comments before a statement, which would hide its first word from the patterns. */
const LEADING_COMMENTS = /^(?:\s*(?:--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/))+/

/**
 * Refuses `sql` when its effect would outlive its transaction, which transaction pooling cannot keep: an
 * `OM_ENGINE_TRANSACTION_POOLING` error, thrown before the statement is sent.
 *
 * @example
 * refuseSessionState('select pg_advisory_lock(1)') // throws: a session advisory lock …
 * refuseSessionState('set local statement_timeout = 1000') // runs: it ends with its transaction
 */
export function refuseSessionState(sql: string): void {
  if (allowed.has(sql)) return
  const statement = sql.replace(LEADING_COMMENTS, '')
  const refused = SESSION_STATE.find(({ pattern }) => pattern.test(statement))
  if (refused === undefined) {
    if (allowed.size >= ALLOWED_KEPT) allowed.clear()
    allowed.add(sql)
    return
  }
  throw transactionPoolingError(
    `${refused.what} outlives its transaction, and behind a pooler in transaction pooling mode (the URL's ?pgbouncer=true) the next transaction may run on another server connection. Use ${refused.instead}.`,
  )
}

/** An `OM_ENGINE_TRANSACTION_POOLING` error: what the message names cannot work through transaction pooling. */
export function transactionPoolingError(message: string): OnemodelError {
  return new OnemodelError('OM_ENGINE_TRANSACTION_POOLING', message)
}
