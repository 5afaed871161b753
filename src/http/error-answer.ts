/**
 * The HTTP answer to every error a route can raise, in the app's one shape `{"detail": …}`: a validation
 * failure is a 422, an `HTTPError` its own status, a database conflict a 409, a busy database or a row lock
 * not taken a 503, a value the database refuses a 400. Only a bug is a 500; what the client sees never
 * holds a driver's message.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import {
  ConnectionError,
  DataError,
  IntegrityError,
  InvalidQueryError,
  OnemodelError,
  RelationshipNotLoadedError,
  RouteDefinitionError,
  StaleDataError,
} from '../errors.ts'
import { ValidationError } from '../model/validation-error.ts'
import { excerptIssues } from './excerpt.ts'
import { HTTPError, RequestValidationError, ResponseValidationError } from './http-error.ts'
import { ExceptionHandlers, type ErrorClass, type ExceptionAnswer } from './exception-handlers.ts'
import type { Report } from './report.ts'

const DATA_ERROR_DETAIL =
  'The database cannot store a value of this request: it is too long, out of range, or holds characters the database refuses.'

const INTERNAL_ERROR: ExceptionAnswer = { status: 500, body: { detail: 'Internal Server Error' } }

/**
 * Every error becomes a JSON answer; only a bug is a 500, and its log holds no field values. The answer
 * is the handler of the nearest class in the error's chain, the app's (`handlers`) before the built-in
 * one of the same class: so a handler of `HTTPError` replaces the answer of every HTTPError but the 422s,
 * which `RequestValidationError`'s own answers. A handler of `Error` answers the errors that would be a
 * 500 (FastAPI's `Exception` handler); a handler that fails is a 500 itself, logged.
 */
export function errorAnswer(report: Report, handlers = new ExceptionHandlers()) {
  return async (
    error: FastifyError | Error,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> => {
    let answer: ExceptionAnswer
    try {
      answer = checked(await answerTo(error, request, handlers, report))
    } catch (failure) {
      report(request, 'error', 'an exception handler failed', failure)
      answer = INTERNAL_ERROR
    }
    void reply.code(answer.status).headers(answer.headers ?? {})
    const { body } = answer
    // An object is serialised by Fastify; a string or number is JSON too, not text.
    if (body === undefined || (typeof body === 'object' && body !== null)) void reply.send(body)
    else void reply.type('application/json; charset=utf-8').send(JSON.stringify(body))
    // The reply, not `undefined`, which Fastify would send again while a middleware holds this answer.
    return reply
  }
}

/** An app's handler may answer any status an HTTP answer can have, and nothing else. */
function checked(answer: ExceptionAnswer): ExceptionAnswer {
  const { status } = answer
  if (Number.isInteger(status) && status >= 100 && status <= 599) return answer
  throw new RouteDefinitionError(`An exception handler answered status ${status}; use one from 100 to 599.`)
}

function answerTo(
  error: Error,
  request: FastifyRequest,
  handlers: ExceptionHandlers,
  report: Report,
): ExceptionAnswer | Promise<ExceptionAnswer> {
  for (let type = classOf(error); type && type !== Error; type = Object.getPrototypeOf(type)) {
    const own = handlers.get(type)
    if (own) return own(error, request)
    const builtIn = BUILT_IN.get(type)?.(error, request, report)
    if (builtIn) return builtIn
  }
  // Fastify's own errors (a body too large, a bad Content-Length) carry their status.
  if (
    isObject(error) &&
    'statusCode' in error &&
    typeof error.statusCode === 'number' &&
    error.statusCode < 500
  ) {
    return { status: error.statusCode, body: { detail: error.message } }
  }
  const fallback = handlers.get(Error)
  if (fallback) return fallback(error, request)
  // A ResponseValidationError's message names the route and fields, never the values; a
  // RelationshipNotLoadedError's, the relationship a response nests and how to load it.
  report(
    request,
    'error',
    error instanceof ResponseValidationError || error instanceof RelationshipNotLoadedError
      ? error.message
      : 'the handler failed',
    error,
  )
  return INTERNAL_ERROR
}

/** A built-in answer to the errors of one class; `undefined` leaves the error to its base classes. */
type BuiltIn<E extends Error = Error> = (
  error: E,
  request: FastifyRequest,
  report: Report,
) => ExceptionAnswer | undefined

function answers<E extends Error>(type: ErrorClass<E>, answer: BuiltIn<E>): [ErrorClass, BuiltIn] {
  // The map is read by the error's own class chain, so `answer` only ever gets an E.
  return [type, answer as BuiltIn]
}

const unavailable = (error: Error, request: FastifyRequest, report: Report): ExceptionAnswer => {
  report(request, 'warn', 'the database is unavailable', error)
  return {
    status: 503,
    headers: { 'retry-after': '1' },
    body: { detail: 'Service Unavailable: the database is busy or unreachable' },
  }
}

const BUSY_CODES: ReadonlySet<string> = new Set([
  'OM_ENGINE_BUSY',
  'OM_ENGINE_TIMEOUT',
  'OM_ORM_LOCKED',
  'OM_ORM_DEADLOCK',
  'OM_ORM_SERIALIZATION',
])

/** The built-in answers, by the class they answer. */
const BUILT_IN = new Map<ErrorClass, BuiltIn>([
  answers(RequestValidationError, (error) => ({
    status: 422,
    body: { detail: excerptIssues(error.issues) },
  })),
  answers(ValidationError, (error) => ({ status: 422, body: { detail: excerptIssues(error.issues) } })),
  answers(HTTPError, (error) => ({
    status: error.status,
    headers: error.headers,
    body: { detail: error.detail },
  })),
  answers(IntegrityError, (error) => ({ status: 409, body: { detail: conflictDetail(error) } })),
  // The row was deleted by a concurrent request between the handler's read and its write or refresh.
  answers(StaleDataError, () => ({
    status: 404,
    body: { detail: 'Not Found: the resource was deleted concurrently' },
  })),
  answers(ConnectionError, unavailable),
  answers(OnemodelError, (error, request, report) =>
    BUSY_CODES.has(error.code) ? unavailable(error, request, report) : undefined,
  ),
  // The message is the driver's, with advice for the developer: it goes to the log, not to the client.
  answers(DataError, (error, request, report) => {
    report(request, 'warn', 'the database refused a value', error)
    return { status: 400, body: { detail: DATA_ERROR_DETAIL } }
  }),
  // A query built from request values (a negative limit, say) that the ORM refuses: the request's fault.
  answers(InvalidQueryError, (error) =>
    error.detail === undefined
      ? undefined
      : { status: 400, body: { detail: `Bad Request: ${error.detail}` } },
  ),
])

/** The class of a thrown value (`undefined` for a primitive, which no handler takes). */
function classOf(error: unknown): ErrorClass | undefined {
  return isObject(error) ? (error.constructor as ErrorClass) : undefined
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null
}

function conflictDetail(error: IntegrityError): string {
  const target = error.target === undefined ? '' : ` (${error.target})`
  switch (error.constraint) {
    case 'unique':
    case 'primary_key':
      return `Conflict: a row with the same value already exists${target}.`
    case 'foreign_key':
      return `Conflict: the row refers to a row that does not exist, or rows still refer to it${target}.`
    default:
      return `Conflict: the database rejected the write, a ${error.constraint} constraint failed${target}.`
  }
}
