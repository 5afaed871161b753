import { jsonEncoder, jsonListEncoder } from '../model/json-encoder.ts'
import type { Model } from '../model/model.ts'
import type { NewRowOf } from '../model/types.ts'
import type { ValidationIssue } from '../model/validation-error.ts'

/** A response that is a JSON array of a model's objects. */
export class ListOf<M extends Model = Model> {
  readonly model: M

  constructor(model: M) {
    this.model = model
  }
}

/**
 * A list response model (`response_model=list[HeroPublic]`): every item is filtered by `model`.
 *
 * @example
 * app.get('/heroes/', { params: { session: getSession }, response: list(HeroPublic) }, …)
 */
export function list<M extends Model>(model: M): ListOf<M> {
  return new ListOf(model)
}

/** What a route's `response` may be: a model, or `list(model)`. */
export type ResponseModel = Model | ListOf

/**
 * What a handler must return for response model `R`. Extra fields are allowed: the model drops them. So is a
 * row whose database-generated key its type cannot know yet (`Hero.create(…)`, added and committed): the
 * answer is encoded after the handler's commit, and the encoder refuses a key that is still missing (a 500
 * naming the field, never a wrong answer).
 */
export type ResponseValue<R> =
  R extends ListOf<infer M>
    ? readonly Returnable<M['Type']>[]
    : R extends Model
      ? Returnable<R['Type']>
      : unknown

/** `T`, where every object may also be a row created before its key was assigned (see {@link NewRowOf}). */
type Returnable<T> = T extends readonly (infer E)[]
  ? readonly Returnable<E>[]
  : T extends Date
    ? T
    : T extends object
      ? OrUnflushed<{ [K in keyof T]: Returnable<T[K]> }>
      : T

/** `T`, or `T` with one field left `undefined` and marked as the row's unflushed key. */
type OrUnflushed<T> =
  T | { [K in keyof T]: Omit<T, K> & { [P in K]: T[P] | undefined } & { readonly '~unflushed': K } }[keyof T]

/**
 * The encoder of a response model (made once per route): the JSON text of a handler's result, as
 * FastAPI's `serialize_response`: only the model's fields remain, nested and in lists, and each value is
 * checked. Gives the issues when the result does not fit.
 */
export function responseEncoder(spec: ResponseModel): (value: unknown) => string | ValidationIssue[] {
  const encode = spec instanceof ListOf ? jsonListEncoder(spec.model) : jsonEncoder(spec)
  return (value) => encode(value) ?? whyNot(spec, value)
}

/** The issues of a result the encoder refused, from the model's validation (the slow, exact path). */
function whyNot(spec: ResponseModel, value: unknown): ValidationIssue[] {
  if (!(spec instanceof ListOf)) {
    const result = spec.safeValidate(value, ['response'])
    return result.success ? [] : result.issues
  }
  if (!Array.isArray(value)) {
    return [{ type: 'list_type', loc: ['response'], msg: 'Input should be a valid list', input: value }]
  }
  return value.flatMap((item, index) => {
    const result = spec.model.safeValidate(item, ['response', index])
    return result.success ? [] : result.issues
  })
}
