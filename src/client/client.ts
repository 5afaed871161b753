/**
 * A typed client for an onemodel app, from the app's type alone (as Hono's `hc` or tRPC's client, with no
 * code generation): `createClient<typeof app>(url)` calls each route by its method and path template, with
 * its inputs and its answer typed from the route's parameters and response model.
 */
import type { HttpMethod } from '../http/route.ts'
import type { RoutesOf } from '../http/route-types.ts'
import { ClientError } from './client-error.ts'
import type { EndpointAt, InputArgs, PathsWith, ResponseOf, WireScalar } from './types.ts'

/**
 * Options of {@link createClient}.
 *
 * @example
 * createClient<typeof app>('http://127.0.0.1:8000', { headers: { authorization: `Bearer ${token}` } })
 */
export interface ClientOptions {
  /** Headers sent with every request, such as a token; a call's own headers win. */
  headers?: Record<string, string>
  /** The `fetch` to send requests with; default the global one. */
  fetch?: typeof fetch
}

/**
 * One method of the client: a path template of the app, with the inputs of its route.
 *
 * @example
 * const read: ClientCall<RoutesOf<typeof api>, 'GET'> = createClient<typeof api>(url).get
 * await read('/heroes/{hero_id}', { path: { hero_id: 1 } })
 */
export type ClientCall<Routes, Method extends HttpMethod> = <const Path extends PathsWith<Routes, Method>>(
  path: Path,
  ...input: InputArgs<EndpointAt<Routes, Path, Method>>
) => Promise<ResponseOf<EndpointAt<Routes, Path, Method>>>

/**
 * The client of app type `A`: one method per HTTP method, each taking the app's path templates for it.
 * A call resolves to the answer's JSON, typed by the route's response model, or rejects with a
 * {@link ClientError} for an error status.
 *
 * @example
 * const client: Client<typeof api> = createClient<typeof api>('http://127.0.0.1:8000')
 * await client.delete('/heroes/{hero_id}', { path: { hero_id: 1 } }) // undefined, for a 204
 */
export interface Client<A> {
  readonly get: ClientCall<RoutesOf<A>, 'GET'>
  readonly post: ClientCall<RoutesOf<A>, 'POST'>
  readonly put: ClientCall<RoutesOf<A>, 'PUT'>
  readonly patch: ClientCall<RoutesOf<A>, 'PATCH'>
  readonly delete: ClientCall<RoutesOf<A>, 'DELETE'>
}

/**
 * Creates a client for app type `A`, served at `baseUrl` (a path in it prefixes every route). Only the
 * app's type is imported, so a front end bundles none of the server.
 *
 * @example
 * import type { api } from './app.ts' // const api = createApp().include(heroes) …
 * const client = createClient<typeof api>('http://127.0.0.1:8000')
 * const hero = await client.get('/heroes/{hero_id}', { path: { hero_id: 1 } })
 * hero.name // string
 * hero.secret_name // does not compile: HeroPublic has no secret_name
 */
export function createClient<A>(baseUrl: string | URL, options: ClientOptions = {}): Client<A> {
  const base = new URL(baseUrl)
  const prefix = base.pathname.replace(/\/$/, '')
  const send =
    (method: HttpMethod) =>
    (path: string, input: RawInput = {}) =>
      request(method, path, input, { base, prefix, options })
  // One untyped function serves every route at runtime; the routes' types come from `A`.
  return {
    get: send('GET'),
    post: send('POST'),
    put: send('PUT'),
    patch: send('PATCH'),
    delete: send('DELETE'),
  } as unknown as Client<A>
}

/** A call's input as it arrives at runtime; its types were checked at the call. */
interface RawInput {
  readonly path?: Record<string, WireScalar>
  readonly query?: Record<string, WireScalar | readonly WireScalar[] | undefined>
  readonly headers?: Record<string, WireScalar>
  readonly cookies?: Record<string, WireScalar | undefined>
  readonly body?: unknown
  readonly form?: Record<string, FormValue | readonly FormValue[] | undefined>
  readonly signal?: AbortSignal
}

type FormValue = WireScalar | Blob

interface Target {
  readonly base: URL
  readonly prefix: string
  readonly options: ClientOptions
}

async function request(
  method: HttpMethod,
  template: string,
  input: RawInput,
  target: Target,
): Promise<unknown> {
  const url = new URL(target.prefix + fillPath(method, template, input.path ?? {}), target.base)
  // A base URL's own query (a gateway's `?api-version=`) goes with every request.
  for (const [name, value] of target.base.searchParams) url.searchParams.append(name, value)
  for (const [name, value] of Object.entries(input.query ?? {})) {
    for (const item of [value ?? []].flat()) url.searchParams.append(name, wire(item))
  }
  const headers = new Headers(target.options.headers)
  for (const [name, value] of Object.entries(input.headers ?? {})) headers.set(name, wire(value))
  const cookies = Object.entries(input.cookies ?? {}).filter(([, value]) => value !== undefined)
  if (cookies.length > 0) {
    const pairs = cookies.map(([name, value]) => `${name}=${encodeURIComponent(wire(value!))}`)
    headers.set('cookie', [headers.get('cookie'), ...pairs].filter(Boolean).join('; '))
  }
  let body: string | URLSearchParams | FormData | undefined
  if (input.body !== undefined) {
    headers.set('content-type', 'application/json')
    body = JSON.stringify(input.body)
  } else if (input.form !== undefined) body = formBody(input.form)
  const fetcher = target.options.fetch ?? fetch
  const response = await fetcher(url, { method, headers, body, signal: input.signal })
  return answerOf(response, method, template)
}

/** The path with each `{name}` replaced by its value, encoded. */
function fillPath(method: HttpMethod, template: string, values: Record<string, WireScalar>): string {
  return template.replace(/\{([^}]+)\}/g, (_whole, name: string) => {
    const value = values[name]
    if (value === undefined) {
      throw new TypeError(
        `${method} ${template}: no value for the path parameter '${name}'. Pass it as { path: { ${name}: … } }.`,
      )
    }
    const segment = encodeURIComponent(wire(value))
    // A URL drops `.` and `..` segments (encoded too) and an empty one moves the rest: the request would
    // reach another route, `/users/../sessions` being `/sessions`.
    if (segment === '' || segment === '.' || segment === '..') {
      throw new TypeError(
        `${method} ${template}: the path parameter '${name}' is ${JSON.stringify(segment)}, which would change the path. Give it a value that is a path segment of its own.`,
      )
    }
    return segment
  })
}

/** A urlencoded form, or a multipart one when it holds a file. */
function formBody(fields: NonNullable<RawInput['form']>): URLSearchParams | FormData {
  const entries = Object.entries(fields).flatMap(([name, value]) =>
    [value ?? []].flat().map((item) => [name, item] as const),
  )
  if (entries.some(([, item]) => item instanceof Blob)) {
    const multipart = new FormData()
    for (const [name, item] of entries) {
      if (item instanceof Blob) multipart.append(name, item)
      else multipart.append(name, wire(item))
    }
    return multipart
  }
  const urlencoded = new URLSearchParams()
  for (const [name, item] of entries) if (!(item instanceof Blob)) urlencoded.append(name, wire(item))
  return urlencoded
}

function wire(value: WireScalar): string {
  return value instanceof Date ? value.toISOString() : String(value)
}

/**
 * The answer's JSON, nothing for a 204 or 304, the response itself for any other content (a stream); or a
 * ClientError for an error status, or for JSON that does not parse (a gateway's empty 502, cut short).
 */
async function answerOf(response: Response, method: HttpMethod, template: string): Promise<unknown> {
  const isJson = /^application\/(.+\+)?json\b/.test(response.headers.get('content-type') ?? '')
  if (response.ok && (response.status === 204 || response.status === 304)) return undefined
  if (response.ok && !isJson) return response
  const text = await response.text()
  let body: unknown = text
  if (isJson) {
    try {
      body = JSON.parse(text)
    } catch {
      throw new ClientError(method, template, response, text)
    }
  }
  if (!response.ok) throw new ClientError(method, template, response, body)
  return body
}
