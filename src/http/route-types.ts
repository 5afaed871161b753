/**
 * The routes of an app or router, at the type level only: each `get()`, `post()`, … and `include()` returns
 * the router typed with one more route, so `typeof app` carries every path, method, input and answer.
 * A typed client reads them (`createClient<typeof app>()` from `onemodel-ts/client`); nothing here exists
 * at runtime.
 */
import type { Model } from '../model/model.ts'
import type { Dependency } from './depends.ts'
import type { Params } from './params.ts'
import type { ListOf } from './response.ts'
import type { HttpMethod } from './route.ts'

/**
 * One route as a client sees it: `params` holds every request input of the route, of its dependencies and
 * of its routers' dependencies (path, query, header, cookie, body, form and file parameters, by the
 * handler's names), and `output` is the type of the value the handler gives or the response model keeps.
 */
export interface Endpoint<L = unknown, Output = unknown, Status extends number = number> {
  readonly params: L
  readonly output: Output
  readonly status: Status
}

/**
 * Routes by path, then by method: `{ '/heroes/{hero_id}': { GET: Endpoint<…>, DELETE: Endpoint<…> } }`.
 *
 * @example
 * type Routes = RoutesOf<typeof app> // what createClient<typeof app>() reads
 */
export type RouteMap = { readonly [path: string]: { readonly [M in HttpMethod]?: Endpoint } }

/**
 * The type-only mark of the routes a router holds. Each declaration intersects one more, so the
 * property's type is the intersection of all the router's routes.
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

/** The route of `Path` and `Method`, as a router holds it. */
export type RouteEntry<Path extends string, Method extends HttpMethod, E> = {
  readonly [P in Path]: { readonly [M in Method]: E }
}

/**
 * The request inputs of `P`: its own parameters and, recursively, those of the dependencies it names, all
 * of which a request must carry.
 */
export type InputParams<P> = Simplify<
  { [K in keyof P as P[K] extends Dependency<any, any> ? never : K]: P[K] } & UnionToIntersection<
    { [K in keyof P]: P[K] extends Dependency<any, infer Inner> ? InputParams<Inner> : never }[keyof P]
  >
>

/** The request inputs of a `dependencies: [...]` list (a route's, a router's or an include's). */
export type DependencyInputs<D> = D extends readonly (infer Item)[]
  ? UnionToIntersection<Item extends Dependency<any, infer Inner> ? InputParams<Inner> : never>
  : {}

/** The routes `E` of an included router, under `Prefix` and needing the inputs `Extra` besides their own. */
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
> = Self &
  WithRoutes<
    RouteEntry<
      Path,
      Method,
      Endpoint<Simplify<InputParams<P> & DependencyInputs<D> & Shared>, AnswerOf<R, T>, Status>
    >
  >

/** What a route answers: the response model's type (a list of it), else what the handler resolves to. */
export type AnswerOf<R, T> =
  R extends ListOf<infer M> ? M['Type'][] : R extends Model ? R['Type'] : Awaited<T>

/** The prefix a `createRouter()` options type names, `''` without one. */
export type PrefixOf<O> = O extends { readonly prefix: infer Prefix extends string } ? Prefix : ''

type UnionToIntersection<U> = [U] extends [never]
  ? {}
  : (U extends unknown ? (union: U) => void : never) extends (intersection: infer I) => void
    ? I
    : never

type Simplify<T> = { [K in keyof T]: T[K] } & {}
