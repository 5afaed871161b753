/** Type helpers that turn field declarations into the row and input shapes. */
import type { Field, Fields } from './field.ts'

/**
 * Flattens an intersection so editors show one object type.
 *
 * @example
 * type Shown = Simplify<{ id: number } & { name: string }>   // { id: number; name: string }
 */
export type Simplify<T> = { [K in keyof T]: T[K] } & {}

/**
 * The intersection of the members of union `U`; `{}` for `never`.
 *
 * @example
 * type Both = UnionToIntersection<{ a: 1 } | { b: 2 }> // { a: 1 } & { b: 2 }
 */
export type UnionToIntersection<U> = [U] extends [never]
  ? {}
  : (U extends unknown ? (union: U) => void : never) extends (intersection: infer I) => void
    ? I
    : never

/** The value type of a field. */
export type ValueOf<F> = F extends Field<infer V, boolean, boolean> ? V : never

type KeysWhere<F extends Fields, Flag extends '~inputOptional' | '~rowOptional', Value extends boolean> = {
  [K in keyof F]: F[K][Flag] extends Value ? K : never
}[keyof F]

/** A row of the model: every field present, except the fields of a partial model. */
export type RowOf<F extends Fields> = Simplify<
  { -readonly [K in KeysWhere<F, '~rowOptional', false>]: ValueOf<F[K]> } & {
    -readonly [K in KeysWhere<F, '~rowOptional', true>]?: ValueOf<F[K]>
  }
>

/** The fields branded `'~generated'`: integer primary keys that the database would assign if alone. */
type GeneratedBrandedOf<F extends Fields> = {
  [K in keyof F]: F[K] extends { readonly '~generated': true } ? K : never
}[keyof F] &
  string

/** `true` when `K` is a union of two or more members. */
type IsUnion<K, All = K> = K extends unknown ? ([All] extends [K] ? false : true) : never

/**
 * The field whose value the database assigns at insert: the only primary key, an integer without a
 * default and without a foreign key. A key of several columns is never generated (`never`).
 *
 * @example
 * type Key = GeneratedKeyOf<typeof Hero.fields>           // 'id'
 * type None = GeneratedKeyOf<typeof HeroTeamLink.fields>  // never
 */
export type GeneratedKeyOf<F extends Fields> =
  true extends IsUnion<PrimaryKeyOf<F>> ? never : GeneratedBrandedOf<F>

/** Integer keys of a composite primary key: optional on input as fields, required by the table. */
type GivenKeyOf<F extends Fields> = Exclude<GeneratedBrandedOf<F>, GeneratedKeyOf<F>>

/**
 * The primary key fields that refer to another row (`HeroTeamLink.team_id`), with no default: a new row
 * may lack them until the flush takes them from the rows it refers to.
 *
 * @example
 * type Keys = ReferenceKeyOf<typeof HeroTeamLink.fields>   // 'team_id' | 'hero_id'
 */
export type ReferenceKeyOf<F extends Fields> = {
  [K in keyof F]: F[K] extends { readonly '~reference': true } ? K : never
}[keyof F] &
  string

/** The keys a new row may lack until its flush: the generated key, or the keys that refer to other rows. */
type UnflushedKeyOf<F extends Fields> = GeneratedKeyOf<F> | ReferenceKeyOf<F>

/**
 * A row made by `create()` or `validate()`, before the database has seen it: like {@link RowOf}, except that
 * the key the flush sets (the database's generated key, or the keys taken from the rows a link refers to)
 * is `undefined` until the row is flushed. The type-only `'~unflushed'` mark names that key, so a response
 * model can still take the row (its encoder checks the key at run time).
 *
 * @example
 * const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
 * hero.id         // number | undefined: read it after `await session.commit()`, or from `session.get()`
 */
export type NewRowOf<F extends Fields> = [UnflushedKeyOf<F>] extends [never]
  ? RowOf<F>
  : Simplify<
      Omit<RowOf<F>, UnflushedKeyOf<F>> & {
        -readonly [K in UnflushedKeyOf<F>]: ValueOf<F[K]> | undefined
      } & { readonly '~unflushed': UnflushedKeyOf<F> }
    >

/**
 * A row the database has: a {@link NewRowOf} with its generated key known, as `session.refresh()` returns it.
 * Other rows are unchanged.
 *
 * @example
 * type Saved = Persisted<ReturnType<typeof Hero.create>>   // typeof Hero.Type: id is a number
 */
export type Persisted<R> = R extends { readonly '~unflushed': infer K extends keyof R }
  ? Simplify<Omit<R, K | '~unflushed'> & { -readonly [P in K]: Exclude<R[P], undefined> }>
  : R

/** What `create()` accepts: fields with a default, a generated primary key or a partial model may be left out. */
export type InputOf<F extends Fields> = Simplify<
  { [K in KeysWhere<F, '~inputOptional', false> | GivenKeyOf<F>]: ValueOf<F[K]> } & {
    [K in Exclude<KeysWhere<F, '~inputOptional', true>, GivenKeyOf<F>>]?: ValueOf<F[K]>
  }
>

/**
 * Every field made optional with no default: the fields of `Model.partial()`.
 *
 * @example
 * const HeroUpdate = HeroCreate.partial('HeroUpdate')   // Model<PartialFields<typeof HeroCreate.fields>>
 */
export type PartialFields<F extends Fields> = { [K in keyof F]: Field<ValueOf<F[K]>, true, true> }

/** The names of the fields declared with `primaryKey: true`: one name, or a union for a composite key. */
export type PrimaryKeyOf<F extends Fields> = {
  [K in keyof F]: F[K] extends { readonly '~primaryKey': true } ? K : never
}[keyof F] &
  string

/**
 * `TableModel.primaryKey`: the name of the only primary key field (`'id'`), or `undefined` for a table
 * whose key has several columns, which {@link PrimaryKeyOf} and `primaryKeys` name.
 *
 * @example
 * type One = SinglePrimaryKeyOf<typeof Hero.fields>           // 'id'
 * type Many = SinglePrimaryKeyOf<typeof HeroTeamLink.fields>  // undefined
 */
export type SinglePrimaryKeyOf<F extends Fields> =
  true extends IsUnion<PrimaryKeyOf<F>> ? undefined : PrimaryKeyOf<F>

/**
 * What identifies one row of a table, as `session.get()` takes it: the key's value for a single key
 * (`1`), an object of every key field for a composite key (`{ team_id: 1, hero_id: 2 }`).
 *
 * @example
 * type HeroKey = PrimaryKeyValueOf<typeof Hero.fields>           // number
 * type LinkKey = PrimaryKeyValueOf<typeof HeroTeamLink.fields>   // { team_id: number; hero_id: number }
 */
export type PrimaryKeyValueOf<F extends Fields> =
  true extends IsUnion<PrimaryKeyOf<F>>
    ? { [K in PrimaryKeyOf<F>]: ValueOf<F[K]> }
    : ValueOf<F[PrimaryKeyOf<F>]>
