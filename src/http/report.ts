/** Where server-side failures go (the app's logger, or stderr when it has none), and what a logged request shows. */
import type { FastifyRequest, FastifyServerOptions } from 'fastify'

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

/** The fields Fastify's request serializer reads. */
interface LoggedRequest {
  readonly method: string
  readonly url: string
  /** Absent on the request Fastify makes for a URL it cannot route. */
  readonly routeOptions?: { readonly url?: string }
  readonly host?: string
  readonly ip?: string
  readonly socket?: { readonly remotePort?: number }
}

type LoggerOption = FastifyServerOptions['logger']

/** The serializers a logged app starts from: Fastify's, except for the request's URL. */
const SAFE = { req: loggedRequest }

/**
 * Fastify's logger options with a request serializer that logs the route's template and the query's keys
 * without their values (`/heroes/:hero_id?fields=…`): a path or query parameter may carry a token or
 * another secret, and Fastify's own serializer logs the whole URL with every request. A `serializers.req`
 * of the caller's still wins.
 *
 * @example
 * Fastify({ logger: withSafeRequestLog(true) })
 */
export function withSafeRequestLog(logger: LoggerOption): LoggerOption {
  if (logger === undefined || typeof logger === 'boolean') return logger ? { serializers: SAFE } : logger
  return { ...logger, serializers: { ...SAFE, ...logger.serializers } }
}

function loggedRequest(request: LoggedRequest) {
  return {
    method: request.method,
    url: withoutQueryValues(request.url, request.routeOptions?.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  }
}

/**
 * `/keys/tok_abc?token=abc&limit=10` → `/keys/:key?token=…&limit=…`: the route's template where one matched
 * (a path parameter may be a secret too), and the query's keys without their values.
 */
function withoutQueryValues(url: string, route: string | undefined): string {
  const query = url.indexOf('?')
  const path = route ?? (query < 0 ? url : url.slice(0, query))
  if (query < 0) return path
  const keys = url
    .slice(query + 1)
    .split('&')
    .map((pair) => `${pair.split('=', 1)[0]}=…`)
  return `${path}?${keys.join('&')}`
}
