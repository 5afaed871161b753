/**
 * The app as a Fastify plugin (`app.plugin`): what it registers on the Fastify instance it is mounted on,
 * its own server's or yours. Raw body parsers, the error and 404 answers, lifespan hooks, CORS and
 * middleware, the routes with their 405s, the form routes' own context, health endpoints and the docs.
 */
import type { FastifyBodyParser, FastifyInstance } from 'fastify'
import fastifyCors from '@fastify/cors'
import { DEFAULT_BODY_LIMIT, DEFAULT_SHUTDOWN_TIMEOUT, type AppOptions } from './app-options.ts'
import { fastifyCorsOptions } from './cors.ts'
import type { DependencyOverrides } from './depends.ts'
import { DOCS_ASSETS, docsAsset, docsPage } from './docs.ts'
import { errorAnswer } from './error-answer.ts'
import type { ExceptionHandlers } from './exception-handlers.ts'
import { serveHealth } from './health.ts'
import { useMiddleware, type Middleware } from './middleware.ts'
import { reporter } from './report.ts'
import { requestHandler } from './request-handler.ts'
import type { RouteDefinition } from './route.ts'
import { allowOnly, fastifyPath, routerKey } from './router.ts'
import { InFlight } from './shutdown.ts'
import { registerFormParsers, takesForm } from './uploads.ts'

/** What mounting reads of an app: its options, routes and overrides, and what the App keeps private. */
export interface MountedApp {
  readonly options: Readonly<AppOptions>
  readonly routes: readonly RouteDefinition[]
  readonly dependencyOverrides: DependencyOverrides
  readonly middleware: readonly Middleware[]
  readonly exceptionHandlers: ExceptionHandlers
  /** The app's OpenAPI document, as `App.openapi()` makes it. */
  openapi(): Record<string, unknown>
}

/** Registers `app` on `instance`: the body of `App.plugin`, run once per instance the app is mounted on. */
export async function mountApp(instance: FastifyInstance, app: MountedApp): Promise<void> {
  // Every body arrives raw; routes parse JSON themselves with FastAPI's rules and 422 answers.
  instance.removeAllContentTypeParsers()
  const bodyLimit = app.options.bodyLimit ?? DEFAULT_BODY_LIMIT
  const asIs: FastifyBodyParser<Buffer> = (_request, body, done) => done(null, body)
  // Fastify remembers the parser of a content type it matched by name; the catch-all's is looked up
  // again, content type parsed, on every request. JSON is named so that its lookups are cached.
  instance.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, asIs)
  instance.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, asIs)
  const report = reporter(app.options.logger !== undefined && app.options.logger !== false)
  instance.setErrorHandler(errorAnswer(report, app.exceptionHandlers))
  instance.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send({ detail: 'Not Found' })
  })
  // The work after the answers (background tasks, cleanup) that closing waits for.
  const inFlight = new InFlight()
  closeGracefully(instance, inFlight, app)
  if (app.options.cors) await instance.register(fastifyCors, fastifyCorsOptions(app.options.cors))
  useMiddleware(instance, app.middleware)

  // The methods of each path as the router matches it, whatever its routes call their parameters.
  const ignoreSlash = instance.initialConfig.routerOptions?.ignoreTrailingSlash === true
  const methodsOf = new Map<string, { url: string; methods: Set<string> }>()
  const formRoutes: RouteDefinition[] = []
  for (const route of app.routes) {
    const url = fastifyPath(route.path)
    if (takesForm(route)) formRoutes.push(route)
    else
      instance.route({
        method: route.method,
        url,
        handler: requestHandler(route, app.dependencyOverrides, report, inFlight),
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
        const handler = requestHandler(route, app.dependencyOverrides, report, inFlight)
        forms.route({ method: route.method, url: fastifyPath(route.path), handler })
      }
    })
  }
  if (app.options.health) serveHealth(instance, app.options.health)
  serveDocs(instance, app)
}

/**
 * On close, runs the lifespan shutdown once the answers in flight are sent (Fastify's close) and the
 * work after them, background tasks and cleanup, is done (or after `shutdownTimeout`): the engine is not
 * disposed under them.
 */
function closeGracefully(instance: FastifyInstance, inFlight: InFlight, app: MountedApp): void {
  const { startup, shutdown } = app.options.lifespan ?? {}
  const timeout = app.options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT
  if (startup) instance.addHook('onReady', async () => void (await startup()))
  // Fastify closes the server (no new connection, the answers in flight sent) before this hook runs.
  instance.addHook('onClose', async () => {
    if (!(await inFlight.settled(timeout))) {
      const message = `closing after ${timeout} ms with ${inFlight.count} requests or background tasks still running`
      if (app.options.logger) instance.log.warn(message)
      else console.error(`onemodel: ${message}`)
    }
    if (shutdown) await shutdown()
  })
}

/** Serves the OpenAPI document and Swagger UI with its assets, at the URLs of the options. */
function serveDocs(instance: FastifyInstance, app: MountedApp): void {
  const { openapiUrl = '/openapi.json', docsUrl = '/docs', title = 'onemodel' } = app.options
  if (openapiUrl === null) return
  const json = JSON.stringify(app.openapi())
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
