/**
 * The OpenAPI 3.1 document, shaped as FastAPI writes it: components named after the models, parameters
 * with their constraints, `Successful Response` and `Validation Error` answers, and summaries and
 * operation ids derived from handler names. Derived from the same declarations that validate requests.
 */
import { STATUS_CODES } from 'node:http'
import type { TSchema } from 'typebox'
import { RouteDefinitionError } from '../errors.ts'
import type { NestedModel } from '../model/field.ts'
import { fieldSchema, jsonSchema } from '../model/json-schema.ts'
import type { Model } from '../model/model.ts'
import { BodyParam, FormModelParam, Param } from './params.ts'
import { ListOf } from './response.ts'
import type { ExtraResponses, RouteDefinition } from './route.ts'
import { planRoute, type Plan } from './route-plan.ts'
import { SecurityDependency, type SecurityScheme } from './security.ts'
import { FileParam } from './uploads.ts'

/** The `info` object of the document. */
export interface OpenApiInfo {
  title: string
  version: string
  description?: string
}

type Json = Record<string, unknown>

const VALIDATION_ERROR = {
  properties: {
    loc: { items: { anyOf: [{ type: 'string' }, { type: 'integer' }] }, type: 'array', title: 'Location' },
    msg: { type: 'string', title: 'Message' },
    type: { type: 'string', title: 'Error Type' },
    input: { title: 'Input' },
    ctx: { type: 'object', title: 'Context' },
  },
  type: 'object',
  required: ['loc', 'msg', 'type'],
  title: 'ValidationError',
}

const HTTP_VALIDATION_ERROR = {
  properties: {
    detail: { items: { $ref: '#/components/schemas/ValidationError' }, type: 'array', title: 'Detail' },
  },
  type: 'object',
  title: 'HTTPValidationError',
}

/** Collects the models a document refers to, by name, and refuses two different models with one name. */
class Components {
  readonly #models = new Map<string, NestedModel>()
  readonly schemas: Record<string, unknown> = {}
  readonly securitySchemes: Record<string, unknown> = {}

  /** Declares a security scheme, refusing two different ones under one name. */
  readonly scheme = (scheme: SecurityScheme): void => {
    const known = this.securitySchemes[scheme.name]
    if (known !== undefined && JSON.stringify(known) !== JSON.stringify(scheme.definition)) {
      throw new RouteDefinitionError(
        `Two different security schemes are named '${scheme.name}'. Give one of them another schemeName.`,
      )
    }
    this.securitySchemes[scheme.name] = scheme.definition
  }

  readonly ref = (model: NestedModel): TSchema => {
    const known = this.#models.get(model.name)
    if (known === undefined) {
      this.#models.set(model.name, model)
      this.schemas[model.name] = null // reserves the name before the fields, so recursive models terminate
      this.schemas[model.name] = plain(jsonSchema(model as Model, this.ref))
    } else if (known !== model && JSON.stringify(known.schema) !== JSON.stringify(model.schema)) {
      throw new RouteDefinitionError(
        `Two different models are named '${model.name}', and OpenAPI components are named after models. Rename one of them.`,
      )
    }
    return { $ref: `#/components/schemas/${model.name}` } as unknown as TSchema
  }
}

/** Builds the document of `routes`. */
export function openApiDocument(info: OpenApiInfo, routes: readonly RouteDefinition[]): Json {
  const components = new Components()
  const paths: Record<string, Record<string, Json>> = {}
  let validates = false
  for (const route of routes) {
    if (route.options.includeInSchema === false) continue
    const operation = operationOf(route, components)
    if (operation.responses && '422' in (operation.responses as Json)) validates = true
    ;(paths[route.path] ??= {})[route.method.toLowerCase()] = operation
  }
  if (validates) {
    components.schemas.HTTPValidationError = HTTP_VALIDATION_ERROR
    components.schemas.ValidationError = VALIDATION_ERROR
  }
  const document: Json = { openapi: '3.1.0', info: { ...info }, paths }
  const declared: Json = {}
  if (Object.keys(components.schemas).length > 0) declared.schemas = sortKeys(components.schemas)
  if (Object.keys(components.securitySchemes).length > 0)
    declared.securitySchemes = components.securitySchemes
  if (Object.keys(declared).length > 0) document.components = declared
  return document
}

function operationOf(route: RouteDefinition, components: Components): Json {
  const { options } = route
  const name = handlerName(route)
  const operationId =
    options.operationId ?? `${name}${route.path}`.replace(/\W/g, '_') + `_${route.method.toLowerCase()}`
  const operation: Json = {}
  if (options.tags?.length) operation.tags = options.tags
  operation.summary = options.summary ?? pythonTitle(name)
  if (options.description !== undefined) operation.description = options.description
  operation.operationId = operationId
  if (options.deprecated) operation.deprecated = true

  const plan = planRoute(route, new Map())
  const { inputs } = plan
  const security = securityOf(plan, components)
  if (security.length > 0) operation.security = security
  const parameters: Json[] = []
  const seen = new Set<string>()
  let requestBody: Json | undefined = formBodyOf(plan, operationId, components)
  for (const { spec, wire } of inputs) {
    if (spec instanceof FileParam || spec instanceof FormModelParam) continue
    if (spec instanceof BodyParam) {
      requestBody = {
        content: { 'application/json': { schema: components.ref(spec.model) } },
        required: !spec.optional,
      }
      if (spec.description !== undefined) requestBody.description = spec.description
      continue
    }
    if (spec.location === 'form' || seen.has(`${spec.location}:${wire}`)) continue
    seen.add(`${spec.location}:${wire}`)
    parameters.push(parameterOf(spec, wire, components))
  }
  if (parameters.length > 0) operation.parameters = parameters
  if (requestBody) operation.requestBody = requestBody

  const status = String(options.status ?? 200)
  const success: Json = { description: 'Successful Response' }
  if (status !== '204' && status !== '304') {
    success.content = { 'application/json': { schema: responseSchema(route, operationId, components) } }
  }
  const responses = withExtraResponses({ [status]: success }, options.responses ?? {}, components)
  if (inputs.length > 0 && !('422' in responses)) {
    responses['422'] = {
      description: 'Validation Error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/HTTPValidationError' } } },
    }
  }
  operation.responses = responses
  return operation
}

/**
 * The security requirements of an operation, as FastAPI lists them: one per scheme among its dependencies,
 * however deep, in the order first met, with the scopes required along every chain that reached it, each
 * once; every scheme declared in `components.securitySchemes` too.
 */
function securityOf(plan: Plan, components: Components): Json[] {
  const scopesByScheme = new Map<string, string[]>()
  for (const { dependency, scopes } of plan.nodes) {
    if (!(dependency instanceof SecurityDependency)) continue
    components.scheme(dependency.scheme)
    let listed = scopesByScheme.get(dependency.scheme.name)
    if (!listed) scopesByScheme.set(dependency.scheme.name, (listed = []))
    for (const scope of scopes) if (!listed.includes(scope)) listed.push(scope)
  }
  return [...scopesByScheme].map(([name, scopes]) => ({ [name]: scopes }))
}

/**
 * The request body of a route with form fields or files, as FastAPI writes it: a `Body_<operationId>`
 * component, urlencoded, or multipart when a file is among them (files are `format: binary` strings).
 */
function formBodyOf(plan: Plan, operationId: string, components: Components): Json | undefined {
  if (!plan.form) return undefined
  const formModel = plan.inputs.find((input) => input.spec instanceof FormModelParam)?.spec
  if (formModel instanceof FormModelParam) {
    const schema = components.ref(formModel.model)
    return { content: { 'application/x-www-form-urlencoded': { schema } }, required: true }
  }
  const properties: Json = {}
  const required: string[] = []
  let multipart = false
  for (const { spec, wire } of plan.inputs) {
    if (spec instanceof FileParam) {
      multipart = true
      properties[wire] = fileSchema(spec, wire)
      if (!spec.optional) required.push(wire)
    } else if (spec instanceof Param && spec.location === 'form') {
      properties[wire] = plain(fieldSchema(wire, spec.field, components.ref))
      if (spec.field.options.description !== undefined) {
        ;(properties[wire] as Json).description = spec.field.options.description
      }
      if (spec.required) required.push(wire)
    }
  }
  const name = `Body_${operationId}`
  const schema: Json = { properties, type: 'object' }
  if (required.length > 0) schema.required = required
  schema.title = name
  components.schemas[name] = schema
  const mediaType = multipart ? 'multipart/form-data' : 'application/x-www-form-urlencoded'
  const body: Json = { content: { [mediaType]: { schema: { $ref: `#/components/schemas/${name}` } } } }
  if (required.length > 0) body.required = true
  return body
}

function fileSchema(spec: FileParam, wire: string): Json {
  const binary = { type: 'string', format: 'binary' }
  const value: Json = spec.list
    ? { type: 'array', items: binary }
    : spec.optional
      ? { anyOf: [binary, { type: 'null' }] }
      : { ...binary }
  value.title = pythonTitle(wire)
  if (spec.description !== undefined) value.description = spec.description
  return value
}

/**
 * The `responses` option merged into `responses` as FastAPI merges it: a model as its JSON content, the
 * description kept from the success answer of the same status, else the status's reason phrase.
 */
function withExtraResponses(
  responses: Record<string, Json>,
  extra: ExtraResponses,
  components: Components,
): Record<string, Json> {
  for (const [code, { model, description }] of Object.entries(extra)) {
    const known = responses[code]
    const merged: Json = {
      ...known,
      description: description ?? known?.description ?? STATUS_CODES[code] ?? 'Additional Response',
    }
    if (model) {
      merged.content = { ...(known?.content as Json), 'application/json': { schema: components.ref(model) } }
    }
    responses[code] = merged
  }
  return responses
}

function parameterOf(param: Param, wire: string, components: Components): Json {
  const title = pythonTitle(wire)
  let schema: Json
  if (param.list) {
    const list: Json = { type: 'array', items: plain(param.field.valueSchema(components.ref)) }
    const fallback = (param.options as { default?: unknown }).default
    if (fallback !== undefined) list.default = fallback
    schema = { ...list, title }
  } else {
    schema = { ...plain(fieldSchema(wire, param.field, components.ref)), title }
  }
  const out: Json = {
    name: wire,
    in: param.location,
    required: param.required || param.location === 'path',
    schema,
  }
  if (param.field.options.description !== undefined) out.description = param.field.options.description
  if (param.options.deprecated) out.deprecated = true
  return out
}

function responseSchema(route: RouteDefinition, operationId: string, components: Components): Json {
  const response = route.options.response
  if (response === undefined) return {}
  if (response instanceof ListOf) {
    return {
      type: 'array',
      items: components.ref(response.model),
      title: pythonTitle(`Response_${operationId}`),
    }
  }
  return components.ref(response) as unknown as Json
}

/** The handler's name in snake_case (`createHero` → `create_hero`), or one made from the method and path. */
function handlerName(route: RouteDefinition): string {
  const name = route.handler.name
  if (name && name !== 'anonymous') return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()
  return `${route.method.toLowerCase()}_${route.path.replace(/[{}]/g, '').replace(/\W+/g, '_').replace(/^_|_$/g, '')}`
}

/** Python's `name.replace('_', ' ').title()`, which FastAPI and pydantic use for summaries and titles. */
function pythonTitle(name: string): string {
  return name
    .replaceAll('_', ' ')
    .replace(/[A-Za-z]+/g, (word) => word[0]!.toUpperCase() + word.slice(1).toLowerCase())
}

/** A TypeBox schema as plain JSON (TypeBox marks schemas with non-JSON keys). */
function plain(schema: TSchema): Json {
  return JSON.parse(JSON.stringify(schema)) as Json
}

function sortKeys(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
