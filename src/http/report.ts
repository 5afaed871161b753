/** Where server-side failures go: the app's logger, or stderr when it has none. */
import type { FastifyRequest } from 'fastify'

/** Reports a server-side failure (to the app's logger, or stderr). */
export type Report = (
  request: FastifyRequest,
  level: 'warn' | 'error',
  message: string,
  error: unknown,
) => void

/**
 * Writes a server-side failure to the app's logger, or to stderr when it has none. The line names the route
 * (`GET /heroes/:hero_id`), not the URL, whose path and query may carry a secret parameter's value.
 */
export function reporter(logged: boolean): Report {
  if (logged) return (request, level, message, error) => request.log[level]({ err: error }, message)
  return (request, level, message, error) => {
    if (level === 'error') {
      console.error(`onemodel: ${request.method} ${request.routeOptions.url}: ${message}`, error)
    }
  }
}
