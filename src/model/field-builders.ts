/** The `field` builders, and the types that make each builder's field type follow its options. */
import type {
  AnyFieldOptions,
  BaseFieldOptions,
  JsonFieldOptions,
  NumberFieldOptions,
  StringFieldOptions,
} from './field-options.ts'
import { Field, type AnyField, type NestedModel } from './field.ts'

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
/**
 * Only an integer primary key without a default and without a foreign key is assigned by the database
 * (`Field.isGenerated`); `GeneratedKeyOf` then drops it when the table's key has several fields.
 */
type IsGeneratedKey<T, O> = T extends number
  ? O extends { primaryKey: true }
    ? HasDefault<O> extends true
      ? false
      : O extends { foreignKey: string }
        ? false
        : true
    : false
  : false
type Or<A extends boolean, B extends boolean> = A extends true ? true : B
/** A primary key that refers to another row, with no default: the flush takes it from that row. */
type IsReferenceKey<O> = O extends { primaryKey: true; foreignKey: string }
  ? HasDefault<O> extends true
    ? false
    : true
  : false

/** Marks a primary key field's type, so the key's type is known (`session.get(Hero, 1)`). Type-only. */
type PrimaryKeyBrand<O> = O extends { primaryKey: true } ? { readonly '~primaryKey': true } : unknown
/** Marks a key the database assigns at insert, so a new row's type says it is not known yet. Type-only. */
type GeneratedBrand<T, O> = IsGeneratedKey<T, O> extends true ? { readonly '~generated': true } : unknown
/** Marks a key the flush takes from the row it refers to, so a new row's type says it may lack it. Type-only. */
type ReferenceBrand<O> = IsReferenceKey<O> extends true ? { readonly '~reference': true } : unknown

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
 * {@link FieldFor}, and branded as a primary key, so the table's key type is known. An integer primary key
 * without a default is optional on input (the database assigns it) and branded as generated, so a new row's
 * type knows that key is not assigned yet; a string or uuid key must be given, or have a default.
 *
 * @example
 * const id = field.integer({ primaryKey: true }) // Field<number, true, false> & { '~primaryKey': true }
 */
export type KeyFieldFor<T, O> = Field<
  WithNull<O, T>,
  Or<HasDefault<O>, Or<IsGeneratedKey<T, O>, IsReferenceKey<O>>>,
  false
> &
  PrimaryKeyBrand<O> &
  GeneratedBrand<T, O> &
  ReferenceBrand<O>

/**
 * The field type of `field.json<T>()`: branded, since its value type alone does not say the column holds
 * JSON, and `engine.db` types that column as the driver reads and writes it (`DatabaseOf`).
 *
 * @example
 * const tags = field.json<string[]>({ default: [] }) // JsonField<string[], true>
 */
export type JsonField<T, InputOptional extends boolean> = Field<T, InputOptional, false> & {
  readonly '~json': true
}

/**
 * Any JSON value, stored as JSON (text on SQLite). Give the value type as `T`, and a TypeBox `schema` to
 * validate it: `field.json<string[]>({ default: [] })`.
 */
function jsonField<T = unknown>(
  options: JsonFieldOptions<T> & { nullable: true } & DefaultGiven<T>,
): JsonField<T | null, true>
function jsonField<T = unknown>(options: JsonFieldOptions<T> & { nullable: true }): JsonField<T | null, false>
function jsonField<T = unknown>(options: JsonFieldOptions<T> & DefaultGiven<T>): JsonField<T, true>
function jsonField<T = unknown>(options?: JsonFieldOptions<T>): JsonField<T, false>
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
