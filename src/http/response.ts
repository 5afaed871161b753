import { jsonEncoder, jsonListEncoder } from '../model/json-encoder.ts'
import type { Model } from '../model/model.ts'
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

/** What a handler must return for response model `R`. Extra fields are allowed: the model drops them. */
export type ResponseValue<R> =
  R extends ListOf<infer M> ? readonly M['Type'][] : R extends Model ? R['Type'] : unknown

/**
 * The JSON text of a handler's result through the response model, as FastAPI's `serialize_response`:
 * only the model's fields remain, nested and in lists, and each value is checked. Returns the issues
 * when the result does not fit.
 */
export function encodeResponse(spec: ResponseModel, value: unknown): string | ValidationIssue[] {
  const encoded =
    spec instanceof ListOf
      ? jsonListEncoder(spec.model)(value, ['response'])
      : jsonEncoder(spec)(value, ['response'])
  return typeof encoded === 'string' ? encoded : encoded.issues
}
