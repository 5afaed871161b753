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
  StaleDataError,
} from '../errors.ts'
import { ValidationError } from '../model/validation-error.ts'
import { excerptIssues } from './excerpt.ts'
import { HTTPError, RequestValidationError, ResponseValidationError } from './http-error.ts'
import type { Report } from './report.ts'

const DATA_ERROR_DETAIL =
  'The database cannot store a value of this request: it is too long, out of range, or holds characters the database refuses.'

/** Every error becomes a JSON answer; only a bug is a 500, and its log holds no field values. */
export function errorAnswer(report: Report) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void => {
    if (error instanceof RequestValidationError || error instanceof ValidationError) {
      void reply.code(422).send({ detail: excerptIssues(error.issues) })
    } else if (error instanceof HTTPError) {
      void reply.code(error.status).headers(error.headers).send({ detail: error.detail })
    } else if (error instanceof IntegrityError) {
      void reply.code(409).send({ detail: conflictDetail(error) })
    } else if (error instanceof StaleDataError) {
      // The row was deleted by a concurrent request between the handler's read and its write or refresh.
      void reply.code(404).send({ detail: 'Not Found: the resource was deleted concurrently' })
    } else if (
      error instanceof ConnectionError ||
      (error instanceof OnemodelError &&
        (error.code === 'OM_ENGINE_BUSY' ||
          error.code === 'OM_ENGINE_TIMEOUT' ||
          error.code === 'OM_ORM_LOCKED'))
    ) {
      report(request, 'warn', 'the database is unavailable', error)
      void reply
        .code(503)
        .header('retry-after', '1')
        .send({ detail: 'Service Unavailable: the database is busy or unreachable' })
    } else if (error instanceof DataError) {
      // The message is the driver's, with advice for the developer: it goes to the log, not to the client.
      report(request, 'warn', 'the database refused a value', error)
      void reply.code(400).send({ detail: DATA_ERROR_DETAIL })
    } else if (error instanceof InvalidQueryError && error.detail !== undefined) {
      // A query built from request values (a negative limit, say) that the ORM refuses: the request's fault.
      void reply.code(400).send({ detail: `Bad Request: ${error.detail}` })
    } else if ('statusCode' in error && typeof error.statusCode === 'number' && error.statusCode < 500) {
      void reply.code(error.statusCode).send({ detail: error.message })
    } else {
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
      void reply.code(500).send({ detail: 'Internal Server Error' })
    }
  }
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
