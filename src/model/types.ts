/** Type helpers that turn field declarations into the row and input shapes. */
import type { Field, Fields } from './field.ts'

/** Flattens an intersection so editors show one object type. */
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

/** What `create()` accepts: fields with a default, a generated primary key or a partial model may be left out. */
export type InputOf<F extends Fields> = Simplify<
  { [K in KeysWhere<F, '~inputOptional', false>]: ValueOf<F[K]> } & {
    [K in KeysWhere<F, '~inputOptional', true>]?: ValueOf<F[K]>
  }
>

/** Every field made optional with no default: the fields of `Model.partial()`. */
export type PartialFields<F extends Fields> = { [K in keyof F]: Field<ValueOf<F[K]>, true, true> }

/** The name of the field declared with `primaryKey: true`. */
export type PrimaryKeyOf<F extends Fields> = {
  [K in keyof F]: F[K] extends { readonly '~primaryKey': true } ? K : never
}[keyof F] &
  string
