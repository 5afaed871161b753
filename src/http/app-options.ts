/**
 * What an app is made with: the options of `createApp()`, its lifespan and those of `app.listen()`, with the
 * defaults the app falls back on.
 */
import type { FastifyServerOptions } from 'fastify'
import type { CorsOptions } from './cors.ts'
import type { Dependency } from './depends.ts'
import type { HealthOptions } from './health.ts'

/**
 * Code run when the app starts and stops (FastAPI's lifespan): create tables, dispose the engine.
 *
 * @example
 * const lifespan: Lifespan = { startup: () => createAll(engine), shutdown: () => engine.dispose() }
 */
export interface Lifespan {
  /** Runs before the server accepts requests; a failure stops the start. */
  startup?: () => unknown
  /** Runs after the last request finished, when the app closes. */
  shutdown?: () => unknown
}

/**
 * Options of `createApp()`.
 *
 * @example
 * const app = createApp({ title: 'Heroes API', cors: { allowOrigins: ['https://heroes.example'] } })
 */
export interface AppOptions {
  /** The API's title in the OpenAPI document and on `/docs`. */
  title?: string
  version?: string
  description?: string
  lifespan?: Lifespan
  /**
   * How long, in milliseconds, closing the app waits for requests in flight and background tasks before it
   * runs the lifespan shutdown all the same. Default 5000.
   */
  shutdownTimeout?: number
  /** Cross-origin requests the app allows (FastAPI's `CORSMiddleware`); default none. */
  cors?: CorsOptions
  /** The largest request body accepted, in bytes; larger ones answer 413. Default 1 MiB. */
  bodyLimit?: number
  /** Where the OpenAPI document is served; `null` serves none (and no docs). Default `/openapi.json`. */
  openapiUrl?: string | null
  /** Where Swagger UI is served; `null` serves none. Default `/docs`. */
  docsUrl?: string | null
  /**
   * Fastify's logger (pino): `true` logs every request, with the query's keys but not their values (a query
   * may carry a token). Default none, which keeps the request path lean; server errors (500s, failed
   * cleanups) are then written to stderr.
   */
  logger?: FastifyServerOptions['logger']
  /** Dependencies run for every request of every route, cleanup included (FastAPI's `FastAPI(dependencies=…)`). */
  dependencies?: readonly Dependency<any, any>[]
  /**
   * Liveness and readiness endpoints (`/livez`, `/readyz`) for load balancers and orchestrators; default
   * none. `true` serves them with no readiness check. See {@link HealthOptions}.
   *
   * @example
   * createApp({ health: { checks: { database: () => engine.ping() } } })
   */
  health?: HealthOptions | boolean
  /** Any other option of the Fastify server the app creates. */
  fastify?: Omit<FastifyServerOptions, 'logger' | 'bodyLimit'>
}

/**
 * What `app.listen()` accepts.
 *
 * @example
 * await app.listen({ port: 8080, host: '0.0.0.0', signals: ['SIGTERM'] })
 */
export interface ListenOptions {
  /** Default 8000, as uvicorn's. */
  port?: number
  /** Default `127.0.0.1`. */
  host?: string
  /** Signals that close the app gracefully; a second one stops at once. Default SIGINT and SIGTERM; `false` for none. */
  signals?: readonly NodeJS.Signals[] | false
}

/** The `bodyLimit` of an app that sets none: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024
/** The `shutdownTimeout` of an app that sets none, in milliseconds. */
export const DEFAULT_SHUTDOWN_TIMEOUT = 5000
