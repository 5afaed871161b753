/**
 * Field coercion with pydantic v2 "lax mode" semantics, the rules FastAPI users rely on: `"5"` is a valid
 * integer, `5.5` is not (`int_from_float`), a number is not a string (`string_type`), `"yes"` is `true`.
 * Constraints (lengths, bounds, patterns) are then checked by the field's compiled TypeBox schema, and
 * TypeBox's error keywords are mapped to pydantic's codes, so the JSON Schema that OpenAPI shows and the
 * check that runs are the same schema.
 */
import { Compile } from 'typebox/compile'
import type { AnyField, FieldKind, NestedModel } from './field.ts'
import { Invalid, InvalidNested } from './invalid.ts'
import {
  DATE_TEXT,
  outsideColumn,
  storableDate,
  storableDatetime,
  storableJson,
  unstorable,
} from './storable.ts'
import type { ValidationIssue } from './validation-error.ts'

/**
 * Turns an input into the field's value, or says why it cannot: an {@link Invalid}, or for nested fields
 * an {@link InvalidNested}. Only nested fields read `loc`, the location of the value.
 *
 * @example
 * const toAge = HeroCreate.coercerOf('age')
 * toAge('16')   // 16
 */
export type Coercer = (input: unknown, loc?: readonly (string | number)[]) => unknown

const INT_TYPE = new Invalid('int_type', 'Input should be a valid integer')
const INT_PARSING = new Invalid(
  'int_parsing',
  'Input should be a valid integer, unable to parse string as an integer',
)
const INT_FROM_FLOAT = new Invalid(
  'int_from_float',
  'Input should be a valid integer, got a number with a fractional part',
)
const INT_SIZE = new Invalid(
  'int_parsing_size',
  'Unable to parse input string as an integer, exceeded maximum size',
)
const FINITE = new Invalid('finite_number', 'Input should be a finite number')
const FLOAT_TYPE = new Invalid('float_type', 'Input should be a valid number')
const FLOAT_PARSING = new Invalid(
  'float_parsing',
  'Input should be a valid number, unable to parse string as a number',
)
const STRING_TYPE = new Invalid('string_type', 'Input should be a valid string')
const BOOL_TYPE = new Invalid('bool_type', 'Input should be a valid boolean')
const BOOL_PARSING = new Invalid('bool_parsing', 'Input should be a valid boolean, unable to interpret input')
const DATETIME_TYPE = new Invalid('datetime_type', 'Input should be a valid datetime')
const DATE_TYPE = new Invalid('date_type', 'Input should be a valid date')
const UUID_TYPE = new Invalid('uuid_type', 'UUID input should be a string, bytes or UUID object')

const INTEGER_TEXT = /^\s*[+-]?\d+(?:\.0*)?\s*$/
const NUMBER_TEXT = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/
const TRUE_TEXT = new Set(['1', 'on', 't', 'true', 'y', 'yes'])
const FALSE_TEXT = new Set(['0', 'off', 'f', 'false', 'n', 'no'])
const DATETIME_TEXT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i
const UUID_TEXT =
  /^(?:urn:uuid:)?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})$/i

function integer(input: unknown): unknown {
  if (typeof input === 'number') {
    if (Number.isInteger(input)) return safeInteger(input)
    return Number.isFinite(input) ? INT_FROM_FLOAT : FINITE
  }
  if (typeof input === 'string')
    return INTEGER_TEXT.test(input) ? safeInteger(Math.trunc(Number(input))) : INT_PARSING
  if (typeof input === 'boolean') return input ? 1 : 0
  if (typeof input === 'bigint') return safeInteger(Number(input))
  return INT_TYPE
}

// Beyond 2^53 a JavaScript number is no longer an exact integer (9007199254740993 would be stored as …992),
// so such input is refused, as pydantic refuses integers beyond its own limit.
function safeInteger(value: number): unknown {
  return Number.isSafeInteger(value) ? value : INT_SIZE
}

/**
 * An integer field's coercer, limited to what its column holds (`Field.columnRange`) on every dialect:
 * SQLite would store 2^31, which PostgreSQL and MySQL refuse.
 */
function columnInteger(field: AnyField): Coercer {
  const range = field.columnRange
  if (range.min === undefined && range.max === undefined) return integer
  return (input) => {
    const value = integer(input)
    return typeof value === 'number' ? (outsideColumn(value, range) ?? value) : value
  }
}

function number(input: unknown): unknown {
  // Infinity and NaN are refused (pydantic's allow_inf_nan=False): JSON and MySQL cannot hold them, and
  // TypeBox's bound checks would reject them with a misleading message.
  if (typeof input === 'number') return Number.isFinite(input) ? input : FINITE
  if (typeof input === 'string') return NUMBER_TEXT.test(input) ? number(Number(input)) : FLOAT_PARSING
  if (typeof input === 'boolean') return input ? 1 : 0
  return FLOAT_TYPE
}

function string(input: unknown): unknown {
  return typeof input === 'string' ? (unstorable(input) ?? input) : STRING_TYPE
}

function boolean(input: unknown): unknown {
  if (typeof input === 'boolean') return input
  if (typeof input === 'number') return input === 1 ? true : input === 0 ? false : BOOL_PARSING
  if (typeof input === 'string') {
    const text = input.trim().toLowerCase()
    return TRUE_TEXT.has(text) ? true : FALSE_TEXT.has(text) ? false : BOOL_PARSING
  }
  return BOOL_TYPE
}

function datetime(input: unknown): unknown {
  if (input instanceof Date) return Number.isNaN(input.getTime()) ? DATETIME_TYPE : storableDatetime(input)
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return FINITE
    // pydantic reads large numbers as milliseconds and small ones as seconds since the epoch.
    return storableDatetime(new Date(Math.abs(input) > 2e10 ? input : input * 1000))
  }
  if (typeof input === 'string') {
    const match = DATETIME_TEXT.exec(input.trim())
    // A datetime without an offset is read as UTC, never as the server's local time.
    const date = match ? new Date(match[1] ? input.trim() : `${input.trim()}Z`) : undefined
    if (date && !Number.isNaN(date.getTime())) return storableDatetime(date)
    return new Invalid('datetime_parsing', 'Input should be a valid datetime, invalid datetime format', {
      error: 'invalid datetime format',
    })
  }
  return DATETIME_TYPE
}

function date(input: unknown): unknown {
  if (input instanceof Date && !Number.isNaN(input.getTime()))
    return storableDate(input.toISOString().slice(0, 10))
  if (typeof input === 'string') {
    if (DATE_TEXT.test(input) && isCalendarDate(input)) return storableDate(input)
    return new Invalid('date_parsing', 'Input should be a valid date in the format YYYY-MM-DD', {
      error: 'invalid date format',
    })
  }
  return DATE_TYPE
}

/** `YYYY-MM-DD` names a day of the calendar: not February 30, nor month 13 (an Invalid Date). */
function isCalendarDate(text: string): boolean {
  const time = Date.parse(`${text}T00:00:00Z`)
  return !Number.isNaN(time) && new Date(time).toISOString().startsWith(text)
}

function uuid(input: unknown): unknown {
  if (typeof input !== 'string') return UUID_TYPE
  const match = UUID_TEXT.exec(input.trim())
  if (match) return match.slice(1).join('-').toLowerCase()
  return new Invalid('uuid_parsing', 'Input should be a valid UUID, invalid format', {
    error: 'invalid format',
  })
}

function literal(values: readonly string[]): Coercer {
  const expected =
    values.length === 1
      ? `'${values[0]}'`
      : `${values
          .slice(0, -1)
          .map((v) => `'${v}'`)
          .join(', ')} or '${values.at(-1)}'`
  const invalid = new Invalid('literal_error', `Input should be ${expected}`, { expected })
  const allowed = new Set(values)
  return (input) => (typeof input === 'string' && allowed.has(input) ? input : invalid)
}

const LIST_TYPE = new Invalid('list_type', 'Input should be a valid list')

function nestedModel(model: NestedModel): Coercer {
  const invalid = new Invalid(
    'model_type',
    `Input should be a valid dictionary or instance of ${model.name}`,
    {
      class_name: model.name,
    },
  )
  return (input, loc = []) => {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return invalid
    const result = model.safeValidate(input, loc)
    return result.success ? result.data : new InvalidNested(result.issues)
  }
}

function nestedList(model: NestedModel): Coercer {
  const item = nestedModel(model)
  return (input, loc = []) => {
    if (!Array.isArray(input)) return LIST_TYPE
    const out: unknown[] = []
    const issues: ValidationIssue[] = []
    input.forEach((raw, index) => {
      const value = item(raw, [...loc, index])
      if (value instanceof Invalid) issues.push(value.at([...loc, index], model.redact(raw)))
      else if (value instanceof InvalidNested) issues.push(...value.issues)
      else out.push(value)
    })
    return issues.length > 0 ? new InvalidNested(issues) : out
  }
}

const COERCERS: Record<Exclude<FieldKind, 'integer' | 'enum' | 'json' | 'model' | 'list'>, Coercer> = {
  number,
  string,
  boolean,
  datetime,
  date,
  uuid,
}

/** The type code pydantic reports for `null` in a field that does not allow it. */
const NULL_INVALID: Record<Exclude<FieldKind, 'model'>, Invalid> = {
  integer: INT_TYPE,
  number: FLOAT_TYPE,
  string: STRING_TYPE,
  boolean: BOOL_TYPE,
  datetime: DATETIME_TYPE,
  date: DATE_TYPE,
  uuid: UUID_TYPE,
  enum: STRING_TYPE,
  json: new Invalid('json_type', 'Input should be a JSON value other than null'),
  list: LIST_TYPE,
}

/**
 * The rule of `field`'s kind alone: lax-mode conversion (`"5"` is 5 for an integer) and the limits of what
 * its column stores, without nullability or the declared constraints. A value compared with a column is
 * held to this: `age < 200` is a fair question beside `le: 150`.
 *
 * @example
 * kindCoercerFor(Hero.fields.age)('16')  // 16
 * kindCoercerFor(Hero.fields.age)('abc') // an Invalid, int_parsing
 */
export function kindCoercerFor(field: AnyField): Coercer {
  switch (field.kind) {
    case 'model':
      return nestedModel(field.model!)
    case 'list':
      return nestedList(field.model!)
    case 'integer':
      return columnInteger(field)
    case 'enum':
      return literal(field.values ?? [])
    case 'json':
      return storableJson
    default:
      return COERCERS[field.kind]
  }
}

/**
 * Builds the coercer of one field once, at declaration: kind rule, then nullability, then the
 * constraints of its TypeBox schema.
 */
export function coercerFor(field: AnyField): Coercer {
  const base = kindCoercerFor(field)
  if (field.kind === 'model' || field.kind === 'list') {
    return field.nullable ? (input, loc) => (input === null ? null : base(input, loc)) : base
  }
  const constraints = constraintCheck(field)
  const checked: Coercer = constraints
    ? (input) => {
        const value = base(input)
        return value instanceof Invalid ? value : (constraints(value) ?? value)
      }
    : base
  const nullInvalid = NULL_INVALID[field.kind]
  return field.nullable
    ? (input) => (input === null ? null : checked(input))
    : (input) => (input === null ? nullInvalid : checked(input))
}

const CONSTRAINT_KEYS = ['minLength', 'maxLength', 'pattern', 'ge', 'le', 'gt', 'lt', 'schema'] as const

/** A check of the field's constraints, or `undefined` when it has none (the common case costs nothing). */
function constraintCheck(field: AnyField): ((value: unknown) => Invalid | undefined) | undefined {
  if (!CONSTRAINT_KEYS.some((key) => field.options[key] !== undefined)) return undefined
  const validator = Compile(field.valueSchema())
  return (value) => {
    if (validator.Check(value)) return undefined
    const [error] = validator.Errors(value)
    return error
      ? toPydantic(error.keyword, error.params as Record<string, unknown>, error.message)
      : undefined
  }
}

function plural(n: unknown, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** Maps a TypeBox error keyword to pydantic's code, message and context. */
function toPydantic(keyword: string, params: Record<string, unknown>, message: string): Invalid {
  const limit = params.limit
  switch (keyword) {
    case 'minLength':
      return new Invalid('string_too_short', `String should have at least ${plural(limit, 'character')}`, {
        min_length: limit,
      })
    case 'maxLength':
      return new Invalid('string_too_long', `String should have at most ${plural(limit, 'character')}`, {
        max_length: limit,
      })
    case 'pattern':
      return new Invalid('string_pattern_mismatch', `String should match pattern '${params.pattern}'`, {
        pattern: params.pattern,
      })
    case 'minimum':
      return new Invalid('greater_than_equal', `Input should be greater than or equal to ${limit}`, {
        ge: limit,
      })
    case 'maximum':
      return new Invalid('less_than_equal', `Input should be less than or equal to ${limit}`, { le: limit })
    case 'exclusiveMinimum':
      return new Invalid('greater_than', `Input should be greater than ${limit}`, { gt: limit })
    case 'exclusiveMaximum':
      return new Invalid('less_than', `Input should be less than ${limit}`, { lt: limit })
    default:
      return new Invalid('value_error', `Value error, ${message}`, { error: message })
  }
}
