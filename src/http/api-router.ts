/**
 * Routers (FastAPI's `APIRouter`, "Bigger Applications"): routes declared in their own module, with a
 * prefix, tags, dependencies and documented responses that apply to all of them, then included into an
 * app or another router.
 */
import { RouteDefinitionError } from '../errors.ts'
import type { Dependency } from './depends.ts'
import type { Params } from './params.ts'
import type { ResponseModel } from './response.ts'
import type {
  ExtraResponses,
  Handler,
  HandlerResult,
  HttpMethod,
  RouteDefinition,
  RouteOptions,
} from './route.ts'
import { planRoute } from './route-plan.ts'
import type {
  DependencyInputs,
  Included,
  PrefixOf,
  Rebind,
  RoutesOf,
  WithRoute,
  WithRoutes,
} from './route-types.ts'

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
 * What a route's options type gives its route's type: the dependencies whose inputs a client sends, and
 * the success status.
 */
interface Typing<D, S> {
  readonly dependencies?: D
  readonly status?: S
}

/**
 * A group of routes (FastAPI's `APIRouter`), typed as the app's. Include it with `app.include(router)`;
 * the include copies the routes it holds then, so a router takes no routes once included: adding one
 * throws, rather than leaving it silently out of the app as FastAPI does.
 *
 * Each declaration returns the router typed with one more route: declare them in a chain (or include
 * routers in one) and `typeof` it is what a typed client calls. `Prefix` is the router's own prefix,
 * `Shared` the inputs its dependencies read from every request.
 *
 * @example
 * export const users = createRouter({ prefix: '/users', tags: ['users'] })
 *   .get('/{username}', { params: { username: path.string() } }, ({ username }) => ({ username }))
 * app.include(users)
 */
export class Router<Prefix extends string = string, Shared = {}, Routes = {}> implements WithRoutes<Routes> {
  // Type-only, absent at runtime: the routes' types for a typed client (`RoutesOf<typeof app>`), and what
  // the next route's type needs, the prefix and the inputs of the router's dependencies.
  declare readonly '~routes': Routes
  declare readonly '~prefix': Prefix
  declare readonly '~shared': Shared
  readonly #options: Readonly<RouterOptions>
  readonly #routes: RouteDefinition[] = []
  #included = false

  constructor(options: RouterOptions = {}) {
    checkPrefix(options.prefix)
    this.#options = Object.freeze({ ...options })
  }

  /** Adds a GET route (HEAD is answered too). */
  get<
    const Path extends string,
    const P extends Params = {},
    R extends ResponseModel | undefined = undefined,
    T extends HandlerResult<R> = HandlerResult<R>,
    D extends readonly Dependency<any, any>[] = [],
    S extends number = 200,
  >(
    path: Path,
    options: RouteOptions<P, R> & Typing<D, S>,
    handler: Handler<P, R, T>,
  ): WithRoute<this, `${Prefix}${Path}`, 'GET', P, R, T, D, S, Shared> {
    return this.route('GET', path, options, handler)
  }

  /** Adds a POST route. */
  post<
    const Path extends string,
    const P extends Params = {},
    R extends ResponseModel | undefined = undefined,
    T extends HandlerResult<R> = HandlerResult<R>,
    D extends readonly Dependency<any, any>[] = [],
    S extends number = 200,
  >(
    path: Path,
    options: RouteOptions<P, R> & Typing<D, S>,
    handler: Handler<P, R, T>,
  ): WithRoute<this, `${Prefix}${Path}`, 'POST', P, R, T, D, S, Shared> {
    return this.route('POST', path, options, handler)
  }

  /** Adds a PUT route. */
  put<
    const Path extends string,
    const P extends Params = {},
    R extends ResponseModel | undefined = undefined,
    T extends HandlerResult<R> = HandlerResult<R>,
    D extends readonly Dependency<any, any>[] = [],
    S extends number = 200,
  >(
    path: Path,
    options: RouteOptions<P, R> & Typing<D, S>,
    handler: Handler<P, R, T>,
  ): WithRoute<this, `${Prefix}${Path}`, 'PUT', P, R, T, D, S, Shared> {
    return this.route('PUT', path, options, handler)
  }

  /** Adds a PATCH route. */
  patch<
    const Path extends string,
    const P extends Params = {},
    R extends ResponseModel | undefined = undefined,
    T extends HandlerResult<R> = HandlerResult<R>,
    D extends readonly Dependency<any, any>[] = [],
    S extends number = 200,
  >(
    path: Path,
    options: RouteOptions<P, R> & Typing<D, S>,
    handler: Handler<P, R, T>,
  ): WithRoute<this, `${Prefix}${Path}`, 'PATCH', P, R, T, D, S, Shared> {
    return this.route('PATCH', path, options, handler)
  }

  /** Adds a DELETE route. */
  delete<
    const Path extends string,
    const P extends Params = {},
    R extends ResponseModel | undefined = undefined,
    T extends HandlerResult<R> = HandlerResult<R>,
    D extends readonly Dependency<any, any>[] = [],
    S extends number = 200,
  >(
    path: Path,
    options: RouteOptions<P, R> & Typing<D, S>,
    handler: Handler<P, R, T>,
  ): WithRoute<this, `${Prefix}${Path}`, 'DELETE', P, R, T, D, S, Shared> {
    return this.route('DELETE', path, options, handler)
  }

  /**
   * Adds a route for `method`; `path` is a template with `{name}` parameters, as in OpenAPI, and may be
   * `''` under a prefix (the prefix alone). Returns the router, typed with the route for a typed client.
   */
  route<
    M extends HttpMethod,
    const Path extends string,
    const P extends Params = {},
    R extends ResponseModel | undefined = undefined,
    T extends HandlerResult<R> = HandlerResult<R>,
    D extends readonly Dependency<any, any>[] = [],
    S extends number = 200,
  >(
    method: M,
    path: Path,
    options: RouteOptions<P, R> & Typing<D, S>,
    handler: Handler<P, R, T>,
  ): WithRoute<this, `${Prefix}${Path}`, M, P, R, T, D, S, Shared> {
    if (!(path === '' ? this.#options.prefix : path.startsWith('/'))) {
      throw new RouteDefinitionError(`${method} ${path || "''"}: a path starts with '/'.`)
    }
    // The definition's types are the widest: each route's own are checked where it is declared.
    this.add({ method, path, options, handler } as unknown as RouteDefinition)
    // The routes' types exist only in the type: the router is returned, typed with one more route.
    return this as unknown as WithRoute<this, `${Prefix}${Path}`, M, P, R, T, D, S, Shared>
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
  include<Other extends WithRoutes<unknown>, const O extends RouterOptions = {}>(
    router: Other,
    options?: O,
  ): Rebind<this, Routes & Included<RoutesOf<Other>, `${Prefix}${PrefixOf<O>}`, IncludeInputs<O> & Shared>> {
    // Typed by its routes only: a router's type with routes is not assignable to a plain Router's.
    if (!(router instanceof Router)) {
      throw new RouteDefinitionError('include() takes a router: make one with createRouter().')
    }
    if (Object.is(router, this)) throw new RouteDefinitionError('A router cannot include itself.')
    checkPrefix(options?.prefix)
    router.#included = true
    for (const route of router.#routes) this.add(underRouter(route, options ?? {}))
    // As in route(): the included routes' types exist only in the type.
    return this as unknown as Rebind<
      this,
      Routes & Included<RoutesOf<Other>, `${Prefix}${PrefixOf<O>}`, IncludeInputs<O> & Shared>
    >
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
export function createRouter<const O extends RouterOptions = {}>(
  options?: O,
): Router<PrefixOf<O>, IncludeInputs<O>> {
  return new Router(options)
}

/** The request inputs of the dependencies a router's or an include's options name. */
type IncludeInputs<O> = O extends { readonly dependencies: infer D } ? DependencyInputs<D> : {}
