/**
 * What every database stores unchanged, the limits all dialects share so that a value valid on one is
 * valid on all: 32-bit integer columns unless bounds ask for a bigint, key strings short enough for an
 * index, text without NUL or lone surrogates (also inside JSON values), and the years MySQL and PostgreSQL
 * hold. These are limits of storage, not declared constraints: the coercers check them, and the JSON Schema
 * does not show them.
 */
import type { NumberFieldOptions } from './field-options.ts'
import { Invalid } from './invalid.ts'

/**
 * The range of a 32-bit SQL `integer`, the column `field.integer()` maps to on PostgreSQL and MySQL. An
 * integer field refuses values beyond it on every dialect, unless it declares wider bounds (then its
 * column is a 64-bit `bigint`).
 *
 * @example
 * model('Counter', { n: field.integer() }).safeValidate({ n: INTEGER_RANGE.max + 1 })
 * // { success: false, issues: [{ type: 'less_than_equal', loc: ['n'], …, ctx: { le: 2147483647 } }] }
 * field.integer({ ge: 0, le: 2 ** 40 }) // a bigint column
 */
export const INTEGER_RANGE = Object.freeze({ min: -2147483648, max: 2147483647 })

/**
 * The `maxLength` of a string field that is a primary key, unique or a foreign key and declares none: a
 * key is compared whole by an index, and indexes limit the length of their keys (PostgreSQL ~2.7 KB,
 * MySQL 3 KB), so a key string has a limit every database can hold. 255 is SQLAlchemy's and SQLModel's.
 *
 * @example
 * field.string({ unique: true }).options.maxLength // 255: varchar(255) on every dialect
 * field.string({ index: true }).options.maxLength // undefined: text of any length
 */
export const KEY_STRING_MAX_LENGTH = 255

type Bounds = Pick<NumberFieldOptions, 'ge' | 'le' | 'gt' | 'lt'>

/** The lowest and highest integers the declared bounds allow, where declared. */
function declaredIntegerBounds(o: Bounds): { lowest?: number; highest?: number } {
  return {
    lowest: o.ge ?? (o.gt === undefined ? undefined : Math.floor(o.gt) + 1),
    highest: o.le ?? (o.lt === undefined ? undefined : Math.ceil(o.lt) - 1),
  }
}

/** Declared bounds that go beyond a 32-bit integer: the column is a 64-bit `bigint`. */
export function needsBigint(o: Bounds): boolean {
  const { lowest, highest } = declaredIntegerBounds(o)
  return (
    (lowest !== undefined && lowest < INTEGER_RANGE.min) ||
    (highest !== undefined && highest > INTEGER_RANGE.max)
  )
}

/** The 32-bit limits on each side the declared bounds leave open; none when they need a `bigint`. */
export function integerColumnRange(o: Bounds): { min?: number; max?: number } {
  if (needsBigint(o)) return {}
  const { lowest, highest } = declaredIntegerBounds(o)
  return {
    ...(lowest === undefined ? { min: INTEGER_RANGE.min } : {}),
    ...(highest === undefined ? { max: INTEGER_RANGE.max } : {}),
  }
}

const ABOVE_COLUMN = new Invalid(
  'less_than_equal',
  `Input should be less than or equal to ${INTEGER_RANGE.max}`,
  { le: INTEGER_RANGE.max },
)
const BELOW_COLUMN = new Invalid(
  'greater_than_equal',
  `Input should be greater than or equal to ${INTEGER_RANGE.min}`,
  { ge: INTEGER_RANGE.min },
)

/** Why an integer is outside its column's range (`Field.columnRange`), if it is. */
export function outsideColumn(
  value: number,
  { min, max }: { min?: number; max?: number },
): Invalid | undefined {
  if (min !== undefined && value < min) return BELOW_COLUMN
  return max !== undefined && value > max ? ABOVE_COLUMN : undefined
}

const STRING_UNICODE = new Invalid(
  'string_unicode',
  'Input should be a valid string, a lone surrogate (half of a UTF-16 pair) is not a Unicode character',
)
const STRING_NUL = new Invalid(
  'string_nul',
  'Input should be a valid string without the NUL character (\\u0000)',
)

/**
 * Why a database cannot store this text as it is, if it cannot: a lone surrogate would be stored as U+FFFD
 * (the row would not hold what was sent), and PostgreSQL refuses NUL. Refused on every dialect, so the same
 * text is valid everywhere.
 */
export function unstorable(text: string): Invalid | undefined {
  if (!text.isWellFormed()) return STRING_UNICODE
  return text.includes('\0') ? STRING_NUL : undefined
}

const NOT_JSON = new Invalid(
  'json_type',
  'Input should be a JSON value: JSON cannot hold a function, symbol or bigint',
)

/**
 * A JSON value's first string or key that cannot be stored (see {@link unstorable}); PostgreSQL's `jsonb`
 * refuses both. A value JSON cannot hold at all (a function, a symbol, a bigint) is refused too: written,
 * it would be left out, or fail. Walks with its own stack, so deep nesting cannot overflow the call stack,
 * and visits each object once, so a cycle ends.
 */
export function storableJson(input: unknown): unknown {
  if (typeof input === 'function' || typeof input === 'symbol' || typeof input === 'bigint') return NOT_JSON
  const pending: unknown[] = [input]
  const seen = new Set<object>()
  while (pending.length > 0) {
    const value = pending.pop()
    if (typeof value === 'string') {
      const invalid = unstorable(value)
      if (invalid) return invalid
    } else if (typeof value === 'object' && value !== null && !seen.has(value)) {
      seen.add(value)
      if (Array.isArray(value)) for (const item of value) pending.push(item)
      else for (const [key, item] of Object.entries(value)) pending.push(key, item)
    }
  }
  return input
}

// MySQL's DATETIME holds the years 1000 to 9999 (it reads years 0 to 99 back as 19xx or 20xx), and
// four-digit years keep SQLite's ISO 8601 text in time order.
const DATETIME_START = Date.UTC(1000, 0, 1)
const DATETIME_END = Date.UTC(10000, 0, 1)
const DATETIME_RANGE = new Invalid(
  'datetime_parsing',
  'Input should be a valid datetime, the year must be between 1000 and 9999',
  { error: 'the year must be between 1000 and 9999' },
)

export function storableDatetime(date: Date): Date | Invalid {
  const time = date.getTime()
  return time >= DATETIME_START && time < DATETIME_END ? date : DATETIME_RANGE
}

/** A date as every dialect stores it and sorts it as text: a four-digit year. */
export const DATE_TEXT = /^\d{4}-\d{2}-\d{2}$/

// Python's date range: PostgreSQL has no year 0, and years past 9999 have no 'YYYY-MM-DD' spelling.
const DATE_RANGE = new Invalid(
  'date_parsing',
  'Input should be a valid date, the year must be between 1 and 9999',
  {
    error: 'the year must be between 1 and 9999',
  },
)

export function storableDate(text: string): string | Invalid {
  return DATE_TEXT.test(text) && !text.startsWith('0000') ? text : DATE_RANGE
}
