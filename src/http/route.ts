/**
 * A route as it is declared: its method and path, the options of `app.get()`, `app.post()`, … and its
 * handler. What is made of it is elsewhere: route-plan.ts plans its parameters, request-handler.ts runs it.
 */
import type { Model } from '../model/model.ts'
import type { Dependency, RequestContext } from './depends.ts'
import type { Args, Params } from './params.ts'
import type { ResponseModel, ResponseValue } from './response.ts'
import type { StreamedResponse } from './streams.ts'

/**
 * The method of a route: `app.get()` declares a GET route, `app.post()` a POST one, …
 *
 * @example
 * const method: HttpMethod = 'PATCH'
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/**
 * The second argument of `app.get()`, `app.post()`, …: what the route takes, answers and documents.
 *
 * @example
 * app.post('/heroes/', { params: { hero: body(HeroCreate) }, response: HeroPublic, status: 201 },
 *   async function createHero({ hero }) { … })
 */
export interface RouteOptions<P extends Params = Params, R extends ResponseModel | undefined = undefined> {
  /** The handler's parameters by name: `path.*`, `query.*`, `header.*`, `cookie.*`, `body(Model)` or dependencies. */
  params?: P
  /** The response model: the answer holds only its fields (FastAPI's `response_model`). */
  response?: R
  /**
   * Load the relationships the response model nests that the returned rows have not loaded
   * (`TeamPublicWithHeroes.heroes` for Team rows), with the Session holding the rows, before the answer
   * is encoded: one query per level for all the rows, as `selectinload` does. Default `true`; with
   * `false` the handler loads them, and one it did not load fails the answer.
   */
  loadRelationships?: boolean
  /** The success status; default 200. A 204 (or 304) answer has no body, whatever the handler returns. */
  status?: number
  /** OpenAPI summary; default from the handler's name (`createHero` → "Create Hero"). */
  summary?: string
  description?: string
  tags?: string[]
  /** OpenAPI operationId; default as FastAPI makes it (`create_hero_heroes__post`). */
  operationId?: string
  deprecated?: boolean
  /**
   * More documented answers (FastAPI's `responses`): `{ 404: { description: 'Hero not found', model:
   * Message } }`. The description defaults to the status's reason phrase.
   */
  responses?: ExtraResponses
  /**
   * Dependencies run for the request although the handler takes none of their values, cleanup included
   * (FastAPI's `dependencies=[Depends(verify_token)]`): checks that may refuse the request.
   */
  dependencies?: readonly Dependency<any, any>[]
  /** `false` leaves the route out of the OpenAPI document and `/docs`; it is served all the same. */
  includeInSchema?: boolean
}

/**
 * Documented answers beside the success, by status code.
 *
 * @example
 * const responses: ExtraResponses = { 404: { description: 'Hero not found', model: Message }, 409: {} }
 */
export type ExtraResponses = Readonly<
  Record<number, { readonly description?: string; readonly model?: Model }>
>

/**
 * A route handler: receives the parsed parameters, returns what the response model accepts, or a stream
 * ({@link fileResponse}, {@link streamResponse}, {@link eventStream}) sent as it is.
 *
 * @example
 * const params = { hero_id: path.integer() }
 * const readHero: Handler<typeof params, typeof HeroPublic> = async ({ hero_id }) =>
 *   (await heroes.get(hero_id)) ?? HTTPError.raise(404, 'Hero not found')
 */
export type Handler<
  P extends Params,
  R extends ResponseModel | undefined,
  T extends HandlerResult<R> = HandlerResult<R>,
> = (args: Args<P>, context: RequestContext) => T

/**
 * What a handler of response model `R` may return, or resolve to.
 *
 * @example
 * const readHero: (args: { hero_id: number }) => HandlerResult<typeof HeroPublic> = async ({ hero_id }) =>
 *   ({ id: hero_id, name: 'Deadpond' })
 */
export type HandlerResult<R extends ResponseModel | undefined> =
  ResponseValue<R> | StreamedResponse | Promise<ResponseValue<R> | StreamedResponse>

/** A route as `app.get()`, `app.post()`, … or a router record it: what is planned, documented and served. */
export interface RouteDefinition {
  readonly method: HttpMethod
  readonly path: string
  readonly options: RouteOptions<Params, ResponseModel | undefined>
  readonly handler: Handler<Params, ResponseModel | undefined>
}
