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
 * Filters and validates a handler's result through the response model, as FastAPI's `serialize_response`:
 * only the model's fields remain, nested and in lists. Returns the issues when the result does not fit.
 */
export function filterResponse(
  spec: ResponseModel,
  value: unknown,
): { ok: true; value: unknown } | { ok: false; issues: ValidationIssue[] } {
  if (!(spec instanceof ListOf)) {
    const result = spec.safeValidate(value, ['response'])
    return result.success ? { ok: true, value: result.data } : { ok: false, issues: result.issues }
  }
  if (!Array.isArray(value)) {
    return {
      ok: false,
      issues: [{ type: 'list_type', loc: ['response'], msg: 'Input should be a valid list', input: value }],
    }
  }
  const out: unknown[] = new Array(value.length)
  for (let i = 0; i < value.length; i++) {
    const result = spec.model.safeValidate(value[i], ['response', i])
    if (!result.success) return { ok: false, issues: result.issues }
    out[i] = result.data
  }
  return { ok: true, value: out }
}
