/**
 * Routers (FastAPI's `APIRouter`, "Bigger Applications"): routes declared in their own module, with a
 * prefix, tags, dependencies and documented responses that apply to all of them, then included into an
 * app or another router.
 */
import { RouteDefinitionError } from '../errors.ts'
import type { Dependency } from './depends.ts'
import type { Params } from './params.ts'
import type { ResponseModel } from './response.ts'
import {
  planRoute,
  type ExtraResponses,
  type Handler,
  type HttpMethod,
  type RouteDefinition,
  type RouteOptions,
} from './route.ts'

/**
 * What a router, or one include of it, gives every route it holds.
 *
 * @example
 * createRouter({ prefix: '/items', tags: ['items'], dependencies: [verifyToken], responses: { 404: { model: Message } } })
 */
export interface RouterOptions {
  /** Put before each route's path: `/items` makes `/{item_id}` into `/items/{item_id}`. No trailing slash. */
  prefix?: string
  /** Put before each route's own tags. */
  tags?: readonly string[]
  /** Run for every request, before the route's own, cleanup included; their values go nowhere. */
  dependencies?: readonly Dependency<any, any>[]
  /** Documented answers of every route; a route's own answer for the same status wins. */
  responses?: ExtraResponses
  /** `false` leaves every route out of the OpenAPI document. */
  includeInSchema?: boolean
}

/**
 * A group of routes (FastAPI's `APIRouter`), typed as the app's. Include it with `app.include(router)`;
 * the include copies the routes it holds then, so a router takes no routes once included: adding one
 * throws, rather than leaving it silently out of the app as FastAPI does.
 *
 * @example
 * const users = createRouter({ prefix: '/users', tags: ['users'] })
 * users.get('/{username}', { params: { username: path.string() } }, ({ username }) => ({ username }))
 * app.include(users)
 */
export class Router {
  readonly #options: Readonly<RouterOptions>
  readonly #routes: RouteDefinition[] = []
  #included = false

  constructor(options: RouterOptions = {}) {
    checkPrefix(options.prefix)
    this.#options = Object.freeze({ ...options })
  }

  /** Adds a GET route (HEAD is answered too). */
  get<const P extends Params = {}, R extends ResponseModel | undefined = undefined>(
    path: string,
    options: RouteOptions<P, R>,
    handler: Handler<P, R>,
  ): this {
    return this.route('GET', path, options, handler)
  }

  /** Adds a POST route. */
  post<const P extends Params = {}, R extends ResponseModel | undefined = undefined>(
    path: string,
    options: RouteOptions<P, R>,
    handler: Handler<P, R>,
  ): this {
    return this.route('POST', path, options, handler)
  }

  /** Adds a PUT route. */
  put<const P extends Params = {}, R extends ResponseModel | undefined = undefined>(
    path: string,
    options: RouteOptions<P, R>,
    handler: Handler<P, R>,
  ): this {
    return this.route('PUT', path, options, handler)
  }

  /** Adds a PATCH route. */
  patch<const P extends Params = {}, R extends ResponseModel | undefined = undefined>(
    path: string,
    options: RouteOptions<P, R>,
    handler: Handler<P, R>,
  ): this {
    return this.route('PATCH', path, options, handler)
  }

  /** Adds a DELETE route. */
  delete<const P extends Params = {}, R extends ResponseModel | undefined = undefined>(
    path: string,
    options: RouteOptions<P, R>,
    handler: Handler<P, R>,
  ): this {
    return this.route('DELETE', path, options, handler)
  }

  /**
   * Adds a route for `method`; `path` is a template with `{name}` parameters, as in OpenAPI, and may be
   * `''` under a prefix (the prefix alone).
   */
  route<const P extends Params = {}, R extends ResponseModel | undefined = undefined>(
    method: HttpMethod,
    path: string,
    options: RouteOptions<P, R>,
    handler: Handler<P, R>,
  ): this {
    if (!(path === '' ? this.#options.prefix : path.startsWith('/'))) {
      throw new RouteDefinitionError(`${method} ${path || "''"}: a path starts with '/'.`)
    }
    // The definition's types are the widest: each route's own are checked where it is declared.
    this.add({ method, path, options, handler } as unknown as RouteDefinition)
    return this
  }

  /**
   * Adds the routes of `router` (FastAPI's `include_router`), under `options` besides the router's own:
   * prefixes join, tags and dependencies accumulate, outer ones first.
   *
   * @example
   * const items = createRouter({ prefix: '/items', tags: ['items'], dependencies: [verifyToken] })
   * items.get('/{item_id}', { params: { item_id: path.string() } }, readItem)
   * app.include(items, { prefix: '/api' }) // GET /api/items/{item_id}, tagged and checked
   */
  include(router: Router, options: RouterOptions = {}): this {
    if (router === this) throw new RouteDefinitionError('A router cannot include itself.')
    checkPrefix(options.prefix)
    router.#included = true
    for (const route of router.#routes) this.add(underRouter(route, options))
    return this
  }

  /** Keeps `route` under this router's options, once checked. */
  protected add(route: RouteDefinition): void {
    if (this.#included) {
      throw new RouteDefinitionError(
        `${route.method} ${route.path}: the router was included already, and an include copies the routes a router holds then. Add its routes before including it.`,
      )
    }
    const placed = underRouter(route, this.#options)
    this.check(placed)
    this.#routes.push(placed)
  }

  /**
   * Refuses two body() parameters, or a value that is not a parameter, when the route is declared rather
   * than when the app starts. Path parameters are checked by the app: an include may still prefix the path
   * with a parameter.
   */
  protected check(route: RouteDefinition): void {
    planRoute(route, new Map())
  }

  /** The routes added so far. */
  protected get routes(): readonly RouteDefinition[] {
    return this.#routes
  }
}

/** FastAPI's rule: a prefix starts with '/' and does not end with one. */
function checkPrefix(prefix: string | undefined): void {
  if (prefix === undefined || prefix === '') return
  if (!prefix.startsWith('/') || prefix.endsWith('/')) {
    throw new RouteDefinitionError(`The prefix '${prefix}' must start with '/' and not end with '/'.`)
  }
}

/** `route` as a router with `options` holds it: prefixed, with the router's tags, dependencies and answers first. */
function underRouter(route: RouteDefinition, options: RouterOptions): RouteDefinition {
  const { prefix = '', tags = [], dependencies = [], responses = {}, includeInSchema } = options
  const own = route.options
  return {
    ...route,
    path: `${prefix}${route.path}`,
    options: {
      ...own,
      tags: [...tags, ...(own.tags ?? [])],
      dependencies: [...dependencies, ...(own.dependencies ?? [])],
      responses: { ...responses, ...own.responses },
      includeInSchema: includeInSchema === false ? false : own.includeInSchema,
    },
  }
}

/**
 * Creates a router (FastAPI's `APIRouter()`): declare routes on it as on the app, then
 * `app.include(router)`.
 *
 * @example
 * const heroes = createRouter({ prefix: '/heroes', tags: ['heroes'], responses: { 404: { description: 'Not found' } } })
 * heroes.get('/{hero_id}', { params: { hero_id: path.integer(), session: getSession }, response: HeroPublic },
 *   async function readHero({ hero_id, session }) {
 *     return (await session.get(Hero, hero_id)) ?? HTTPError.raise(404, 'Hero not found')
 *   })
 * app.include(heroes)
 */
export function createRouter(options?: RouterOptions): Router {
  return new Router(options)
}
