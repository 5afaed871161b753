import Fastify, {
  type FastifyBodyParser,
  type FastifyInstance,
  type FastifyServerOptions,
  type InjectOptions,
  type LightMyRequestResponse,
} from 'fastify'
import fastifyCors from '@fastify/cors'
import { RouteDefinitionError } from '../errors.ts'
import { fastifyCorsOptions, type CorsOptions } from './cors.ts'
import { DependencyOverrides, type Dependency } from './depends.ts'
import { DOCS_ASSETS, docsAsset, docsPage } from './docs.ts'
import { errorAnswer } from './error-answer.ts'
import { ExceptionHandlers, type ErrorClass, type ExceptionHandler } from './exception-handlers.ts'
import { healthOpenApiPaths, healthPaths, serveHealth, type HealthOptions } from './health.ts'
import { useMiddleware, type Middleware } from './middleware.ts'
import { openApiDocument } from './openapi.ts'
import {
  answerClientError,
  answerConnect,
  answerExpectationFailed,
  answerFrameworkError,
  requireHost,
} from './protocol-errors.ts'
import { reporter, withSafeRequestLog } from './report.ts'
import { Router } from './api-router.ts'
import type { DependencyInputs } from './route-types.ts'
import { checkPathParams, planRoute, requestHandler, type RouteDefinition } from './route.ts'
import { allowOnly, fastifyPath, routerKey } from './router.ts'
import { InFlight } from './shutdown.ts'
import { registerFormParsers, takesForm } from './uploads.ts'

/** Code run when the app starts and stops (FastAPI's lifespan): create tables, dispose the engine. */
export interface Lifespan {
  /** Runs before the server accepts requests; a failure stops the start. */
  startup?: () => unknown
  /** Runs after the last request finished, when the app closes. */
  shutdown?: () => unknown
}

/** Options of {@link createApp}. */
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

/** What {@link App.listen} accepts. */
export interface ListenOptions {
  /** Default 8000, as uvicorn's. */
  port?: number
  /** Default `127.0.0.1`. */
  host?: string
  /** Signals that close the app gracefully; a second one stops at once. Default SIGINT and SIGTERM; `false` for none. */
  signals?: readonly NodeJS.Signals[] | false
}

const DEFAULT_BODY_LIMIT = 1024 * 1024
const DEFAULT_SHUTDOWN_TIMEOUT = 5000

/** How long a request may take to arrive, headers and body: node:http's default, 5 minutes. */
const REQUEST_TIMEOUT = 300_000

/**
 * An HTTP API (FastAPI's `FastAPI()`): routes with typed parameters, dependencies, response models, an
 * OpenAPI document and `/docs`, served by Fastify. Routes are added with `get()`, `post()`, … or from a
 * {@link Router} with `include()`. Use {@link createApp} to make one.
 */
export class App<Shared = {}, Routes = {}> extends Router<'', Shared, Routes> {
  /** Type-only: tells an app's type from a router's, so each route added keeps it an app. */
  declare readonly '~app': true
  readonly options: Readonly<AppOptions>
  /** Replacements for dependencies, for tests: `app.dependencyOverrides.set(getSession, testSession)`. */
  readonly dependencyOverrides = new DependencyOverrides()
  readonly #middleware: Middleware[] = []
  readonly #exceptionHandlers = new ExceptionHandlers()
  #registered = false
  #fastify: FastifyInstance | undefined
  #document: Record<string, unknown> | undefined
  #signals: { signal: NodeJS.Signals; listener: () => void }[] = []

  constructor(options: AppOptions = {}) {
    super({ dependencies: options.dependencies ?? [] })
    this.options = Object.freeze({ ...options })
  }

  /**
   * Refuses a route once the app started, a second route the router would match the same, one on the
   * docs' paths, or path parameters that do not match the template.
   */
  protected override check(route: RouteDefinition): void {
    const { method, path } = route
    this.#beforeStart(`${method} ${path}: routes`)
    // The router ignores parameter names, and by default a trailing slash: `/items/{id}` is `/items/{item_id}/`.
    const ignoreSlash = this.options.fastify?.routerOptions?.ignoreTrailingSlash ?? true
    const key = routerKey(path, ignoreSlash)
    const same = this.routes.find((r) => r.method === method && routerKey(r.path, ignoreSlash) === key)
    if (same) {
      const as = same.path === path ? '' : ` (as ${method} ${same.path})`
      throw new RouteDefinitionError(`${method} ${path} is declared twice${as}.`)
    }
    const { openapiUrl = '/openapi.json', docsUrl = '/docs' } = this.options
    const served = [openapiUrl, docsUrl].filter((url): url is string => url !== null)
    if (
      served.some((url) => routerKey(url, ignoreSlash) === key || key.startsWith(`${routerKey(url, true)}/`))
    ) {
      throw new RouteDefinitionError(
        `${method} ${path}: the app serves its OpenAPI document and docs at ${served.join(' and ')}. Choose another path, or move them with createApp({ openapiUrl, docsUrl }).`,
      )
    }
    const health = healthPaths(this.options.health)
    if (health.some((url) => routerKey(url, ignoreSlash) === key)) {
      throw new RouteDefinitionError(
        `${method} ${path}: the app serves its health endpoints at ${health.join(' and ')}. Choose another path, or move them with createApp({ health: { live, ready } }).`,
      )
    }
    checkPathParams(route, planRoute(route, new Map()))
  }

  /**
   * Adds a middleware, which runs around every request of the app, its 404, 405 and error answers
   * included (Starlette's `@app.middleware("http")`). The last one added is the outermost: it sees the
   * request first and the answer last. CORS, when configured, is outside them all.
   *
   * @example
   * app.middleware(async function addProcessTime(request, next) {
   *   const start = performance.now()
   *   const response = await next()
   *   response.headers.set('x-process-time', String((performance.now() - start) / 1000))
   * })
   */
  middleware(middleware: Middleware): this {
    this.#beforeStart('middleware')
    this.#middleware.push(middleware)
    return this
  }

  /**
   * Answers the errors of `type` (and its subclasses) with `handler` (FastAPI's `@app.exception_handler`).
   * The handler of the nearest class in an error's chain wins, and one of yours replaces the built-in
   * answer of its class: `HTTPError`, `RequestValidationError` (the 422s), `IntegrityError` (409), …
   * A handler of `Error` answers what would otherwise be a 500. A handler that throws is a 500, logged.
   *
   * @example
   * app.exceptionHandler(IntegrityError, (error) => ({ status: 409, body: { message: 'Already taken' } }))
   * app.exceptionHandler(RequestValidationError, (error) => ({
   *   status: 422,
   *   body: { errors: Object.groupBy(error.issues, (issue) => String(issue.loc.at(-1))) },
   * }))
   */
  exceptionHandler<E extends Error>(type: ErrorClass<E>, handler: ExceptionHandler<E>): this {
    this.#beforeStart('exception handlers')
    this.#exceptionHandlers.set(type, handler)
    return this
  }

  #beforeStart(what: string): void {
    if (this.#registered) throw new RouteDefinitionError(`${what} must be added before the app starts.`)
  }

  /** The OpenAPI document of the routes, as `/openapi.json` serves it. */
  openapi(): Record<string, unknown> {
    const { title = 'onemodel', version = '0.1.0', description, health } = this.options
    if (this.#document) return this.#document
    const document = openApiDocument(
      description === undefined ? { title, version } : { title, version, description },
      this.routes,
    )
    if (health && health !== true && health.includeInSchema) {
      // openApiDocument always writes `paths`, an object of paths, each a JSON object.
      Object.assign(document.paths as object, healthOpenApiPaths(health))
    }
    return (this.#document = document)
  }

  /**
   * The app as a Fastify plugin, to mount it in a Fastify server of your own, under a prefix if you like:
   * `server.register(app.plugin, { prefix: '/api' })`. Its parsers, error answers and 404/405 stay inside it;
   * the answers to requests refused before routing (see {@link App.fastify}) are the server's own.
   */
  readonly plugin = async (instance: FastifyInstance): Promise<void> => {
    this.#registered = true
    this.#document = undefined
    // Every body arrives raw; routes parse JSON themselves with FastAPI's rules and 422 answers.
    instance.removeAllContentTypeParsers()
    const bodyLimit = this.options.bodyLimit ?? DEFAULT_BODY_LIMIT
    const asIs: FastifyBodyParser<Buffer> = (_request, body, done) => done(null, body)
    // Fastify remembers the parser of a content type it matched by name; the catch-all's is looked up
    // again, content type parsed, on every request. JSON is named so that its lookups are cached.
    instance.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, asIs)
    instance.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, asIs)
    const report = reporter(this.options.logger !== undefined && this.options.logger !== false)
    instance.setErrorHandler(errorAnswer(report, this.#exceptionHandlers))
    instance.setNotFoundHandler((_request, reply) => {
      void reply.code(404).send({ detail: 'Not Found' })
    })
    // The work after the answers (background tasks, cleanup) that closing waits for.
    const inFlight = new InFlight()
    this.#closeGracefully(instance, inFlight)
    if (this.options.cors) await instance.register(fastifyCors, fastifyCorsOptions(this.options.cors))
    useMiddleware(instance, this.#middleware)

    // The methods of each path as the router matches it, whatever its routes call their parameters.
    const ignoreSlash = instance.initialConfig.routerOptions?.ignoreTrailingSlash === true
    const methodsOf = new Map<string, { url: string; methods: Set<string> }>()
    const formRoutes: RouteDefinition[] = []
    for (const route of this.routes) {
      const url = fastifyPath(route.path)
      if (takesForm(route)) formRoutes.push(route)
      else
        instance.route({
          method: route.method,
          url,
          handler: requestHandler(route, this.dependencyOverrides, report, inFlight),
        })
      const key = routerKey(route.path, ignoreSlash)
      const entry = methodsOf.get(key) ?? { url, methods: new Set<string>() }
      entry.methods.add(route.method)
      if (route.method === 'GET') entry.methods.add('HEAD')
      methodsOf.set(key, entry)
    }
    for (const { url, methods } of methodsOf.values()) allowOnly(instance, url, methods)
    if (formRoutes.length > 0) {
      // A context of their own: only these routes parse forms, the others keep their raw bodies.
      void instance.register(async (forms) => {
        await registerFormParsers(forms, bodyLimit)
        for (const route of formRoutes) {
          const handler = requestHandler(route, this.dependencyOverrides, report, inFlight)
          forms.route({ method: route.method, url: fastifyPath(route.path), handler })
        }
      })
    }
    if (this.options.health) serveHealth(instance, this.options.health)
    this.#serveDocs(instance)
  }

  /**
   * On close, runs the lifespan shutdown once the answers in flight are sent (Fastify's close) and the
   * work after them, background tasks and cleanup, is done (or after `shutdownTimeout`): the engine is not
   * disposed under them.
   */
  #closeGracefully(instance: FastifyInstance, inFlight: InFlight): void {
    const { startup, shutdown } = this.options.lifespan ?? {}
    const timeout = this.options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT
    if (startup) instance.addHook('onReady', async () => void (await startup()))
    // Fastify closes the server (no new connection, the answers in flight sent) before this hook runs.
    instance.addHook('onClose', async () => {
      if (!(await inFlight.settled(timeout))) {
        const message = `closing after ${timeout} ms with ${inFlight.count} requests or background tasks still running`
        if (this.options.logger) instance.log.warn(message)
        else console.error(`onemodel: ${message}`)
      }
      if (shutdown) await shutdown()
    })
  }

  #serveDocs(instance: FastifyInstance): void {
    const { openapiUrl = '/openapi.json', docsUrl = '/docs', title = 'onemodel' } = this.options
    if (openapiUrl === null) return
    const json = JSON.stringify(this.openapi())
    instance.get(openapiUrl, (_request, reply) => void reply.type('application/json').send(json))
    allowOnly(instance, openapiUrl, new Set(['GET', 'HEAD']))
    if (docsUrl === null) return
    const prefix = instance.prefix
    const html = docsPage(title, `${prefix}${docsUrl}`, `${prefix}${openapiUrl}`)
    instance.get(docsUrl, (_request, reply) => void reply.type('text/html; charset=utf-8').send(html))
    allowOnly(instance, docsUrl, new Set(['GET', 'HEAD']))
    for (const name of DOCS_ASSETS) {
      instance.get(`${docsUrl}/${name}`, (_request, reply) => {
        const { body, type } = docsAsset(name)
        void reply.type(type).header('cache-control', 'public, max-age=86400').send(body)
      })
    }
  }

  /**
   * The Fastify server of this app, created on first use. Register Fastify plugins (CORS, …) on it.
   * Requests refused before a route runs (a URL the router cannot decode, a request that is not valid
   * HTTP, a timeout, an unmet `Expect`, a missing `Host`, a `CONNECT`) get the same `{"detail"}` answers as
   * the routes' errors.
   */
  get fastify(): FastifyInstance {
    if (!this.#fastify) {
      this.#fastify = Fastify({
        logger: withSafeRequestLog(this.options.logger ?? false),
        bodyLimit: this.options.bodyLimit ?? DEFAULT_BODY_LIMIT,
        frameworkErrors: answerFrameworkError,
        clientErrorHandler: answerClientError,
        // node:http answers a missing Host with an empty 400 of its own; requireHost answers it instead.
        http: { requireHostHeader: false },
        // Fastify turns node:http's request timeout off, so a body that trickles in would hold its
        // connection forever; node's own default brings the 408 back.
        requestTimeout: REQUEST_TIMEOUT,
        ...this.options.fastify,
        routerOptions: { ignoreTrailingSlash: true, ...this.options.fastify?.routerOptions },
      })
      this.#fastify.server.on('checkExpectation', answerExpectationFailed)
      this.#fastify.server.on('connect', answerConnect)
      this.#fastify.addHook('onRequest', requireHost)
      void this.#fastify.register(this.plugin)
    }
    return this.#fastify
  }

  /** Runs the lifespan startup and readies the routes, without listening. */
  async ready(): Promise<this> {
    await this.fastify.ready()
    return this
  }

  /** Sends a request without a socket (Fastify's `inject`), for fast tests. */
  inject(options: InjectOptions | string): Promise<LightMyRequestResponse> {
    return this.fastify.inject(options)
  }

  /**
   * Starts serving and returns the address. On SIGINT or SIGTERM the app closes gracefully, as
   * {@link App.close} does.
   *
   * @example
   * await app.listen({ port: Number(process.env.PORT ?? 8000) })
   */
  async listen(options: ListenOptions = {}): Promise<string> {
    const address = await this.fastify.listen({
      port: options.port ?? 8000,
      host: options.host ?? '127.0.0.1',
    })
    for (const signal of options.signals === false ? [] : (options.signals ?? ['SIGINT', 'SIGTERM'])) {
      const listener = (): void => {
        this.fastify.log.info(`${signal}: closing after the requests in flight`)
        void this.close()
      }
      process.once(signal, listener)
      this.#signals.push({ signal, listener })
    }
    return address
  }

  /**
   * Closes gracefully: stops accepting connections, lets the requests in flight finish with their
   * background tasks and dependencies' cleanup (up to `shutdownTimeout`), then runs the lifespan shutdown.
   */
  async close(): Promise<void> {
    for (const { signal, listener } of this.#signals) process.removeListener(signal, listener)
    this.#signals = []
    const fastify = this.#fastify
    if (!fastify) return
    // Closing the server closes the keep-alive connections idle at that moment; one busy with a request
    // then would stay open after its answer until keepAliveTimeout (72 s), and the close with it. So while
    // the close waits, close each connection as soon as its answer is sent.
    const reaper = setInterval(() => fastify.server.closeIdleConnections(), 20)
    try {
      await fastify.close()
    } finally {
      clearInterval(reaper)
    }
  }
}

/**
 * Creates an app (FastAPI's `app = FastAPI()`).
 *
 * @example
 * const app = createApp({ title: 'Heroes API', lifespan: { startup: () => createAll(engine) } })
 * app.get('/heroes/{hero_id}', { params: { hero_id: path.integer(), session: getSession }, response: HeroPublic },
 *   async function readHero({ hero_id, session }) {
 *     return (await session.get(Hero, hero_id)) ?? HTTPError.raise(404, 'Hero not found')
 *   })
 * await app.listen({ port: 8000 })
 */
export function createApp<D extends readonly Dependency<any, any>[] = []>(
  options?: AppOptions & { dependencies?: D },
): App<DependencyInputs<D>> {
  return new App(options)
}
