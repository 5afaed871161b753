/** The options of each field builder, as pydantic's `Field()` names them. */
import type { TSchema } from 'typebox'

/**
 * Options every field accepts.
 *
 * @example
 * field.integer({ nullable: true, default: null, index: true, description: 'Age in years' })
 */
export interface BaseFieldOptions<T> {
  /** `null` is a valid value (`T | None` in Python). A nullable field without a default is still required. */
  nullable?: boolean
  /** The value used when the input omits the field; makes the field optional on input. */
  default?: T | null
  /** Like `default`, computed for each new row (for ids, timestamps, mutable values). */
  defaultFactory?: () => T
  /** The table's primary key. An integer primary key is assigned by the database when omitted. */
  primaryKey?: boolean
  /** Create an index on this column (`ix_<table>_<column>`). */
  index?: boolean
  /** Create a unique constraint on this column. */
  unique?: boolean
  /** `'table.column'` this column references. */
  foreignKey?: string
  /** What the database does to this row when the referenced row is deleted. */
  onDelete?: 'cascade' | 'set null' | 'restrict'
  /** Shown in the JSON Schema and OpenAPI document. */
  description?: string
  /** The JSON Schema `title`; defaults to the field name in Title Case, as pydantic does. */
  title?: string
  /**
   * Never show this field's values in logs or error messages (passwords, tokens, secret names): where input
   * is echoed (a 422's `input`, `ValidationError.issues`) the value is `'**********'`.
   */
  secret?: boolean
}

/**
 * Options of `field.string()`: lengths and a regular expression, as pydantic's `Field()`.
 *
 * @example
 * const name = field.string({ index: true, minLength: 1, maxLength: 100, pattern: '^[A-Z]' })
 */
export interface StringFieldOptions extends BaseFieldOptions<string> {
  minLength?: number
  maxLength?: number
  pattern?: string
}

/**
 * Options of `field.integer()` and `field.number()`: bounds, named as pydantic's.
 *
 * @example
 * const age = field.integer({ nullable: true, default: null, ge: 0, lt: 150 })
 */
export interface NumberFieldOptions extends BaseFieldOptions<number> {
  /** Greater than or equal (pydantic `ge`, JSON Schema `minimum`). */
  ge?: number
  /** Less than or equal (pydantic `le`, JSON Schema `maximum`). */
  le?: number
  /** Greater than (pydantic `gt`, JSON Schema `exclusiveMinimum`). */
  gt?: number
  /** Less than (pydantic `lt`, JSON Schema `exclusiveMaximum`). */
  lt?: number
}

/**
 * Options of `field.json<T>()`: a TypeBox schema to validate the value.
 *
 * @example
 * const tags = field.json<string[]>({ default: [], schema: Type.Array(Type.String()) })
 */
export interface JsonFieldOptions<T> extends BaseFieldOptions<T> {
  /** A TypeBox schema the JSON value must match; any JSON value when omitted. */
  schema?: TSchema
}

/** Every option any field kind accepts, as the runtime sees them. */
export interface AnyFieldOptions
  extends
    Omit<StringFieldOptions, 'default' | 'defaultFactory'>,
    Omit<NumberFieldOptions, 'default' | 'defaultFactory'>,
    Omit<JsonFieldOptions<unknown>, 'default' | 'defaultFactory'> {
  default?: unknown
  defaultFactory?: () => unknown
}
