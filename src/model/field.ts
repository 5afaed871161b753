import Type, { type TSchema } from 'typebox'
import type { AnyFieldOptions } from './field-options.ts'
import { integerColumnRange, KEY_STRING_MAX_LENGTH, needsBigint } from './storable.ts'
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

/**
 * Turns a nested model into a schema: inline by default, a `$ref` in an OpenAPI document.
 *
 * @example
 * const asRef: SchemaRef = (model) => Type.Ref(`#/components/schemas/${model.name}`)
 */
export type SchemaRef = (model: NestedModel) => TSchema

const inline: SchemaRef = (model) => model.schema

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

  /**
   * The database assigns the value when the input omits it, if this is the table's only primary key
   * ({@link generatedKeyOf} decides for the whole table): an integer key without a default that is not
   * also a foreign key, whose value the referenced row gives.
   */
  get isGenerated(): boolean {
    return (
      this.isPrimaryKey &&
      this.kind === 'integer' &&
      !this.hasDefault &&
      this.options.foreignKey === undefined
    )
  }

  /**
   * A primary key field that refers to another row, with no default: a new row may lack it until the flush
   * takes it from the row referred to (see {@link keysSetAtFlush}).
   */
  get isReferenceKey(): boolean {
    return this.isPrimaryKey && this.options.foreignKey !== undefined && !this.hasDefault
  }

  /** A string field without `maxLength`: text of any length, longer than an index key can hold. */
  get isLongText(): boolean {
    return this.kind === 'string' && this.options.maxLength === undefined
  }

  /** An integer field whose declared bounds go beyond a 32-bit integer: its column is a 64-bit `bigint`. */
  get isWideInteger(): boolean {
    return this.kind === 'integer' && needsBigint(this.options)
  }

  /**
   * The limits an integer field's column adds to its declared bounds: the 32-bit range on each side the
   * field leaves open, none when its bounds make it a `bigint`. Like the 2^53 limit of exact integers, a
   * limit of storage rather than a declared constraint, so the JSON Schema does not show it.
   */
  get columnRange(): { min?: number; max?: number } {
    return this.kind === 'integer' ? integerColumnRange(this.options) : {}
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

/**
 * The field whose value the database assigns at insert, or `undefined`: the only primary key, when it is
 * {@link Field.isGenerated}. A key of several columns is never generated, the application gives each part
 * (a link row names the rows it links).
 *
 * @example
 * generatedKeyOf(Hero.fields)          // 'id'
 * generatedKeyOf(HeroTeamLink.fields)  // undefined: team_id and hero_id are given
 */
export function generatedKeyOf(fields: Readonly<Fields>): string | undefined {
  let key: string | undefined
  for (const [name, field] of Object.entries(fields)) {
    if (!field.isPrimaryKey) continue
    if (key !== undefined) return undefined
    key = name
  }
  return key !== undefined && fields[key]!.isGenerated ? key : undefined
}

/**
 * The key fields a new row may lack until its flush: the generated key, which the database assigns, and
 * the primary key fields that refer to another row (`HeroTeamLink.team_id`), which the flush takes from the
 * relationship (`HeroTeamLink.create({ team, hero })`), as SQLModel's `team_id: int | None = None` lets a
 * link be made before either row has its key.
 *
 * @example
 * keysSetAtFlush(Hero.fields)          // ['id']
 * keysSetAtFlush(HeroTeamLink.fields)  // ['team_id', 'hero_id']
 */
export function keysSetAtFlush(fields: Readonly<Fields>): readonly string[] {
  const generated = generatedKeyOf(fields)
  if (generated !== undefined) return [generated]
  return Object.keys(fields).filter((key) => fields[key]!.isReferenceKey)
}

/**
 * The fields an input must give: those with no default, not `optional`, and not set at the flush. They are
 * the `required` of the model's JSON Schema.
 *
 * @example
 * requiredKeys(Hero.fields) // ['name', 'secret_name']: the key is generated and age defaults to null
 */
export function requiredKeys(fields: Readonly<Fields>): readonly string[] {
  const setAtFlush = keysSetAtFlush(fields)
  return Object.keys(fields).filter((key) => {
    const field = fields[key]!
    return !field.hasDefault && !field.optional && !setAtFlush.includes(key)
  })
}

/** Any field, whatever its value type. */
export type AnyField = Field<any, boolean, boolean>

/** The named fields of a model. */
export type Fields = Record<string, AnyField>
