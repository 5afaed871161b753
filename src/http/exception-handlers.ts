/**
 * The app's own answers to errors by class (FastAPI's `@app.exception_handler`): an `IntegrityError` as a
 * 409 of the app's shape, a 422 as RealWorld's `{"errors": {field: [messages]}}`.
 */
import type { FastifyRequest } from 'fastify'

/** An error answer: status, JSON body (none when absent) and headers. */
export interface ExceptionAnswer {
  readonly status: number
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
}

/** A class of errors; abstract ones too, so that a handler can take a base class. */
export type ErrorClass<E extends Error = Error> = abstract new (...args: any[]) => E

/**
 * The answer to an error of one class.
 *
 * @example
 * const conflict: ExceptionHandler<IntegrityError> = (error) => ({ status: 409, body: { message: 'Taken' } })
 */
export type ExceptionHandler<E extends Error = Error> = (
  error: E,
  request: FastifyRequest,
) => ExceptionAnswer | Promise<ExceptionAnswer>

/** The handlers an app declared, by error class. */
export class ExceptionHandlers {
  readonly #byClass = new Map<ErrorClass, ExceptionHandler>()

  /** Declares (or replaces) the handler of `type`. */
  set<E extends Error>(type: ErrorClass<E>, handler: ExceptionHandler<E>): void {
    // A handler of E is only ever called with an E: the lookup goes by the error's own class chain.
    this.#byClass.set(type, handler as ExceptionHandler)
  }

  /** The handler declared for exactly this class. */
  get(type: ErrorClass): ExceptionHandler | undefined {
    return this.#byClass.get(type)
  }
}
