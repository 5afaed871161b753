/** Type helpers that turn field declarations into the row and input shapes. */
import type { Field, Fields } from './field.ts'

/**
 * Flattens an intersection so editors show one object type.
 *
 * @example
 * type Shown = Simplify<{ id: number } & { name: string }>   // { id: number; name: string }
 */
export type Simplify<T> = { [K in keyof T]: T[K] } & {}

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

/**
 * The field whose value the database assigns at insert: an integer primary key without a default.
 *
 * @example
 * type Key = GeneratedKeyOf<typeof Hero.fields>   // 'id'
 */
export type GeneratedKeyOf<F extends Fields> = {
  [K in keyof F]: F[K] extends { readonly '~generated': true } ? K : never
}[keyof F] &
  string

/**
 * A row made by `create()` or `validate()`, before the database has seen it: like {@link RowOf}, except that
 * the key the database assigns is `undefined` until the row is flushed. The type-only `'~unflushed'` mark
 * names that key, so a response model can still take the row (its encoder checks the key at run time).
 *
 * @example
 * const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
 * hero.id         // number | undefined: read it after `await session.commit()`, or from `session.get()`
 */
export type NewRowOf<F extends Fields> = [GeneratedKeyOf<F>] extends [never]
  ? RowOf<F>
  : Simplify<
      Omit<RowOf<F>, GeneratedKeyOf<F>> & {
        -readonly [K in GeneratedKeyOf<F>]: ValueOf<F[K]> | undefined
      } & { readonly '~unflushed': GeneratedKeyOf<F> }
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
  { [K in KeysWhere<F, '~inputOptional', false>]: ValueOf<F[K]> } & {
    [K in KeysWhere<F, '~inputOptional', true>]?: ValueOf<F[K]>
  }
>

/**
 * Every field made optional with no default: the fields of `Model.partial()`.
 *
 * @example
 * const HeroUpdate = HeroCreate.partial('HeroUpdate')   // Model<PartialFields<typeof HeroCreate.fields>>
 */
export type PartialFields<F extends Fields> = { [K in keyof F]: Field<ValueOf<F[K]>, true, true> }

/** The name of the field declared with `primaryKey: true`. */
export type PrimaryKeyOf<F extends Fields> = {
  [K in keyof F]: F[K] extends { readonly '~primaryKey': true } ? K : never
}[keyof F] &
  string
