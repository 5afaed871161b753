/**
 * One route, compiled: the plan of its parameters and dependencies (made once, and again only when
 * `dependencyOverrides` change), and the request handler Fastify runs.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { RouteDefinitionError } from '../errors.ts'
import type { Model } from '../model/model.ts'
import { objectLiteralKey } from '../model/object-literal-key.ts'
import type { ValidationIssue } from '../model/validation-error.ts'
import { Dependency, type DependencyOverrides, type RequestContext } from './depends.ts'
import { RequestValidationError, ResponseValidationError } from './http-error.ts'
import { BodyParam, FormModelParam, Param, type Args, type Params } from './params.ts'
import type { Report } from './report.ts'
import { readBody, readParam, type RequestReader } from './request-input.ts'
import { ListOf, responseEncoder, type ResponseModel, type ResponseValue } from './response.ts'
import { responseRelationships } from './response-relationships.ts'
import { ScopeKeys, SecurityScopes, SecurityScopesParam, usedWith, withScopes } from './security-scopes.ts'
import { FileParam, formPlanOf, readFile, readForm, readFormModel, type FormPlan } from './uploads.ts'
import { HandlerContext } from './outgoing-response.ts'
import { StreamedResponse } from './streams.ts'
import type { InFlight } from './shutdown.ts'
import { isPromiseLike, RequestScope } from './request-scope.ts'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** The second argument of `app.get()`, `app.post()`, …: what the route takes, answers and documents. */
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

export interface RouteDefinition {
  readonly method: HttpMethod
  readonly path: string
  readonly options: RouteOptions<Params, ResponseModel | undefined>
  readonly handler: Handler<Params, ResponseModel | undefined>
}

type ArgSource =
  | { readonly name: string; readonly input: number }
  | { readonly name: string; readonly node: number }
  /** Known when planning: a dependency's {@link SecurityScopes}. */
  | { readonly name: string; readonly value: unknown }

interface Input {
  readonly name: string
  readonly spec: Param | BodyParam | FormModelParam | FileParam
  /** The name in the request (alias, or `_` as `-` for headers), as a 422 `loc` shows it. */
  readonly wire: string
  /** Where the request holds it: the wire name, lower-cased for headers (Node lower-cases them). */
  readonly key: string
}

/** The parameters of a route and all its dependencies, flattened: read every input, then run the nodes in order. */
export interface Plan {
  readonly inputs: readonly Input[]
  /**
   * Dependencies in an order where each comes after its own dependencies, with the OAuth2 scopes required
   * along the chain that reached each. One that depends on scopes is a node per distinct set of them.
   */
  readonly nodes: readonly {
    readonly dependency: Dependency
    readonly args: readonly ArgSource[]
    readonly scopes: readonly string[]
  }[]
  readonly root: readonly ArgSource[]
  /** Set when an input is a form field or a file: the form is read before the inputs. */
  readonly form: FormPlan | undefined
}

/** Plans a route's parameters with the dependency overrides in force. */
export function planRoute(route: RouteDefinition, overrides: ReadonlyMap<Dependency, Dependency>): Plan {
  const where = `${route.method} ${route.path}`
  const inputs: Input[] = []
  const nodes: Plan['nodes'][number][] = []
  // Each dependency by the key of the scopes it was reached with ('' when it does not depend on them).
  const planned = new Map<Dependency, Map<string, number>>()
  const visiting = new Set<Dependency>()
  const scopeKeys = new ScopeKeys(overrides)
  let bodyParam: BodyParam | undefined

  const sources = (params: Params, owner: string, scopes: readonly string[]): ArgSource[] =>
    Object.entries(params).map(([name, spec]): ArgSource => {
      if (spec instanceof SecurityScopesParam) return { name, value: new SecurityScopes(scopes) }
      if (spec instanceof Dependency) return { name, node: visit(spec, scopes) }
      if (spec instanceof BodyParam) {
        if (bodyParam && bodyParam !== spec) {
          throw new RouteDefinitionError(
            `${where}: '${name}' of ${owner} is a second body() parameter. A route reads one JSON body; declare one model with both parts.`,
          )
        }
        bodyParam = spec
      } else if (!(spec instanceof Param || spec instanceof FileParam || spec instanceof FormModelParam)) {
        throw new RouteDefinitionError(
          `${where}: '${name}' of ${owner} is not a parameter. Use path.*(), query.*(), header.*(), cookie.*(), form.*(), file(), body(Model) or depends().`,
        )
      }
      const wire = spec instanceof Param ? spec.wireName(name) : spec instanceof FileParam ? name : 'body'
      inputs.push({
        name,
        spec,
        wire,
        key: spec instanceof Param && spec.location === 'header' ? wire.toLowerCase() : wire,
      })
      return { name, input: inputs.length - 1 }
    })

  /** Plans `use`, a dependency reached with the `chain`'s scopes, unless planned with the same ones. */
  const visit = (use: Dependency, chain: readonly string[]): number => {
    if (use instanceof SecurityScopesParam) {
      throw new RouteDefinitionError(`${where}: securityScopes is a parameter, not a dependency to run.`)
    }
    const { dependency, scopes: own } = usedWith(use)
    const scopes = withScopes(chain, own)
    const key = scopeKeys.key(use, scopes)
    let byScopes = planned.get(dependency)
    if (!byScopes) planned.set(dependency, (byScopes = new Map()))
    const known = byScopes.get(key)
    if (known !== undefined) return known
    if (visiting.has(dependency)) {
      throw new RouteDefinitionError(`${where}: dependency ${dependency.name} depends on itself.`)
    }
    visiting.add(dependency)
    const effective = overrides.get(dependency) ?? dependency
    const args = sources(effective.params, `dependency ${effective.name}`, scopes)
    visiting.delete(dependency)
    nodes.push({ dependency: effective, args, scopes })
    byScopes.set(key, nodes.length - 1)
    return nodes.length - 1
  }

  // The route's own dependencies run first, as FastAPI runs a router's; their values go nowhere.
  for (const dependency of route.options.dependencies ?? []) {
    if (!(dependency instanceof Dependency)) {
      throw new RouteDefinitionError(`${where}: an item of dependencies is not a dependency. Use depends().`)
    }
    visit(dependency, [])
  }
  const root = sources(route.options.params ?? {}, 'the route', [])
  const form = formPlanOf(
    inputs.map((input) => input.spec),
    where,
  )
  if (form && bodyParam) {
    throw new RouteDefinitionError(
      `${where}: a route reads either a JSON body() or form fields and files, not both.`,
    )
  }
  return { inputs, nodes, root, form }
}

/** Checks the path template against the path parameters of a route's plan, when the route is added. */
export function checkPathParams(route: RouteDefinition, plan: Plan): void {
  const where = `${route.method} ${route.path}`
  const inTemplate = new Set([...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!))
  const declared = new Set<string>()
  for (const { spec, wire } of plan.inputs) {
    if (!(spec instanceof Param) || spec.location !== 'path') continue
    if (!inTemplate.has(wire)) {
      throw new RouteDefinitionError(
        `${where}: path parameter '${wire}' is not in the path template. Add '{${wire}}' to the path, or read it from query.*().`,
      )
    }
    if (spec.hasDefault || spec.options.optional) {
      throw new RouteDefinitionError(
        `${where}: path parameter '${wire}' cannot have a default or be optional; a path always carries it.`,
      )
    }
    declared.add(wire)
  }
  for (const name of inTemplate) {
    if (!/^[A-Za-z_]\w*$/.test(name)) {
      throw new RouteDefinitionError(`${where}: '{${name}}' is not a valid path parameter name.`)
    }
    if (!declared.has(name)) {
      throw new RouteDefinitionError(
        `${where}: the path has '{${name}}' but no parameter declares it. Add '${name}: path.string()' (or path.integer(), …) to params.`,
      )
    }
  }
}

/** Builds the arguments of a handler or dependency from the request's inputs and the dependencies' values. */
type ArgsBuilder = (inputs: readonly unknown[], nodes: readonly unknown[]) => Record<string, unknown>

/** What a request of a plan runs: the builders of its dependencies' arguments, and of the handler's. */
interface PlanBuilders {
  readonly nodes: readonly ArgsBuilder[]
  readonly root: ArgsBuilder
}

function buildersOf(plan: Plan): PlanBuilders {
  return { nodes: plan.nodes.map((node) => argsBuilder(node.args)), root: argsBuilder(plan.root) }
}

/**
 * The {@link ArgsBuilder} of `sources`, generated as one object literal: its keys are known when the route
 * is planned, and a literal gives every request's arguments one shape, where a loop of `args[name] = …`
 * shares one store for every name of every route, which V8 makes megamorphic. Only the names reach the
 * code, as string literals (see `objectLiteralKey`); values stay data. Fastify's router generates code of
 * its own the same way, so this asks nothing more of the host.
 */
function argsBuilder(sources: readonly ArgSource[]): ArgsBuilder {
  const constants: unknown[] = []
  const entries = sources.map((source) => {
    const value =
      'input' in source
        ? `inputs[${source.input}]`
        : 'node' in source
          ? `nodes[${source.node}]`
          : `constants[${constants.push(source.value) - 1}]`
    return `${objectLiteralKey(source.name)}: ${value}`
  })
  const make = new Function('constants', `return (inputs, nodes) => ({ ${entries.join(', ')} })`)
  // `Function` returns `any`: the code above is an ArgsBuilder.
  return make(constants) as ArgsBuilder
}

/**
 * The Fastify handler of a route. Reads and validates every input of the plan first, so a bad request
 * answers 422 before any dependency runs (no Session is opened for it); then runs the dependencies, the
 * handler, and the response model.
 */
export function requestHandler(
  route: RouteDefinition,
  overrides: DependencyOverrides,
  report: Report,
  inFlight: InFlight,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  let plan = planRoute(route, overrides)
  let builders = buildersOf(plan)
  let planVersion = overrides.version
  const where = `${route.method} ${route.path}`
  const { response, status = 200 } = route.options
  const encode = response ? responseEncoder(response) : undefined
  const loadNested =
    response && route.options.loadRelationships !== false ? responseRelationships(response) : undefined
  const responseLabel = response ? responseName(response) : ''

  return async (request, reply) => {
    if (planVersion !== overrides.version) {
      plan = planRoute(route, overrides)
      builders = buildersOf(plan)
      planVersion = overrides.version
    }
    const reader: RequestReader = { request }
    if (plan.form) reader.form = await readForm(request, plan.form)
    const issues: ValidationIssue[] = []
    const inputs = plan.inputs.map((input) => readInput(reader, input, issues))
    if (issues.length > 0) throw new RequestValidationError(issues)

    const context = new HandlerContext(request, reply)
    // Only dependencies need a scope (their generators and depends.using() values are cleaned up after
    // the response).
    const scope = plan.nodes.length > 0 ? new RequestScope(request, reply, report, inFlight) : undefined
    let result: unknown
    try {
      const values: unknown[] = new Array(plan.nodes.length)
      for (let i = 0; i < plan.nodes.length; i++) {
        const node = plan.nodes[i]!
        const value = scope!.call(node.dependency, builders.nodes[i]!(inputs, values), context)
        values[i] = isPromiseLike(value) ? await value : value
      }
      result = route.handler(builders.root(inputs, values) as never, context)
      if (isPromiseLike(result)) result = await result
      // Inside the try: a failed load reaches the dependencies' cleanup as a failed handler does.
      const loading = loadNested && !reply.sent ? loadNested(result) : undefined
      if (loading) await loading
    } catch (error) {
      scope?.finish(error)
      throw error
    }
    scope?.finish()
    if (reply.sent) return answered(reply)
    const answerStatus = context.chosenStatus ?? status
    if (result instanceof StreamedResponse) {
      await sendStream(result, reply, context, answerStatus)
      return answered(reply)
    }
    // 204 and 304 answers have no body (RFC 9110), whatever the handler returned.
    if (answerStatus === 204 || answerStatus === 304) {
      context.applyOutgoing()
      reply.code(answerStatus).send()
      return answered(reply)
    }
    let json: string
    if (encode) {
      const encoded = encode(result)
      if (typeof encoded !== 'string') throw new ResponseValidationError(where, responseLabel, encoded)
      json = encoded
    } else json = JSON.stringify(result) ?? 'null'
    // Only now: an answer that failed (a 500, a missing file's 404) carries none of the handler's cookies.
    context.applyOutgoing()
    reply.code(answerStatus).type('application/json').send(json)
    return answered(reply)
  }
}

/**
 * What the handler resolves Fastify's with once the answer is on its way. While an async onSend hook (a
 * middleware) still holds the answer, the reply tells Fastify it is sent already: Fastify would otherwise
 * send the handler's `undefined` as a second answer. An answer written already needs no such word, and the
 * reply, a thenable, would cost a job to adopt.
 */
function answered(reply: FastifyReply): FastifyReply | undefined {
  return reply.sent ? undefined : reply
}

function readInput(reader: RequestReader, input: Input, issues: ValidationIssue[]): unknown {
  const { spec } = input
  if (spec instanceof BodyParam) return readBody(reader, spec, issues)
  if (spec instanceof FileParam) return readFile(reader, spec, input.wire, issues)
  if (spec instanceof FormModelParam) return readFormModel(reader, spec, issues)
  return readParam(reader, spec, input.wire, input.key, issues)
}

/**
 * Sends a stream once it is open, with the handler's headers, and resolves at the end of the answer:
 * Fastify writes the head with the first chunk, so a stream slow to start would look unsent to it when
 * the handler returns; awaiting the reply (a thenable) waits for the end instead.
 */
async function sendStream(
  streamed: StreamedResponse,
  reply: FastifyReply,
  context: HandlerContext,
  status: number,
): Promise<void> {
  const { body, headers } = await streamed.open()
  const before = new Set(Object.keys(reply.getHeaders()))
  try {
    context.applyOutgoing()
    reply.code(status).headers(headers)
  } catch (error) {
    body.destroy()
    throw error
  }
  // A body that fails before its first byte gets an error answer (Fastify sends the error to the error
  // handler): it must carry none of the stream's headers nor the handler's, or its JSON would go out as
  // `text/event-stream`. Headers set before (CORS, …) stay.
  const added = Object.keys(reply.getHeaders()).filter((name) => !before.has(name))
  body.once('error', () => {
    if (!reply.raw.headersSent) for (const name of added) reply.removeHeader(name)
  })
  await reply.send(body)
}

function responseName(response: ResponseModel): string {
  return response instanceof ListOf ? `list(${response.model.name})` : response.name
}
