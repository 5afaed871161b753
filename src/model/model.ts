import type { TObject } from 'typebox'
import { ModelDefinitionError } from '../errors.ts'
import { coercerFor, type Coercer } from './coerce.ts'
import { Field, keysSetAtFlush, type AnyField, type Fields } from './field.ts'
import { Invalid, InvalidNested } from './invalid.ts'
import { jsonSchema } from './json-schema.ts'
import { redactFields, redactNested, withRedactedInput } from './redaction.ts'
import { rowClassNamed, setUnsetFields, unsetFields } from './row.ts'
import type { InputOf, NewRowOf, PartialFields, RowOf, Simplify } from './types.ts'
import { REDACTED, ValidationError, type ValidationIssue } from './validation-error.ts'

/** How a model treats input keys it does not declare. */
export interface ModelOptions {
  /** `'ignore'` (default, as pydantic) drops unknown keys; `'forbid'` reports each as `extra_forbidden`. */
  extra?: 'ignore' | 'forbid'
  /** Shown in the JSON Schema and OpenAPI document. */
  description?: string
}

/** Options of {@link Model.dump}. */
export interface DumpOptions<K extends string> {
  /** Leave out the fields the input did not set (pydantic's `exclude_unset=True`): what a PATCH needs. */
  excludeUnset?: boolean
  /** Leave out these fields. */
  exclude?: readonly K[]
}

/** The outcome of {@link Model.safeValidate}. */
export type ValidationResult<T> = { success: true; data: T } | { success: false; issues: ValidationIssue[] }

interface CompiledField {
  readonly key: string
  readonly field: AnyField
  readonly coerce: Coercer
  /** A `model` or `list` field, whose coercer needs the value's location. */
  readonly nested: boolean
  /** Declared `secret: true`: its value never appears in an issue. */
  readonly secret: boolean
  /** A key set at the flush ({@link keysSetAtFlush}): an input may leave it out, with no default. */
  readonly setAtFlush: boolean
}

const ALL_SET: readonly string[] = Object.freeze([])

const NOT_AN_OBJECT = new Invalid(
  'model_attributes_type',
  'Input should be a valid dictionary or object to extract fields from',
)

/**
 * A data model: a named set of fields that validates input, gives static types and a JSON Schema. It is
 * SQLModel's class without `table=True`; pass it to {@link table} to also make it a table.
 *
 * Rows are plain objects whose prototype carries the model's name, so `console.log(hero)` prints
 * `Hero { id: 1, name: 'Deadpond', … }` and `JSON.stringify` gives exactly the fields.
 *
 * @example
 * const HeroCreate = model('HeroCreate', {
 *   name: field.string(),
 *   secret_name: field.string(),
 *   age: field.integer({ nullable: true, default: null }),
 * })
 * type HeroCreate = typeof HeroCreate.Type   // { name: string; secret_name: string; age: number | null }
 * const hero = HeroCreate.validate(JSON.parse(body))
 */
export class Model<F extends Fields = any> {
  /** The row type: `typeof Hero.Type`. Type-only, `undefined` at runtime. */
  declare readonly Type: RowOf<F>
  /** The input type of `create()`: `typeof Hero.Input`. Type-only, `undefined` at runtime. */
  declare readonly Input: InputOf<F>
  readonly name: string
  readonly fields: Readonly<F>
  readonly options: Readonly<ModelOptions>
  /** The class of this model's rows, named after the model. */
  readonly rowClass: new () => object
  /** The prototype of this model's rows. */
  readonly rowPrototype: object
  readonly #compiled: CompiledField[]
  /** The fields {@link redact} replaces or looks into: secret ones, and nested models that hold secrets. */
  readonly #redacted: CompiledField[]
  #schema: TObject | undefined

  constructor(name: string, fields: F, options: ModelOptions = {}) {
    if (typeof name !== 'string' || !/^[A-Za-z_][\w.-]*$/.test(name)) {
      throw new ModelDefinitionError(
        `model(${JSON.stringify(name)}): the name must be an identifier such as 'HeroCreate'; it becomes the OpenAPI component name.`,
      )
    }
    this.name = name
    this.fields = Object.freeze({ ...fields })
    this.options = Object.freeze({ ...options })
    this.rowClass = rowClassNamed(name)
    this.rowPrototype = this.rowClass.prototype
    const setAtFlush = keysSetAtFlush(fields)
    this.#compiled = Object.entries(fields).map(([key, field]) => {
      checkField(name, key, field)
      return {
        key,
        field,
        coerce: coercerFor(field),
        nested: field.kind === 'model' || field.kind === 'list',
        secret: field.options.secret === true,
        setAtFlush: setAtFlush.includes(key),
      }
    })
    this.#redacted = this.#compiled.filter(
      ({ secret, nested, field }) =>
        secret || (nested && (!(field.model instanceof Model) || field.model.#redacted.length > 0)),
    )
  }

  /** The JSON Schema of the model's input, with pydantic's titles: the OpenAPI component. */
  get schema(): TObject {
    return (this.#schema ??= jsonSchema(this))
  }

  /**
   * Validates `input` and returns a new row of this model, with defaults applied and unknown keys dropped.
   * Accepts any object, including a row of another model (pydantic's `model_validate`).
   * @throws {ValidationError} with one issue per invalid field.
   */
  validate(input: unknown): NewRowOf<F> {
    const result = this.safeValidate(input)
    if (!result.success) throw new ValidationError(this.name, result.issues)
    return result.data
  }

  /** Like {@link validate}, but returns the issues instead of throwing. `loc` prefixes every issue's path. */
  safeValidate(input: unknown, loc: readonly (string | number)[] = []): ValidationResult<NewRowOf<F>> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return { success: false, issues: [NOT_AN_OBJECT.at([...loc], this.redact(input))] }
    }
    const source = input as Record<string, unknown>
    const row = new this.rowClass() as Record<string, unknown>
    let unset: string[] | undefined
    let issues: ValidationIssue[] | undefined
    // A `missing` item shows the whole input, secrets redacted: made once, for the first such item.
    let echoed: unknown
    for (const { key, field, coerce, nested, secret, setAtFlush } of this.#compiled) {
      const raw = source[key]
      if (raw === undefined) {
        ;(unset ??= []).push(key)
        if (field.hasDefault) row[key] = field.defaultValue()
        else if (setAtFlush) row[key] = undefined
        else if (!field.optional) {
          echoed ??= this.redact(input)
          ;(issues ??= []).push({ type: 'missing', loc: [...loc, key], msg: 'Field required', input: echoed })
        }
        continue
      }
      const value = nested ? coerce(raw, [...loc, key]) : coerce(raw)
      if (value instanceof Invalid) {
        const shown = secret ? REDACTED : nested ? redactNested(field, raw) : raw
        ;(issues ??= []).push(value.at([...loc, key], shown))
      } else if (value instanceof InvalidNested)
        (issues ??= []).push(...(secret ? value.issues.map(withRedactedInput) : value.issues))
      else {
        row[key] = value
      }
    }
    if (this.options.extra === 'forbid') {
      for (const key of Object.keys(source)) {
        if (!(key in this.fields)) {
          ;(issues ??= []).push({
            type: 'extra_forbidden',
            loc: [...loc, key],
            msg: 'Extra inputs are not permitted',
            input: source[key],
          })
        }
      }
    }
    if (issues) return { success: false, issues }
    setUnsetFields(row, unset ?? ALL_SET)
    return { success: true, data: row as NewRowOf<F> }
  }

  /**
   * `input` as an error may show it: a copy where the value of every secret field, in nested models and
   * lists of them too, is {@link REDACTED}. For a model with secret fields, text or an array given instead
   * of an object is {@link REDACTED} whole, as it may hold a secret the model cannot find (a JSON body sent
   * as `text/plain`). Returns `input` itself when it holds no secret value.
   *
   * @example
   * HeroCreate.redact({ name: 'Deadpond', secret_name: 'Dive Wilson' })
   * // { name: 'Deadpond', secret_name: '**********' }
   */
  redact(input: unknown): unknown {
    return redactFields(this.#redacted, input)
  }

  /** The coercer of field `key`: lax-mode conversion, then the field's constraints. */
  coercerOf(key: string): Coercer {
    const compiled = this.#compiled.find((c) => c.key === key)
    if (!compiled) throw new ModelDefinitionError(`${this.name} has no field '${key}'.`)
    return compiled.coerce
  }

  /**
   * Validates typed data and returns a new row: `Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })`.
   * A table's row observes its writes (a `Proxy`), so `structuredClone(row)` throws: clone `{ ...row }`.
   */
  create(data: InputOf<F>): NewRowOf<F> {
    return this.validate(data)
  }

  /**
   * The row's fields as a plain object (pydantic's `model_dump`). With `excludeUnset`, only the fields the
   * validated input set, which turns a PATCH body into the changes to apply.
   *
   * @example
   * const changes = HeroUpdate.dump(heroUpdate, { excludeUnset: true })
   * Hero.update(dbHero, changes)
   */
  dump<K extends keyof F & string = never>(
    row: Partial<RowOf<F>>,
    options: DumpOptions<K> = {},
  ): Simplify<Partial<Omit<RowOf<F>, K>>> {
    const source = row as Record<string, unknown>
    const unset = options.excludeUnset ? unsetFields(row) : undefined
    const out: Record<string, unknown> = {}
    for (const key in this.fields) {
      if ((options.exclude as readonly string[] | undefined)?.includes(key)) continue
      if (!(key in source) || (options.excludeUnset && source[key] === undefined)) continue
      if (unset?.includes(key)) continue
      out[key] = source[key]
    }
    return out as never
  }

  /**
   * Copies the model's fields present in `data` onto `row` and returns it (SQLModel's `sqlmodel_update`).
   * Keys that are not fields of this model are ignored.
   */
  update<R extends object>(row: R, data: Partial<RowOf<F>>): R {
    const target = row as Record<string, unknown>
    const source = data as Record<string, unknown>
    for (const key in this.fields) if (key in source && source[key] !== undefined) target[key] = source[key]
    return row
  }

  /**
   * A new model with this model's fields plus `fields` (a field of the same name is replaced), as a
   * Python subclass adds fields. The new name is what OpenAPI shows.
   *
   * @example
   * const HeroPublic = HeroBase.extend('HeroPublic', { id: field.integer() })
   */
  extend<const N extends Fields>(
    name: string,
    fields: N,
    options?: ModelOptions,
  ): Model<Simplify<Omit<F, keyof N> & N>> {
    type Extended = Simplify<Omit<F, keyof N> & N>
    return new Model<Extended>(
      name,
      { ...this.fields, ...fields } as unknown as Extended,
      options ?? this.options,
    )
  }

  /** A new model with only the named fields. */
  pick<K extends keyof F & string>(name: string, ...keys: K[]): Model<Simplify<Pick<F, K>>> {
    this.#checkKeys('pick', keys)
    const picked = Object.fromEntries(keys.map((k) => [k, this.fields[k]]))
    return new Model<Simplify<Pick<F, K>>>(name, picked as Simplify<Pick<F, K>>, this.options)
  }

  /** A new model without the named fields. */
  omit<K extends keyof F & string>(name: string, ...keys: K[]): Model<Simplify<Omit<F, K>>> {
    this.#checkKeys('omit', keys)
    const rest = Object.entries(this.fields).filter(([k]) => !keys.includes(k as K))
    return new Model<Simplify<Omit<F, K>>>(
      name,
      Object.fromEntries(rest) as Simplify<Omit<F, K>>,
      this.options,
    )
  }

  /**
   * A new model whose fields may all be left out, with no defaults applied: the update model of a PATCH.
   * Types do not widen: a field that does not accept `null` still rejects it, so a PATCH cannot null a
   * required column.
   *
   * @example
   * const HeroUpdate = HeroCreate.partial('HeroUpdate')
   */
  partial(name: string): Model<PartialFields<F>> {
    const fields = Object.fromEntries(Object.entries(this.fields).map(([k, f]) => [k, f.asOptional()]))
    return new Model<PartialFields<F>>(name, fields as PartialFields<F>, this.options)
  }

  #checkKeys(method: string, keys: readonly string[]): void {
    for (const key of keys) {
      if (!(key in this.fields)) {
        throw new ModelDefinitionError(
          `${this.name}.${method}(): '${key}' is not a field of ${this.name}. Its fields are: ${Object.keys(this.fields).join(', ')}.`,
        )
      }
    }
  }
}

/**
 * Declares a data model: validation, static types and a JSON Schema, but no table.
 * The name is required because it becomes the OpenAPI component name, as a Python class name does.
 *
 * @example
 * const HeroCreate = model('HeroCreate', { name: field.string(), secret_name: field.string() })
 */
export function model<const F extends Fields>(name: string, fields: F, options?: ModelOptions): Model<F> {
  return new Model(name, fields, options)
}

function checkField(model: string, key: string, field: unknown): void {
  const where = `${model}.${key}`
  if (!(field instanceof Field)) {
    throw new ModelDefinitionError(
      `${where} is not a field. Declare it with field.string(), field.integer(), …`,
    )
  }
  const o = field.options
  if (o.primaryKey && o.nullable) {
    throw new ModelDefinitionError(`${where}: a primary key cannot be nullable. Remove 'nullable: true'.`)
  }
  if ('default' in o && o.defaultFactory) {
    throw new ModelDefinitionError(`${where}: give either 'default' or 'defaultFactory', not both.`)
  }
  if (o.onDelete === 'set null' && !o.nullable) {
    throw new ModelDefinitionError(
      `${where}: onDelete 'set null' needs a nullable column. Add 'nullable: true'.`,
    )
  }
  if (o.onDelete && !o.foreignKey) {
    throw new ModelDefinitionError(
      `${where}: 'onDelete' only applies to a foreign key. Add 'foreignKey: "table.column"'.`,
    )
  }
  if (o.foreignKey !== undefined && !/^[^.\s]+\.[^.\s]+$/.test(o.foreignKey)) {
    throw new ModelDefinitionError(
      `${where}: foreignKey ${JSON.stringify(o.foreignKey)} must look like 'table.column'.`,
    )
  }
  if ('default' in o) {
    const value = coercerFor(field)(o.default)
    if (value instanceof Invalid) {
      const shown = o.secret ? 'its default' : `default ${JSON.stringify(o.default)}`
      throw new ModelDefinitionError(
        `${where}: ${shown} fails the field's own validation (${value.msg}). Fix the default${o.default === null ? " or add 'nullable: true'" : ''}.`,
      )
    }
  }
}
