/**
 * The request handler Fastify runs for one route: reads and validates the inputs of the route's plan, runs
 * its dependencies and handler, then answers with the response model, a stream or no body.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { objectLiteralKey } from '../model/object-literal-key.ts'
import type { ValidationIssue } from '../model/validation-error.ts'
import type { DependencyOverrides } from './depends.ts'
import { RequestValidationError, ResponseValidationError } from './http-error.ts'
import { BodyParam, FormModelParam } from './params.ts'
import type { Report } from './report.ts'
import { readBody, readParam, type RequestReader } from './request-input.ts'
import { ListOf, responseEncoder, type ResponseModel } from './response.ts'
import { responseRelationships } from './response-relationships.ts'
import type { RouteDefinition } from './route.ts'
import { planRoute, type ArgSource, type Input, type Plan } from './route-plan.ts'
import { FileParam, readFile, readForm, readFormModel } from './uploads.ts'
import { HandlerContext } from './outgoing-response.ts'
import { StreamedResponse } from './streams.ts'
import type { InFlight } from './shutdown.ts'
import { isPromiseLike, RequestScope } from './request-scope.ts'

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
