/**
 * The App (FastAPI's `FastAPI()`): the routes declared on it and the checks they pass, middleware and
 * exception handlers, its OpenAPI document, and its Fastify server, which it readies, listens on and closes.
 * What it registers on Fastify is app-plugin.ts; its options are app-options.ts.
 */
import Fastify, { type FastifyInstance, type InjectOptions, type LightMyRequestResponse } from 'fastify'
import { RouteDefinitionError } from '../errors.ts'
import { DEFAULT_BODY_LIMIT, type AppOptions, type ListenOptions } from './app-options.ts'
import { mountApp } from './app-plugin.ts'
import { DependencyOverrides, type Dependency } from './depends.ts'
import { ExceptionHandlers, type ErrorClass, type ExceptionHandler } from './exception-handlers.ts'
import { healthOpenApiPaths, healthPaths } from './health.ts'
import type { Middleware } from './middleware.ts'
import { openApiDocument } from './openapi.ts'
import {
  answerClientError,
  answerConnect,
  answerExpectationFailed,
  answerFrameworkError,
  requireHost,
} from './protocol-errors.ts'
import { withSafeRequestLog } from './report.ts'
import { Router } from './api-router.ts'
import type { DependencyInputs } from './route-types.ts'
import type { RouteDefinition } from './route.ts'
import { checkPathParams, planRoute } from './route-plan.ts'
import { routerKey } from './router.ts'

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
    await mountApp(instance, {
      options: this.options,
      routes: this.routes,
      dependencyOverrides: this.dependencyOverrides,
      middleware: this.#middleware,
      exceptionHandlers: this.#exceptionHandlers,
      openapi: () => this.openapi(),
    })
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
