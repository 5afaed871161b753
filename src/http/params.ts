/**
 * Request parameters, declared by location as FastAPI declares them (`Path()`, `Query()`, `Header()`,
 * `Cookie()`, `Body()`). Each is a field of the model layer, so the same coercion, constraints, pydantic
 * error codes and JSON Schema apply to a query string as to a JSON body.
 */
import { coercerFor, type Coercer } from '../model/coerce.ts'
import type {
  AnyFieldOptions,
  BaseFieldOptions,
  NumberFieldOptions,
  StringFieldOptions,
} from '../model/field-options.ts'
import { Field, type AnyField, type FieldKind } from '../model/field.ts'
import type { Model } from '../model/model.ts'
import type { Dependency } from './depends.ts'
import type { FileParam } from './uploads.ts'

/** Where a parameter is read from; `form` is a field of a form body, urlencoded or multipart. */
export type Location = 'path' | 'query' | 'header' | 'cookie' | 'form'

/** Options every parameter accepts, beside its field's (constraints, `default`, `nullable`, `description`). */
export interface ParamOptions {
  /** The name in the request when it differs from the handler's name (`'item-query'`, `'X-Token'`). */
  alias?: string
  /** The parameter may be absent: the handler then gets `undefined`. */
  optional?: boolean
  /** Marked deprecated in the OpenAPI document. */
  deprecated?: boolean
}

/**
 * A field's options without the column-only ones, plus the parameter's own: what `query.integer()` and the
 * other parameter builders accept.
 *
 * @example
 * const limit = query.integer({ default: 100, le: 100, alias: 'page-size' })
 */
export type OptionsOf<O> = Omit<O, 'primaryKey' | 'index' | 'unique' | 'foreignKey' | 'onDelete'> &
  ParamOptions

/**
 * The value a parameter with options `O` gives the handler: `null` when `nullable`, `undefined` when
 * `optional`.
 *
 * @example
 * const q = query.string({ optional: true }) // the handler gets string | undefined
 */
export type ValueFor<T, O> =
  (O extends { nullable: true } ? T | null : T) | (O extends { optional: true } ? undefined : never)

/**
 * One declared path, query, header or cookie parameter. Immutable. `O` is the type of its options, which a
 * typed client reads (the request's name for it, and whether a request may leave it out).
 */
export class Param<T = unknown, L extends Location = Location, O = {}> {
  declare readonly '~value': T
  declare readonly '~options': O
  readonly location: L
  readonly field: AnyField
  readonly options: Readonly<ParamOptions>
  /** A query parameter that may repeat (`?tag=a&tag=b`); `field` is then the field of one item. */
  readonly list: boolean
  /** Coerces one value (one item of a list). */
  readonly coerce: Coercer
  readonly hasDefault: boolean

  constructor(location: L, field: AnyField, options: ParamOptions & { default?: unknown }, list = false) {
    this.location = location
    this.field = field
    this.options = Object.freeze({ ...options })
    this.list = list
    this.coerce = coercerFor(field)
    // A list's default is the whole list, so it lives in the parameter's options, not on the item field.
    this.hasDefault = list ? options.default !== undefined : field.hasDefault
  }

  /** The request must carry it: no default and not optional. */
  get required(): boolean {
    return !this.hasDefault && !this.options.optional
  }

  /** A fresh default value (a list default is copied, so a handler cannot change it for the next request). */
  defaultValue(): unknown {
    return this.list
      ? structuredClone((this.options as { default?: unknown }).default)
      : this.field.defaultValue()
  }

  /** Where a 422 item places it: FastAPI reports form fields under `body`. */
  get locName(): Exclude<Location, 'form'> | 'body' {
    return this.location === 'form' ? 'body' : this.location
  }

  /** The name in the request: the alias, else the handler's name (with `_` as `-` for headers). */
  wireName(name: string): string {
    if (this.options.alias !== undefined) return this.options.alias
    return this.location === 'header' ? name.replaceAll('_', '-') : name
  }
}

/** The JSON body, validated by a model. */
export class BodyParam<M extends Model = Model, T = M['Type']> {
  declare readonly '~value': T
  readonly model: M
  readonly optional: boolean
  readonly description: string | undefined

  constructor(model: M, options: { optional?: boolean; description?: string }) {
    this.model = model
    this.optional = options.optional === true
    this.description = options.description
  }
}

/**
 * The JSON body of the request, validated by `model` (a FastAPI body parameter typed with a model). A route
 * takes at most one. Malformed JSON, a non-object, a missing body or invalid fields answer 422.
 *
 * @example
 * app.post('/heroes/', { params: { hero: body(HeroCreate) } }, ({ hero }) => …)
 */
export function body<M extends Model>(model: M): BodyParam<M>
export function body<M extends Model>(
  model: M,
  options: { optional: true; description?: string },
): BodyParam<M, M['Type'] | undefined>
export function body<M extends Model>(model: M, options: { description?: string }): BodyParam<M>
export function body<M extends Model>(
  model: M,
  options: { optional?: boolean; description?: string } = {},
): BodyParam<M> {
  return new BodyParam(model, options)
}

/** A form body validated by a model (FastAPI's form model, `Annotated[Model, Form()]`). Immutable. */
export class FormModelParam<M extends Model = Model, T = M['Type']> {
  declare readonly '~value': T
  readonly model: M

  constructor(model: M) {
    this.model = model
  }
}

/** Anything a route or dependency may declare under `params`. */
export type ParamSpec =
  Param<any> | BodyParam<any> | FormModelParam<any> | FileParam<any> | Dependency<any, any>

export type Params = Record<string, ParamSpec>

/** The object a handler receives: each declared name with its parsed value. */
export type Args<P extends Params> = { -readonly [K in keyof P]: P[K]['~value'] }

function make<L extends Location>(
  location: L,
  kind: FieldKind,
  options: object = {},
  of = {},
): Param<any, L, any> {
  return new Param(location, new Field(kind, options as AnyFieldOptions, of), options as ParamOptions)
}

/** The scalar builders of one location: `query.integer({ default: 0, ge: 0 })`. */
function scalars<L extends Location>(location: L) {
  return {
    string<const O extends OptionsOf<StringFieldOptions> = {}>(
      options?: O,
    ): Param<ValueFor<string, O>, L, O> {
      return make(location, 'string', options)
    },
    integer<const O extends OptionsOf<NumberFieldOptions> = {}>(
      options?: O,
    ): Param<ValueFor<number, O>, L, O> {
      return make(location, 'integer', options)
    },
    number<const O extends OptionsOf<NumberFieldOptions> = {}>(
      options?: O,
    ): Param<ValueFor<number, O>, L, O> {
      return make(location, 'number', options)
    },
    /** `true` from `1`, `true`, `on`, `yes`, `t`, `y`; `false` from `0`, `false`, `off`, `no`, `f`, `n`. */
    boolean<const O extends OptionsOf<BaseFieldOptions<boolean>> = {}>(
      options?: O,
    ): Param<ValueFor<boolean, O>, L, O> {
      return make(location, 'boolean', options)
    },
    datetime<const O extends OptionsOf<BaseFieldOptions<Date>> = {}>(
      options?: O,
    ): Param<ValueFor<Date, O>, L, O> {
      return make(location, 'datetime', options)
    },
    date<const O extends OptionsOf<BaseFieldOptions<string>> = {}>(
      options?: O,
    ): Param<ValueFor<string, O>, L, O> {
      return make(location, 'date', options)
    },
    uuid<const O extends OptionsOf<BaseFieldOptions<string>> = {}>(
      options?: O,
    ): Param<ValueFor<string, O>, L, O> {
      return make(location, 'uuid', options)
    },
    enum<
      const V extends readonly [string, ...string[]],
      const O extends OptionsOf<BaseFieldOptions<V[number]>> = {},
    >(values: V, options?: O): Param<ValueFor<V[number], O>, L, O> {
      return make(location, 'enum', options, { values })
    },
  }
}

/**
 * Path parameters, named as in the path template: `app.get('/heroes/{hero_id}', { params: { hero_id:
 * path.integer() } }, …)`. Always required.
 */
export const path = scalars('path')

/**
 * Query parameters: `?offset=0&limit=10`. Required unless they have a `default` or are `optional`.
 * `query.list(field)` reads a repeated parameter (`?tag=a&tag=b`) into an array.
 *
 * @example
 * params: {
 *   offset: query.integer({ default: 0, ge: 0 }),
 *   limit: query.integer({ default: 100, le: 100 }),
 *   q: query.string({ optional: true, minLength: 3, alias: 'item-query' }),
 *   tag: query.list(field.string(), { default: [] }),
 * }
 */
export const query = {
  ...scalars('query'),
  /** A repeated query parameter; each item is validated by `item` (a field: `field.integer({ ge: 0 })`). */
  list<
    T,
    const O extends { default?: readonly T[]; description?: string; title?: string } & ParamOptions = {},
  >(
    item: Field<T, boolean, boolean>,
    options?: O,
  ): Param<T[] | (O extends { optional: true } ? undefined : never), 'query', O> {
    return new Param('query', item, options ?? {}, true)
  },
}

/** Header parameters; `user_agent` reads the `user-agent` header (FastAPI's underscore conversion). */
export const header = scalars('header')

/** Cookie parameters, read from the `Cookie` header. */
export const cookie = scalars('cookie')

/**
 * Form fields (FastAPI's `Form()`), read from an `application/x-www-form-urlencoded` or
 * `multipart/form-data` body; a 422 places them under `body`. A route with form fields takes no JSON body.
 * `form.model(Model)` reads the whole form into a model instead (a form model), with the model's coercion,
 * constraints and secret fields; a repeated field counts by its last value.
 *
 * @example
 * app.post('/login/', { params: { username: form.string(), password: form.string({ secret: true }) } },
 *   ({ username }) => ({ username }))
 * app.post('/signup/', { params: { signup: form.model(SignupForm) } }, ({ signup }) => signup.username)
 */
export const form = {
  ...scalars('form'),
  /** The whole form, validated by `model`; the route's only form input. */
  model<M extends Model>(model: M): FormModelParam<M> {
    return new FormModelParam(model)
  },
}
