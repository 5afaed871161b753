/**
 * What a typed client sends and receives for each route of an app type, read from the route's parameters
 * and its response model: the request inputs by where they go (path, query, headers, cookies, a JSON body
 * or a form), and the answer as JSON gives it back. Type-only.
 */
import type { Simplify, UnionToIntersection } from '../model/types.ts'
import type { Model } from '../model/model.ts'
import type { BodyParam, FormModelParam, Location, Param } from '../http/params.ts'
import type { HttpMethod } from '../http/route.ts'
import type { Endpoint } from '../http/route-types.ts'
import type { StreamedResponse } from '../http/streams.ts'
import type { FileParam } from '../http/uploads.ts'

/**
 * A value a client may send in a header or a query string; a `Date` is sent as its ISO string.
 *
 * @example
 * const query: Record<string, WireScalar> = { since: new Date(), verbose: true, limit: 10 }
 */
export type WireScalar = string | number | boolean | Date

/**
 * The paths of `Routes` that have a route for `Method` a client can call: a GET route that reads a body or
 * a form is left out, since fetch sends no body with a GET.
 *
 * @example
 * type Readable = PathsWith<RoutesOf<typeof app>, 'GET'> // '/heroes/' | '/heroes/{hero_id}'
 */
export type PathsWith<Routes, Method extends HttpMethod> = {
  [P in keyof Routes]: Method extends keyof Routes[P]
    ? Method extends 'GET'
      ? Routes[P][Method] extends Endpoint<infer L>
        ? [BodyOf<L>] extends [never]
          ? keyof FormOf<L> extends never
            ? P
            : never
          : never
        : never
      : P
    : never
}[keyof Routes] &
  string

/**
 * The route of `Path` and `Method` in `Routes`.
 *
 * @example
 * type ReadHero = EndpointAt<RoutesOf<typeof api>, '/heroes/{hero_id}', 'GET'>
 */
export type EndpointAt<Routes, Path, Method extends HttpMethod> = Path extends keyof Routes
  ? Method extends keyof Routes[Path]
    ? Routes[Path][Method]
    : never
  : never

/**
 * The second argument of a client call: each section a route reads, required when the route requires
 * one of its values. `signal` aborts the request; `headers` may carry any header besides the declared ones
 * (a token, for a security scheme).
 *
 * @example
 * // GET /heroes/{hero_id}?verbose=…, with a declared `x-token` header
 * const input: RequestInput<Endpoint> = { path: { hero_id: 1 }, query: { verbose: true }, headers: { 'x-token': 'secret' } }
 */
export type RequestInput<E> =
  E extends Endpoint<infer L>
    ? Section<'path', Located<L, 'path'>> &
        Section<'query', Located<L, 'query'>> &
        HeaderSection<Located<L, 'header'>> &
        Section<'cookies', Partial<Located<L, 'cookie'>>> &
        BodySection<L> &
        Section<'form', FormOf<L>> & { readonly signal?: AbortSignal }
    : never

/**
 * The rest arguments of a call: the input may be left out when nothing in it is required.
 *
 * @example
 * type Args = InputArgs<ReadHero> // [input: { path: { hero_id: number }; … }]
 */
export type InputArgs<E> = {} extends RequestInput<E> ? [input?: RequestInput<E>] : [input: RequestInput<E>]

/**
 * What a call resolves to: the answer's JSON (dates as strings), `undefined` for a 204, and the fetch
 * `Response` itself for a stream (a file download, server-sent events).
 *
 * @example
 * type Hero = ResponseOf<ReadHero> // { id: number; name: string; … }, dates as strings
 */
export type ResponseOf<E> =
  E extends Endpoint<any, infer Output, infer Status>
    ? Status extends 204 | 304
      ? undefined
      : Answered<Output>
    : never

/** A handler's result as the client gets it: a stream's Response, `null` for nothing (the app sends `null`). */
type Answered<Output> = Output extends StreamedResponse
  ? Response
  : Output extends undefined | void
    ? null
    : Jsonified<Output>

/**
 * `T` as JSON gives it back: dates (anything with `toJSON()`) as what they serialize to, functions
 * dropped.
 *
 * @example
 * type Wire = Jsonified<{ at: Date; tags: string[] }> // { at: string; tags: string[] }
 */
export type Jsonified<T> = T extends { toJSON(): infer J }
  ? Jsonified<J>
  : T extends readonly (infer E)[]
    ? Jsonified<E>[]
    : T extends object
      ? { [K in keyof T as T[K] extends Function ? never : K]: Jsonified<T[K]> }
      : T

/** The declared inputs of `L` at `Where`, by their name in the request, optional when a request may omit them. */
type Located<L, Where extends Location> = Simplify<
  {
    [
      K in keyof L as L[K] extends Param<any, Where, infer O>
        ? MayOmit<O> extends true
          ? never
          : WireName<K & string, Where, O>
        : never
    ]: L[K] extends Param<infer T> ? AtLeastOne<WireValue<NonNullable<T>>> : never
  } & {
    [
      K in keyof L as L[K] extends Param<any, Where, infer O>
        ? MayOmit<O> extends true
          ? WireName<K & string, Where, O>
          : never
        : never
    ]?: L[K] extends Param<infer T> ? WireValue<NonNullable<T>> : never
  }
>

/** The form a route reads: its form fields, a form model's fields, and its files (a `Blob` or a `File`). */
type FormOf<L> = Simplify<
  Located<L, 'form'> &
    UnionToIntersection<
      {
        // A body parameter is a form model's shape and more: it is told apart first.
        [K in keyof L]: L[K] extends BodyParam<any>
          ? never
          : L[K] extends FormModelParam<infer M>
            ? JsonInput<M['Input']>
            : never
      }[keyof L]
    > & {
      [
        K in keyof L as L[K] extends FileParam<infer T> ? (undefined extends T ? never : K) : never
      ]: L[K] extends FileParam<infer T> ? (T extends readonly unknown[] ? Blob[] : Blob) : never
    } & {
      [
        K in keyof L as L[K] extends FileParam<infer T> ? (undefined extends T ? K : never) : never
      ]?: L[K] extends FileParam<infer T>
        ? NonNullable<T> extends readonly unknown[]
          ? Blob[]
          : Blob
        : never
    }
>

/** A parameter may be left out when it is optional or has a default. */
type MayOmit<O> = O extends { optional: true } ? true : O extends { default: unknown } ? true : false

/** The name in the request: the alias, else the handler's name, with `_` as `-` for a header. */
type WireName<K extends string, Where, O> = O extends { alias: infer A extends string }
  ? A
  : Where extends 'header'
    ? ReplaceAll<K, '_', '-'>
    : K

type ReplaceAll<
  S extends string,
  From extends string,
  To extends string,
> = S extends `${infer Head}${From}${infer Tail}` ? `${Head}${To}${ReplaceAll<Tail, From, To>}` : S

/** A required list has at least one item: an empty one is not sent, and the app answers 422. */
type AtLeastOne<T> = T extends readonly (infer E)[] ? [E, ...E[]] : T

/** What a client sends for a parameter of type `T`: a date as a `Date` or a string, lists item by item. */
type WireValue<T> = T extends Date ? Date | string : T extends readonly (infer E)[] ? WireValue<E>[] : T

/** A JSON body's type as a client writes it: dates as `Date` or string, at any depth. */
type JsonInput<T> = T extends Date
  ? Date | string
  : T extends readonly (infer E)[]
    ? JsonInput<E>[]
    : T extends object
      ? { [K in keyof T]: JsonInput<T[K]> }
      : T

/** `{ body: … }` for a route that reads a JSON body (optional when the body is), `{ body?: never }` else. */
type BodySection<L> = [BodyOf<L>] extends [never]
  ? { readonly body?: never }
  : BodyOf<L> extends { optional: true; input: infer I }
    ? { readonly body?: JsonInput<I> }
    : { readonly body: JsonInput<BodyOf<L>['input']> }

/** The body model's input type (defaults may be left out), and whether the route may go without a body. */
type BodyOf<L> = {
  [K in keyof L]: L[K] extends BodyParam<infer M, infer T>
    ? { input: M['Input']; optional: undefined extends T ? true : false }
    : never
}[keyof L]

/**
 * Any header may be sent, and the declared ones are typed. None is required: a client often sends a
 * header with every request (`createClient(url, { headers })`), as a browser sends its cookies.
 */
type HeaderSection<Declared> = { readonly headers?: Partial<Declared> & Record<string, WireScalar> }

/** `{ [Name]: Values }`, required when one of the values is, and `never` when the route reads none. */
type Section<Name extends string, Values> = keyof Values extends never
  ? { readonly [N in Name]?: never }
  : keyof RequiredPart<Values> extends never
    ? { readonly [N in Name]?: Values }
    : { readonly [N in Name]: Values }

type RequiredPart<T> = { [K in keyof T as {} extends Pick<T, K> ? never : K]: T[K] }
