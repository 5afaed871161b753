import { OnemodelError } from '../errors.ts'

/**
 * What cannot work behind a pooler in transaction pooling mode (PgBouncer's `pool_mode = transaction`,
 * the URL's `?pgbouncer=true`): there a client's next transaction, or its next statement outside one, may
 * run on another server connection, while the connection it used serves other clients. A statement whose
 * effect outlives its transaction would leave that effect on a connection the client no longer has, and
 * leak it to another client: a session-level `SET` (or `set_config()` not local to its transaction),
 * `LISTEN`, a session advisory lock, `PREPARE`, a cursor `WITH HOLD`, a temporary table, view or sequence
 * (also one named in `pg_temp`, the session's own schema), an `UPDATE` of `pg_settings` (a session-level
 * `set_config()` underneath), `LOAD` of a library into the session.
 * Each `pattern` is a RegExp, or a function where one cannot say it.
 */
const SESSION_STATE: readonly {
  pattern: { test(statement: string): boolean }
  what: string
  instead: string
}[] = [
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
    pattern: { test: setsConfigForSession },
    what: 'set_config() whose third argument is not the literal true, a session-level setting,',
    instead: 'set_config(…, true) in a transaction',
  },
  {
    pattern: /^\s*create\s+(?:(?:global|local)\s+)?temp(?:orary)?\s+table\b(?![^;]*\bon\s+commit\s+drop\b)/i,
    what: 'a temporary table',
    instead: 'a temporary table created ON COMMIT DROP in a transaction',
  },
  {
    // SELECT … INTO [TEMP | TEMPORARY | UNLOGGED] [TABLE] name, where a temporary name is one made so or
    // one in pg_temp; not INSERT INTO or MERGE INTO a table named temp.
    pattern:
      /^\s*(?:select|with)\b[^;]*(?<!\b(?:insert|merge)\s+)\binto\s+(?:temp(?:orary)?\b|(?:unlogged\s+)?(?:table\s+)?pg_temp\w*\s*\.)/i,
    what: 'a temporary table',
    instead: 'CREATE TEMPORARY TABLE … ON COMMIT DROP AS SELECT … in a transaction',
  },
  {
    pattern: /^\s*create\s+(?:or\s+replace\s+)?temp(?:orary)?\s+(?:recursive\s+)?(?:view|sequence)\b/i,
    what: 'a temporary view or sequence',
    instead: 'a WITH query in the statement, or a view or sequence of a schema',
  },
  {
    // pg_temp names the session's temporary schema: a table, view, function… created there is temporary.
    // CREATE INDEX … ON pg_temp.t creates nothing in it: the words before the name never include ON.
    pattern: /^\s*create\s+(?:(?!on\b)[a-z_]+\s+)*?pg_temp\w*\s*\.(?![^;]*\bon\s+commit\s+drop\b)/i,
    what: 'an object created in pg_temp, a temporary one,',
    instead: 'a temporary table created ON COMMIT DROP in a transaction, or an object of a schema',
  },
  {
    // pg_settings' update rule calls set_config(name, value, false): a session-level SET.
    pattern: /\bupdate\s+(?:only\s+)?(?:pg_catalog\s*\.\s*)?pg_settings\b/i,
    what: 'an UPDATE of pg_settings, a session-level SET,',
    instead: 'SET LOCAL in a transaction',
  },
  {
    pattern: /^\s*load\b/i,
    what: 'LOAD, which loads a library into the session,',
    instead: 'session_preload_libraries, set for the role or the server',
  },
]

/**
 * `statement` (code only, see {@link codeOf}) calls `set_config()` with a third argument other than the
 * literal `true`: `false`, or a parameter, a cast or an expression whose value cannot be read here, any of
 * which may make the setting outlive its transaction. Parentheses are walked to find that argument, so
 * calls and commas nested in the others are no obstacle.
 */
function setsConfigForSession(statement: string): boolean {
  const call = /\bset_config\s*\(/gi
  for (let match = call.exec(statement); match !== null; match = call.exec(statement)) {
    if (argumentsOf(statement, call.lastIndex)[2]?.trim().toLowerCase() !== 'true') return true
  }
  return false
}

/** The arguments of the call whose `(` ends just before `from`, as text; none when it is left unclosed. */
function argumentsOf(code: string, from: number): string[] {
  const found: string[] = []
  let depth = 0
  let start = from
  for (let i = from; i < code.length; i++) {
    const char = code[i]
    if (char === '(') depth++
    else if (char === ')' && depth-- === 0) return [...found, code.slice(start, i)]
    else if (char === ',' && depth === 0) {
      found.push(code.slice(start, i))
      start = i + 1
    }
  }
  // Unclosed: no third argument can be trusted to be the literal true.
  return []
}

/**
 * Statements already found allowed: an app sends the same few texts again and again, so each is matched
 * against the patterns once, not on every query. Bounded, since texts built with literals never repeat.
 */
const allowed = new Set<string>()
const ALLOWED_KEPT = 1000

/**
 * Refuses `sql` when its effect would outlive its transaction, which transaction pooling cannot keep: an
 * `OM_ENGINE_TRANSACTION_POOLING` error, thrown before the statement is sent. Each statement of the text
 * is matched as code: what its string literals, quoted identifiers and comments hold is data, never a
 * reason to refuse it.
 *
 * @example
 * refuseSessionState('select pg_advisory_lock(1)') // throws: a session advisory lock …
 * refuseSessionState('set local statement_timeout = 1000') // runs: it ends with its transaction
 * refuseSessionState("insert into note (body) values ('set a reminder')") // runs: the SET is text
 */
export function refuseSessionState(sql: string): void {
  if (allowed.has(sql)) return
  const statements = codeOf(sql).split(';')
  const refused = SESSION_STATE.find(({ pattern }) => statements.some((statement) => pattern.test(statement)))
  if (refused === undefined) {
    if (allowed.size >= ALLOWED_KEPT) allowed.clear()
    allowed.add(sql)
    return
  }
  throw transactionPoolingError(
    `${refused.what} outlives its transaction, and behind a pooler in transaction pooling mode (the URL's ?pgbouncer=true) the next transaction may run on another server connection. Use ${refused.instead}.`,
  )
}

/**
 * What PostgreSQL reads as other than code. One left open runs to the end of the text. A block comment's
 * end is found by {@link blockCommentEnd}, since block comments nest.
 */
const NOT_CODE = new RegExp(
  [
    // An identifier's letters may be any character from U+0080 on: `café$x$` is no dollar quote.
    String.raw`(?<![\w$\u0080-\uffff])[eE]'(?:[^'\\]|\\[\s\S]|'')*'?`, // E'…', with backslash escapes
    String.raw`'(?:[^']|'')*'?`, // '…', with '' inside
    // $$…$$ and $tag$…$tag$; `$1` is a parameter and `a$b$` an identifier, not a dollar quote
    String.raw`(?<![\w$\u0080-\uffff])\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$[\s\S]*?(?:\$\1\$|$)`,
    String.raw`"((?:[^"]|"")*)"?`, // a quoted identifier
    String.raw`--[^\n]*`, // a line comment
    String.raw`/\*`, // a block comment's start
  ].join('|'),
  'g',
)

/** A quoted identifier that means the same as without its quotes: `"pg_advisory_lock"` is that function. */
const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_$]*$/

/**
 * `sql` with its literals, quoted identifiers and comments blanked: a literal becomes `''`, a comment a
 * space, and a quoted identifier its name when quoting does not change it, else `""`.
 * For example `select 'a;b', "Set" -- listen` becomes `select '', ""  `.
 */
function codeOf(sql: string): string {
  let code = ''
  let from = 0
  NOT_CODE.lastIndex = 0
  for (let match = NOT_CODE.exec(sql); match !== null; match = NOT_CODE.exec(sql)) {
    code += sql.slice(from, match.index)
    const [text, , identifier] = match
    if (text === '/*') {
      code += ' '
      NOT_CODE.lastIndex = blockCommentEnd(sql, match.index + 2)
    } else if (text.startsWith('--')) code += ' '
    else if (identifier !== undefined) code += PLAIN_IDENTIFIER.test(identifier) ? identifier : '""'
    else code += "''"
    from = NOT_CODE.lastIndex
  }
  return code + sql.slice(from)
}

/** Where the block comment whose text starts at `from` ends (after its `*\/`), with the ones nested in it. */
function blockCommentEnd(sql: string, from: number): number {
  let depth = 1
  const delimiters = /\/\*|\*\//g
  delimiters.lastIndex = from
  for (let match = delimiters.exec(sql); match !== null; match = delimiters.exec(sql)) {
    depth += match[0] === '/*' ? 1 : -1
    if (depth === 0) return delimiters.lastIndex
  }
  return sql.length
}

/** An `OM_ENGINE_TRANSACTION_POOLING` error: what the message names cannot work through transaction pooling. */
export function transactionPoolingError(message: string): OnemodelError {
  return new OnemodelError('OM_ENGINE_TRANSACTION_POOLING', message)
}
