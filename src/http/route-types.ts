/**
 * The routes of an app or router, at the type level only: each `get()`, `post()`, … and `include()` returns
 * the router typed with one more route, so `typeof app` carries every path, method, input and answer.
 * A typed client reads them (`createClient<typeof app>()` from `onemodel-ts/client`); nothing here exists
 * at runtime.
 */
import type { Simplify, UnionToIntersection } from '../model/types.ts'
import type { Model } from '../model/model.ts'
import type { Dependency } from './depends.ts'
import type { Params } from './params.ts'
import type { ListOf } from './response.ts'
import type { App } from './app.ts'
import type { Router } from './api-router.ts'
import type { HttpMethod } from './route.ts'

/**
 * One route as a client sees it: `params` holds every request input of the route, of its dependencies and
 * of its routers' dependencies (path, query, header, cookie, body, form and file parameters, by the
 * handler's names), and `output` is the type of the value the handler gives or the response model keeps.
 *
 * @example
 * type ReadHero = RoutesOf<typeof api>['/heroes/{hero_id}']['GET'] // an Endpoint
 * type Answer = ReadHero['output'] // HeroPublic's type
 */
export interface Endpoint<L = unknown, Output = unknown, Status extends number = number> {
  readonly params: L
  readonly output: Output
  readonly status: Status
}

/**
 * The type-only mark of the routes a router holds. Each declaration intersects one more, so the
 * property's type is the intersection of all the router's routes.
 *
 * @example
 * // Any app or router is one; `RoutesOf` reads the property.
 * const typed: WithRoutes<RoutesOf<typeof api>> = api
 */
export interface WithRoutes<Routes> {
  readonly '~routes': Routes
}

/**
 * The routes of an app or router type: what a typed client can call.
 *
 * @example
 * const api = createApp().get('/ping', {}, () => ({ pong: true }))
 * type Routes = RoutesOf<typeof api> // { '/ping': { GET: Endpoint<{}, { pong: boolean }, 200> } }
 */
export type RoutesOf<A> = A extends WithRoutes<infer Routes> ? Routes : never

/**
 * The route of `Path` and `Method`, as a router holds it.
 *
 * @example
 * type Ping = RouteEntry<'/ping', 'GET', Endpoint<{}, { pong: boolean }, 200>>
 */
export type RouteEntry<Path extends string, Method extends HttpMethod, E> = {
  readonly [P in Path]: { readonly [M in Method]: E }
}

/**
 * The request inputs of `P`: its own parameters and, recursively, those of the dependencies it names, all
 * of which a request must carry.
 *
 * @example
 * const page = depends({ limit: query.integer({ default: 100 }) }, ({ limit }) => limit)
 * type Inputs = InputParams<{ id: Param<number, 'path'>; page: typeof page }> // { id: …; limit: … }
 */
export type InputParams<P> = Simplify<
  { [K in keyof P as P[K] extends Dependency<any, any> ? never : K]: P[K] } & UnionToIntersection<
    { [K in keyof P]: P[K] extends Dependency<any, any> ? DependencyInput<P[K]> : never }[keyof P]
  >
>

/**
 * What one dependency reads from the request: its parameters' inputs, and what a security scheme reads
 * by itself (an API key in the query or a cookie).
 */
type DependencyInput<D> =
  D extends Dependency<any, infer Inner>
    ? InputParams<Inner> & (D extends { readonly '~inputs': infer Own } ? Own : {})
    : never

/**
 * The request inputs of a `dependencies: [...]` list (a route's, a router's or an include's).
 *
 * @example
 * type Token = DependencyInputs<[typeof verifyToken]> // { x_token: Param<string, 'header'> }
 */
export type DependencyInputs<D> = D extends readonly (infer Item)[]
  ? UnionToIntersection<Item extends Dependency<any, any> ? DependencyInput<Item> : never>
  : {}

/**
 * The routes `E` of an included router, under `Prefix` and needing the inputs `Extra` besides their own.
 *
 * @example
 * // What `app.include(heroes, { prefix: '/v1' })` adds, for a router without dependencies:
 * type V1 = Included<RoutesOf<typeof heroes>, '/v1', {}>
 */
export type Included<E, Prefix extends string, Extra> = {
  readonly [P in keyof E as `${Prefix}${P & string}`]: {
    readonly [M in keyof E[P]]: E[P][M] extends Endpoint<infer L, infer Output, infer Status>
      ? Endpoint<Simplify<L & Extra>, Output, Status>
      : never
  }
}

/**
 * The router `Self` with one more route: `Method` on `Path`, taking the inputs of its parameters `P`, of
 * its dependencies `D` and of its routers' (`Shared`), answering `Status` with what response model `R`
 * keeps of the handler's result `T` (all of `T` without a response model).
 *
 * @example
 * // What `createApp().get('/ping', {}, () => ({ pong: true }))` is typed as:
 * type Api = WithRoute<App, '/ping', 'GET', {}, undefined, { pong: boolean }, [], 200, {}>
 */
export type WithRoute<
  Self,
  Path extends string,
  Method extends HttpMethod,
  P,
  R,
  T,
  D,
  Status extends number,
  Shared,
> = Rebind<
  Self,
  RoutesOf<Self> &
    RouteEntry<
      Path,
      Method,
      Endpoint<Simplify<InputParams<P> & DependencyInputs<D> & Shared>, AnswerOf<R, T>, Status>
    >
>

/**
 * The app or router type `Self`, holding `Routes`. The routes are a type argument, not an intersection
 * with `Self`: a chain of a hundred routes stays one flat type instead of a hundred nested ones, which
 * TypeScript would refuse as "excessively deep".
 *
 * @example
 * type Bigger = Rebind<typeof app, RoutesOf<typeof app> & RouteEntry<'/ping', 'GET', Endpoint>>
 */
export type Rebind<Self, Routes> = Self extends { readonly '~app': true; readonly '~shared': infer Shared }
  ? App<Shared, Routes>
  : Self extends { readonly '~prefix': infer Prefix extends string; readonly '~shared': infer Shared }
    ? Router<Prefix, Shared, Routes>
    : never

/**
 * What a route answers: the response model's type (a list of it), else what the handler resolves to.
 *
 * @example
 * type One = AnswerOf<typeof HeroPublic, unknown> // HeroPublic's type
 * type Plain = AnswerOf<undefined, Promise<{ ok: boolean }>> // { ok: boolean }
 */
export type AnswerOf<R, T> =
  R extends ListOf<infer M> ? M['Type'][] : R extends Model ? R['Type'] : Awaited<T>

/**
 * The prefix a `createRouter()` or `include()` options type names: `''` without one, and any path
 * (`string`) when the type does not say which, so that no call is refused or allowed by a wrong guess.
 *
 * @example
 * type P = PrefixOf<{ prefix: '/items' }> // '/items'
 */
export type PrefixOf<O> = 'prefix' extends keyof O
  ? O extends { readonly prefix?: infer Prefix }
    ? [Prefix] extends [undefined]
      ? ''
      : [Prefix] extends [string]
        ? string extends Prefix
          ? string
          : Prefix
        : string
    : ''
  : ''
