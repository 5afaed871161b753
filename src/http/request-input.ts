/**
 * Reading parameters out of a Fastify request with FastAPI's rules: the last value of a repeated scalar
 * query parameter, a missing value answered `missing` with `input: null`, and a body parsed as JSON only
 * when its content type says JSON (other bodies reach the model as text and fail as FastAPI's do).
 */
import { parse as parseCookieHeader } from 'cookie'
import type { FastifyRequest } from 'fastify'
import { Invalid } from '../model/invalid.ts'
import { REDACTED, type ValidationIssue } from '../model/validation-error.ts'
import { MAX_JSON_DEPTH, tooDeepAt } from './json-depth.ts'
import type { BodyParam, Param } from './params.ts'
import type { FormContent } from './uploads.ts'

/** Per-request memo of what several parameters read: the parsed cookies, and the form's fields. */
export interface RequestReader {
  readonly request: FastifyRequest
  cookies?: Record<string, string | undefined>
  /** Set before the inputs are read when the route takes a form (see uploads.ts). */
  form?: FormContent
}

export const missing = (loc: (string | number)[]): ValidationIssue => ({
  type: 'missing',
  loc,
  msg: 'Field required',
  input: null,
})

/**
 * Reads and coerces one parameter, named `wire` in the request and found under `key` (both worked out
 * when the route was planned). Problems are pushed to `issues`; the value is then meaningless.
 */
export function readParam(
  reader: RequestReader,
  param: Param,
  wire: string,
  key: string,
  issues: ValidationIssue[],
): unknown {
  const raw = rawValue(reader, param, key)
  if (raw === undefined || (param.list && Array.isArray(raw) && raw.length === 0)) {
    if (param.hasDefault) return param.defaultValue()
    if (param.options.optional) return undefined
    issues.push(missing([param.locName, wire]))
    return undefined
  }
  if (!param.list) {
    // A repeated scalar takes its last value, which is also the input a 422 item shows.
    const last = Array.isArray(raw) ? raw.at(-1) : raw
    const value = param.coerce(last)
    if (value instanceof Invalid) issues.push(value.at([param.locName, wire], shown(param, last)))
    return value
  }
  const items = Array.isArray(raw) ? raw : [raw]
  return items.map((item, index) => {
    const value = param.coerce(item)
    if (value instanceof Invalid) issues.push(value.at([param.locName, wire, index], shown(param, item)))
    return value
  })
}

/** What a 422 item shows of a parameter's value: nothing of a secret one (an API key, a token). */
function shown(param: Param, value: unknown): unknown {
  return param.field.options.secret ? REDACTED : value
}

function rawValue(reader: RequestReader, param: Param, key: string): unknown {
  const { request } = reader
  switch (param.location) {
    case 'path':
      return own(request.params, key)
    case 'query':
      return own(request.query, key)
    case 'header':
      return own(request.headers, key)
    case 'cookie':
      reader.cookies ??= parseCookieHeader(request.headers.cookie ?? '')
      return own(reader.cookies, key)
    case 'form':
      return own(reader.form?.fields, key)
  }
}

/** `record[key]` when the request set it: a parameter named `toString` is not read from Object.prototype. */
function own(record: unknown, key: string): unknown {
  return record !== null && typeof record === 'object' && Object.hasOwn(record, key)
    ? (record as Record<string, unknown>)[key]
    : undefined
}

/** Reads the JSON body and validates it with the body parameter's model, at `loc` `['body', …]`. */
export function readBody(reader: RequestReader, param: BodyParam, issues: ValidationIssue[]): unknown {
  const raw = reader.request.body as Buffer | undefined
  if (raw === undefined || raw.length === 0) {
    if (!param.optional) issues.push(missing(['body']))
    return undefined
  }
  const text = raw.toString('utf8')
  let input: unknown = text
  if (isJson(reader.request.headers['content-type'])) {
    try {
      input = JSON.parse(text)
    } catch (error) {
      issues.push(jsonSyntaxError(error as SyntaxError, text.length))
      return undefined
    }
    const deepAt = tooDeepAt(text)
    if (deepAt !== -1) {
      issues.push(jsonInvalid(deepAt, `Nesting deeper than ${MAX_JSON_DEPTH} levels`))
      return undefined
    }
    // FastAPI reads a JSON `null` as no body at all: `missing`, or the default of an optional body.
    if (input === null) {
      if (!param.optional) issues.push(missing(['body']))
      return undefined
    }
  }
  const result = param.model.safeValidate(input, ['body'])
  if (!result.success) {
    issues.push(...result.issues)
    return undefined
  }
  return result.data
}

/**
 * The body is JSON only when its content type says so, `application/json` or `…+json`, as FastAPI's default
 * `strict_content_type=True` (since 0.132): a browser sends a body without a content type cross-site with no
 * CORS preflight, so reading it as JSON would let any web page post to an API on localhost.
 */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false
  if (contentType === 'application/json') return true
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase()
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'))
}

/** FastAPI's `json_invalid` item: `loc` `['body', position]` and the reason in `ctx.error`. */
function jsonInvalid(position: number, reason: string): ValidationIssue {
  return {
    type: 'json_invalid',
    loc: ['body', position],
    msg: 'JSON decode error',
    input: {},
    ctx: { error: reason },
  }
}

/**
 * The `json_invalid` item of a parser error. A body cut short fails at its end (V8 names no position for
 * it), as Python's parser reports it.
 */
function jsonSyntaxError(error: SyntaxError, length: number): ValidationIssue {
  const position =
    /at position (\d+)/.exec(error.message)?.[1] ??
    (/end of JSON input/.test(error.message) ? String(length) : undefined)
  const reason = error.message
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/ at position \d+.*$/s, '')
  return jsonInvalid(position === undefined ? 0 : Number(position), reason)
}
