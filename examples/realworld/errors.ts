/**
 * RealWorld's error answers: `{"errors": {field: [messages]}}`, with `body` as the field when no field is
 * to blame. The app raises them as `HTTPError`s, whose detail is the messages by field or one message;
 * these handlers give every error of the API that shape.
 */
import { type App, HTTPError, RequestValidationError } from 'onemodel-ts'

/** Messages by field: what `{"errors": …}` holds. */
export type FieldErrors = Record<string, string[]>

/**
 * Throws RealWorld's answer with `status` and these messages by field.
 *
 * @example
 * raiseFieldErrors(422, { username: ['has already been taken'] })
 */
export function raiseFieldErrors(status: number, errors: FieldErrors): never {
  throw new HTTPError(status, errors)
}

function isFieldErrors(detail: unknown): detail is FieldErrors {
  return typeof detail === 'object' && detail !== null && !Array.isArray(detail)
}

/**
 * Answers the app's errors in RealWorld's shape: an `HTTPError` keeps its status and headers, and a request
 * that does not validate is a 422 whose messages are filed under the field they are about (the last name
 * of their `loc`, so `user.email` is `email`).
 *
 * @example
 * answerInRealWorldShape(app)
 */
export function answerInRealWorldShape(app: App): void {
  app.exceptionHandler(HTTPError, (error) => ({
    status: error.status,
    headers: error.headers,
    body: { errors: isFieldErrors(error.detail) ? error.detail : { body: [String(error.detail)] } },
  }))

  app.exceptionHandler(RequestValidationError, (error) => {
    const errors: FieldErrors = {}
    for (const { loc, msg } of error.issues) {
      const field = loc.findLast((part) => typeof part === 'string') ?? 'body'
      ;(errors[field] ??= []).push(msg)
    }
    return { status: 422, body: { errors } }
  })
}
