import Type, { type TSchema } from 'typebox'
import type { ValidationIssue } from './validation-error.ts'

/** The kinds of value a field can hold. Each maps to a JSON Schema type, a SQL type and a coercion rule. */
export type FieldKind =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'datetime'
  | 'date'
  | 'uuid'
  | 'json'
  | 'enum'
  | 'model'
  | 'list'

/**
 * What a nested field needs of its model. (field.ts cannot import model.ts, which imports it.)
 * `schema` gives the model's JSON Schema; `ref` replaces it by a reference, as OpenAPI components do.
 */
export interface NestedModel {
  readonly name: string
  safeValidate(
    input: unknown,
    loc?: readonly (string | number)[],
  ): { success: true; data: unknown } | { success: false; issues: ValidationIssue[] }
  /** `input` with its secret values replaced, as an error may show it. */
  redact(input: unknown): unknown
  readonly schema: TSchema
}

/** Turns a nested model into a schema: inline by default, a `$ref` in an OpenAPI document. */
export type SchemaRef = (model: NestedModel) => TSchema

const inline: SchemaRef = (model) => model.schema

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

/** Options every field accepts. */
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

/**
 * One declared field. `T` is the value type, `InputOptional` whether the input may omit it (a default,
 * a generated primary key, or a partial model), and `RowOptional` whether a row may lack it (partial models).
 * Fields are immutable: derivation makes new ones.
 */
export class Field<
  T = unknown,
  InputOptional extends boolean = boolean,
  RowOptional extends boolean = boolean,
> {
  declare readonly '~value': T
  declare readonly '~inputOptional': InputOptional
  declare readonly '~rowOptional': RowOptional
  readonly kind: FieldKind
  readonly options: Readonly<AnyFieldOptions>
  /** Allowed values of an enum field. */
  readonly values: readonly string[] | undefined
  /** The model of a `model` field, or of the items of a `list` field. */
  readonly model: NestedModel | undefined
  /** The field may be absent from input and from the row, with no default applied (partial models). */
  readonly optional: boolean

  constructor(
    kind: FieldKind,
    options: AnyFieldOptions,
    of: { values?: readonly string[]; model?: NestedModel } = {},
    optional = false,
  ) {
    this.kind = kind
    this.options = Object.freeze(
      isKeyString(kind, options) ? { ...options, maxLength: KEY_STRING_MAX_LENGTH } : { ...options },
    )
    this.values = of.values
    this.model = of.model
    this.optional = optional
  }

  get nullable(): boolean {
    return this.options.nullable === true
  }

  get isPrimaryKey(): boolean {
    return this.options.primaryKey === true
  }

  get hasDefault(): boolean {
    return 'default' in this.options || this.options.defaultFactory !== undefined
  }

  /** The database assigns the value when the input omits it. */
  get isGenerated(): boolean {
    return this.isPrimaryKey && this.kind === 'integer' && !this.hasDefault
  }

  /** A string field without `maxLength`: text of any length, longer than an index key can hold. */
  get isLongText(): boolean {
    return this.kind === 'string' && this.options.maxLength === undefined
  }

  /** An integer field whose declared bounds go beyond a 32-bit integer: its column is a 64-bit `bigint`. */
  get isWideInteger(): boolean {
    if (this.kind !== 'integer') return false
    const { lowest, highest } = declaredIntegerBounds(this.options)
    return (
      (lowest !== undefined && lowest < INTEGER_RANGE.min) ||
      (highest !== undefined && highest > INTEGER_RANGE.max)
    )
  }

  /**
   * The limits an integer field's column adds to its declared bounds: the 32-bit range on each side the
   * field leaves open, none when its bounds make it a `bigint`. Like the 2^53 limit of exact integers, a
   * limit of storage rather than a declared constraint, so the JSON Schema does not show it.
   */
  get columnRange(): { min?: number; max?: number } {
    if (this.kind !== 'integer' || this.isWideInteger) return {}
    const { lowest, highest } = declaredIntegerBounds(this.options)
    return {
      ...(lowest === undefined ? { min: INTEGER_RANGE.min } : {}),
      ...(highest === undefined ? { max: INTEGER_RANGE.max } : {}),
    }
  }

  /** A fresh default value, or `undefined` when the field has none. */
  defaultValue(): unknown {
    if (this.options.defaultFactory) return this.options.defaultFactory()
    const value = this.options.default
    // Each row gets its own copy of an object default, as pydantic copies mutable defaults.
    return typeof value === 'object' && value !== null ? structuredClone(value) : value
  }

  /** A copy that may be left out of input and rows, with no default (what `Model.partial` uses). */
  asOptional(): Field<T, true, true> {
    const { default: _default, defaultFactory: _factory, ...rest } = this.options
    return new Field(this.kind, rest, { values: this.values, model: this.model }, true)
  }

  /**
   * The JSON Schema of one value of this field (without `title`, which depends on the field name).
   * `ref` decides how a nested model appears.
   */
  valueSchema(ref: SchemaRef = inline): TSchema {
    const o = this.options
    const doc = o.description === undefined ? {} : { description: o.description }
    let schema: TSchema
    switch (this.kind) {
      case 'string':
        schema = Type.String({ ...pick(o, 'minLength', 'maxLength', 'pattern'), ...doc })
        break
      case 'integer':
      case 'number': {
        const limits = {
          ...(o.ge === undefined ? {} : { minimum: o.ge }),
          ...(o.le === undefined ? {} : { maximum: o.le }),
          ...(o.gt === undefined ? {} : { exclusiveMinimum: o.gt }),
          ...(o.lt === undefined ? {} : { exclusiveMaximum: o.lt }),
        }
        schema =
          this.kind === 'integer' ? Type.Integer({ ...limits, ...doc }) : Type.Number({ ...limits, ...doc })
        break
      }
      case 'boolean':
        schema = Type.Boolean(doc)
        break
      case 'datetime':
        schema = Type.String({ format: 'date-time', ...doc })
        break
      case 'date':
        schema = Type.String({ format: 'date', ...doc })
        break
      case 'uuid':
        schema = Type.String({ format: 'uuid', ...doc })
        break
      case 'enum':
        schema = Type.String({ enum: [...(this.values ?? [])], ...doc })
        break
      case 'json':
        schema = o.schema ?? Type.Unknown(doc)
        break
      case 'model':
        schema = ref(this.model!)
        break
      case 'list':
        schema = Type.Array(ref(this.model!), doc)
        break
    }
    return schema
  }
}

type Bounds = Pick<NumberFieldOptions, 'ge' | 'le' | 'gt' | 'lt'>

/** The lowest and highest integers the declared bounds allow, where declared. */
function declaredIntegerBounds(o: Bounds): { lowest?: number; highest?: number } {
  return {
    lowest: o.ge ?? (o.gt === undefined ? undefined : Math.floor(o.gt) + 1),
    highest: o.le ?? (o.lt === undefined ? undefined : Math.ceil(o.lt) - 1),
  }
}

function isKeyString(kind: FieldKind, o: AnyFieldOptions): boolean {
  return (
    kind === 'string' &&
    o.maxLength === undefined &&
    (o.primaryKey === true || o.unique === true || o.foreignKey !== undefined)
  )
}

function pick<O extends object, K extends keyof O>(options: O, ...keys: K[]): Partial<Pick<O, K>> {
  const out: Partial<Pick<O, K>> = {}
  for (const key of keys) if (options[key] !== undefined) out[key] = options[key]
  return out
}

/** Any field, whatever its value type. */
export type AnyField = Field<any, boolean, boolean>

/** The named fields of a model. */
export type Fields = Record<string, AnyField>

/**
 * Options of `field.json<T>()` that give a default, which makes the field optional on input. (Its overloads
 * take the value type explicitly, so its flags come from the option shapes instead.)
 *
 * @example
 * const settings = field.json<Record<string, string>>({ defaultFactory: () => ({}) })
 */
export type DefaultGiven<T> = { default: T | null } | { defaultFactory: () => T }
type HasDefault<O> = O extends { default: unknown }
  ? true
  : O extends { defaultFactory: () => unknown }
    ? true
    : false
type WithNull<O, T> = O extends { nullable: true } ? T | null : T
type IsGeneratedKey<O> = O extends { primaryKey: true } ? (HasDefault<O> extends true ? false : true) : false
type Or<A extends boolean, B extends boolean> = A extends true ? true : B

/** Marks a primary key field's type, so the key's type is known (`session.get(Hero, 1)`). Type-only. */
type PrimaryKeyBrand<O> = O extends { primaryKey: true } ? { readonly '~primaryKey': true } : unknown
/** Marks a key the database assigns at insert, so a new row's type says it is not known yet. Type-only. */
type GeneratedBrand<O> = IsGeneratedKey<O> extends true ? { readonly '~generated': true } : unknown

/**
 * The field type a builder returns for options `O`: `nullable: true` adds `null` to `T`, a default makes it
 * optional on input.
 *
 * @example
 * const score = field.number({ default: 0 }) // FieldFor<number, { default: 0 }>: Field<number, true, false>
 */
export type FieldFor<T, O> = Field<WithNull<O, T>, HasDefault<O>, false>
/**
 * The field type of `field.string()`, `field.integer()` and `field.uuid()`, which can be primary keys: as
 * {@link FieldFor}, and a primary key without a default is optional on input (the database assigns it) and
 * branded, so the table's key type is known, and a new row's type knows that key is not assigned yet.
 *
 * @example
 * const id = field.integer({ primaryKey: true }) // Field<number, true, false> & { '~primaryKey': true }
 */
export type KeyFieldFor<T, O> = Field<WithNull<O, T>, Or<HasDefault<O>, IsGeneratedKey<O>>, false> &
  PrimaryKeyBrand<O> &
  GeneratedBrand<O>

/**
 * Any JSON value, stored as JSON (text on SQLite). Give the value type as `T`, and a TypeBox `schema` to
 * validate it: `field.json<string[]>({ default: [] })`.
 */
function jsonField<T = unknown>(
  options: JsonFieldOptions<T> & { nullable: true } & DefaultGiven<T>,
): Field<T | null, true, false>
function jsonField<T = unknown>(
  options: JsonFieldOptions<T> & { nullable: true },
): Field<T | null, false, false>
function jsonField<T = unknown>(options: JsonFieldOptions<T> & DefaultGiven<T>): Field<T, true, false>
function jsonField<T = unknown>(options?: JsonFieldOptions<T>): Field<T, false, false>
function jsonField(options?: JsonFieldOptions<unknown>): AnyField {
  return new Field('json', (options ?? {}) as AnyFieldOptions)
}

/**
 * Field builders. Each returns an immutable {@link Field} whose TypeScript type follows its options:
 * `nullable: true` adds `null`, a `default` makes it optional on input, and an integer `primaryKey`
 * is optional on input because the database assigns it.
 *
 * @example
 * const Hero = table('hero', model('Hero', {
 *   id: field.integer({ primaryKey: true }),
 *   name: field.string({ index: true, maxLength: 100 }),
 *   secret_name: field.string({ secret: true }),
 *   age: field.integer({ nullable: true, default: null, ge: 0 }),
 * }))
 */
export const field = {
  string<const O extends StringFieldOptions = {}>(options?: O): KeyFieldFor<string, O> {
    return new Field('string', (options ?? {}) as AnyFieldOptions) as never
  },
  integer<const O extends NumberFieldOptions = {}>(options?: O): KeyFieldFor<number, O> {
    return new Field('integer', (options ?? {}) as AnyFieldOptions) as never
  },
  number<const O extends NumberFieldOptions = {}>(options?: O): FieldFor<number, O> {
    return new Field('number', (options ?? {}) as AnyFieldOptions) as never
  },
  boolean<const O extends BaseFieldOptions<boolean> = {}>(options?: O): FieldFor<boolean, O> {
    return new Field('boolean', (options ?? {}) as AnyFieldOptions) as never
  },
  /** A point in time: a `Date` in rows, an ISO 8601 string in JSON. */
  datetime<const O extends BaseFieldOptions<Date> = {}>(options?: O): FieldFor<Date, O> {
    return new Field('datetime', (options ?? {}) as AnyFieldOptions) as never
  },
  /** A calendar date: a `'YYYY-MM-DD'` string in rows and in JSON (JavaScript has no date-only type). */
  date<const O extends BaseFieldOptions<string> = {}>(options?: O): FieldFor<string, O> {
    return new Field('date', (options ?? {}) as AnyFieldOptions) as never
  },
  /** A UUID string, stored natively where the database has a uuid type. */
  uuid<const O extends BaseFieldOptions<string> = {}>(options?: O): KeyFieldFor<string, O> {
    return new Field('uuid', (options ?? {}) as AnyFieldOptions) as never
  },
  json: jsonField,
  /** One of a fixed list of strings (a `Literal[...]` in Python). */
  enum<const V extends readonly [string, ...string[]], const O extends BaseFieldOptions<V[number]> = {}>(
    values: V,
    options?: O,
  ): FieldFor<V[number], O> {
    return new Field('enum', (options ?? {}) as AnyFieldOptions, { values }) as never
  },
  /**
   * A nested object validated by another model (a pydantic field typed with a model). Output models use it
   * to nest related rows; a response then holds only the nested model's fields.
   *
   * @example
   * const HeroPublicWithTeam = HeroPublic.extend('HeroPublicWithTeam', {
   *   team: field.model(TeamPublic, { nullable: true, default: null }),
   * })
   */
  model<M extends NestedModel & { readonly Type: unknown }, const O extends BaseFieldOptions<M['Type']> = {}>(
    model: M,
    options?: O,
  ): FieldFor<M['Type'], O> {
    return new Field('model', (options ?? {}) as AnyFieldOptions, { model }) as never
  },
  /**
   * A list of objects validated by another model (`list[HeroPublic]` in Python).
   *
   * @example
   * const TeamPublicWithHeroes = TeamPublic.extend('TeamPublicWithHeroes', {
   *   heroes: field.list(HeroPublic, { default: [] }),
   * })
   */
  list<
    M extends NestedModel & { readonly Type: unknown },
    const O extends BaseFieldOptions<M['Type'][]> = {},
  >(model: M, options?: O): FieldFor<M['Type'][], O> {
    return new Field('list', (options ?? {}) as AnyFieldOptions, { model }) as never
  },
}
