/**
 * CORS with FastAPI's `CORSMiddleware` options and defaults, answered by `@fastify/cors`: what a browser
 * may send cross-origin, and the preflight `OPTIONS` that asks first.
 */
import type { FastifyCorsOptions } from '@fastify/cors'

/**
 * The `cors` option of `createApp()`: FastAPI's `CORSMiddleware` options, camel-cased, with its defaults
 * (no origin, `GET` only, no extra header, no credentials).
 *
 * @example
 * createApp({ cors: { allowOrigins: ['https://heroes.example'], allowMethods: ['*'], allowHeaders: ['*'] } })
 */
export interface CorsOptions {
  /** Origins that may call the API (`'https://heroes.example'`), or `['*']` for any. Default none. */
  allowOrigins?: readonly string[]
  /** Origins that may call the API, matched by a regular expression (FastAPI's `allow_origin_regex`). */
  allowOriginRegex?: RegExp
  /** Methods allowed cross-origin, or `['*']` for all. Default `['GET']`. */
  allowMethods?: readonly string[]
  /**
   * Request headers allowed cross-origin besides the CORS-safelisted ones (`Accept`, `Accept-Language`,
   * `Content-Language`, `Content-Type`), or `['*']` for any. Default none.
   */
  allowHeaders?: readonly string[]
  /** Cookies and `Authorization` may be sent cross-origin. Default `false`. */
  allowCredentials?: boolean
  /** Response headers the browser lets the page read. Default none. */
  exposeHeaders?: readonly string[]
  /** How long, in seconds, a browser may cache a preflight's answer. Default 600. */
  maxAge?: number
}

const ALL_METHODS = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']
const SAFELISTED_HEADERS = ['Accept', 'Accept-Language', 'Content-Language', 'Content-Type']

/**
 * `@fastify/cors`'s options for FastAPI's. A request from an origin not allowed (or with none) gets no CORS
 * header at all, its preflight included, so the browser refuses the answer to the page.
 */
export function fastifyCorsOptions(options: CorsOptions): FastifyCorsOptions {
  const {
    allowOrigins = [],
    allowOriginRegex,
    allowMethods = ['GET'],
    allowHeaders = [],
    allowCredentials = false,
    exposeHeaders = [],
    maxAge = 600,
  } = options
  const anyOrigin = allowOrigins.includes('*')
  const allowed = new Set(allowOrigins)
  const pattern = allowOriginRegex && wholeMatch(allowOriginRegex)
  return {
    // A function rather than a list: for an origin not allowed it answers `false`, and @fastify/cors then
    // adds nothing, where a list would still answer a preflight with the allowed methods and headers.
    origin: (origin, callback) => {
      if (origin === undefined) return callback(null, false)
      if (anyOrigin) return callback(null, allowCredentials ? origin : '*')
      const ok = allowed.has(origin) || pattern?.test(origin) === true
      callback(null, ok ? origin : false)
    },
    methods: allowMethods.includes('*') ? ALL_METHODS : [...allowMethods],
    // Left out, @fastify/cors echoes the headers a preflight asks for, as FastAPI does for `['*']`.
    ...(allowHeaders.includes('*')
      ? {}
      : { allowedHeaders: [...new Set([...SAFELISTED_HEADERS, ...allowHeaders])].sort() }),
    credentials: allowCredentials,
    ...(exposeHeaders.length === 0 ? {} : { exposedHeaders: [...exposeHeaders] }),
    maxAge,
    // An OPTIONS from an allowed origin is answered as a preflight even without
    // Access-Control-Request-Method, instead of @fastify/cors's plain-text 400.
    strictPreflight: false,
  }
}

/** The pattern matching whole origins only, as Starlette matches `allow_origin_regex` (`re.fullmatch`). */
function wholeMatch(pattern: RegExp): RegExp {
  return new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace(/[gy]/g, ''))
}
