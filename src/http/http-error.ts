import { STATUS_CODES } from 'node:http'
import { OnemodelError } from '../errors.ts'
import type { ValidationIssue } from '../model/validation-error.ts'

/**
 * An HTTP error answer (FastAPI's `HTTPException`): throw it from a handler or a dependency and the client
 * gets `status` with the JSON body `{"detail": detail}` and the given headers.
 *
 * @example
 * const hero = await session.get(Hero, hero_id)
 * if (!hero) throw new HTTPError(404, 'Hero not found')
 */
export class HTTPError extends OnemodelError {
  readonly status: number
  /** Any JSON value; defaults to the status text (`'Not Found'`). */
  readonly detail: unknown
  readonly headers: Readonly<Record<string, string>>

  constructor(status: number, detail?: unknown, headers: Record<string, string> = {}) {
    const text = STATUS_CODES[status] ?? 'Error'
    super('OM_HTTP_ERROR', `${status} ${typeof detail === 'string' ? detail : text}`)
    this.status = status
    this.detail = detail === undefined ? text : detail
    this.headers = headers
  }

  /**
   * Throws an HTTPError. An expression, so it fits after `??`.
   *
   * @example
   * return (await session.get(Hero, hero_id)) ?? HTTPError.raise(404, 'Hero not found')
   */
  static raise(status: number, detail?: unknown, headers?: Record<string, string>): never {
    throw new HTTPError(status, detail, headers)
  }
}

/** The request did not match its parameters: answered 422 with FastAPI's body. */
export class RequestValidationError extends HTTPError {
  readonly issues: ValidationIssue[]

  constructor(issues: ValidationIssue[]) {
    super(422, issues)
    this.issues = issues
  }
}

/**
 * A handler returned data that its response model rejects: a server bug, answered 500 with no data. The
 * message names the route and the fields, never their values.
 */
export class ResponseValidationError extends OnemodelError {
  /** The issues, with the rejected values: not enumerable, so a logger or `console.error` never prints them. */
  declare readonly issues: ValidationIssue[]

  constructor(route: string, model: string, issues: ValidationIssue[]) {
    const lines = issues.map((issue) => `  ${issue.loc.join('.')}: ${issue.msg} [type=${issue.type}]`)
    super(
      'OM_HTTP_RESPONSE_VALIDATION',
      `${route} returned data that ${model} rejects:\n${lines.join('\n')}\nReturn every field of ${model}, or change the response model.`,
    )
    Object.defineProperty(this, 'issues', { value: issues, enumerable: false })
  }
}
