/**
 * Security schemes that are also dependencies (FastAPI's `fastapi.security`): each reads a credential from
 * the request, answers 401 with a `WWW-Authenticate` challenge when it is missing, and is declared in the
 * OpenAPI document's `components.securitySchemes`, with a `security` requirement on every operation that
 * depends on it, directly or through other dependencies. Answers are those of FastAPI 0.122 and later
 * (401 for every scheme; earlier versions answered 403 for HTTP bearer and API keys).
 */
import { parse as parseCookieHeader } from 'cookie'
import type { FastifyRequest } from 'fastify'
import { Dependency, depends } from './depends.ts'
import { HTTPError } from './http-error.ts'
import { form, type Param } from './params.ts'

/** A scheme's entry in `components.securitySchemes`, under `name`. */
export interface SecurityScheme {
  /** The key in `components.securitySchemes` (FastAPI's `scheme_name`, by default its class name). */
  readonly name: string
  /** The OpenAPI Security Scheme Object. */
  readonly definition: Readonly<Record<string, unknown>>
}

/**
 * A dependency that reads a credential and documents the scheme it belongs to. Immutable. `Inputs` names,
 * for a typed client only, the query parameter or cookie an API key scheme reads by itself.
 */
export class SecurityDependency<T = unknown, Inputs = {}> extends Dependency<T, {}> {
  declare readonly '~inputs': Inputs
  readonly scheme: SecurityScheme

  constructor(scheme: SecurityScheme, read: (request: FastifyRequest) => T) {
    super({}, (_args, { request }) => read(request))
    this.scheme = Object.freeze({ name: scheme.name, definition: Object.freeze({ ...scheme.definition }) })
  }
}

/** Options every scheme accepts. */
export interface SchemeOptions {
  /** The key in `components.securitySchemes`; default the FastAPI class name (`OAuth2PasswordBearer`, …). */
  schemeName?: string
  /** Shown on `/docs` beside the scheme. */
  description?: string
  /**
   * `false`: a request without the credential gets `undefined` instead of a 401, for routes where
   * authentication is optional or may come from another scheme. Default `true`.
   */
  autoError?: boolean
}

/** The credential type, with `undefined` when the scheme was declared with `autoError: false`. */
export type Credential<T, O> = O extends { autoError: false } ? T | undefined : T

/** What {@link httpBearer} gives: the scheme as sent (`Bearer`) and the token. */
export interface HTTPAuthorizationCredentials {
  scheme: string
  credentials: string
}

/** What {@link httpBasic} gives. */
export interface HTTPBasicCredentials {
  username: string
  password: string
}

function unauthorized(challenge: string): never {
  throw new HTTPError(401, 'Not authenticated', { 'www-authenticate': challenge })
}

/** `Bearer abc` → `{ scheme: 'Bearer', param: 'abc' }`, as FastAPI's `get_authorization_scheme_param`. */
function authorization(request: FastifyRequest): { scheme: string; param: string } {
  const header = (request.headers.authorization ?? '').trim()
  const space = header.indexOf(' ')
  return space === -1
    ? { scheme: header, param: '' }
    : { scheme: header.slice(0, space), param: header.slice(space + 1).trim() }
}

/**
 * A scheme named `name` unless `schemeName` says otherwise. `read` gives the credential, or `undefined`
 * when the request has none: then a 401 with `challenge`, or `undefined` for the handler with
 * `autoError: false`.
 */
function scheme<T, O extends SchemeOptions, Inputs = {}>(
  options: O | undefined,
  name: string,
  definition: Record<string, unknown>,
  challenge: string,
  read: (request: FastifyRequest) => T | undefined,
): SecurityDependency<Credential<T, O>, Inputs> {
  const { schemeName = name, description, autoError = true }: SchemeOptions = options ?? {}
  const declared = description === undefined ? definition : { ...definition, description }
  return new SecurityDependency({ name: schemeName, definition: declared }, (request) => {
    const credential = read(request)
    if (credential === undefined && autoError) unauthorized(challenge)
    // Undefined only when autoError is false, which is when Credential<T, O> includes undefined.
    return credential as Credential<T, O>
  })
}

/**
 * OAuth2 with the password flow and a bearer token (FastAPI's `OAuth2PasswordBearer`): gives the token of
 * `Authorization: Bearer <token>`. `tokenUrl` is the route that takes the user's name and password as a
 * form ({@link oauth2PasswordRequestForm}) and answers `{ access_token, token_type: 'bearer' }`; `/docs`
 * sends its Authorize dialog there.
 *
 * @example
 * const oauth2Scheme = oauth2PasswordBearer({ tokenUrl: 'token' })
 * const currentUser = depends({ token: oauth2Scheme }, ({ token }) => userOfToken(token))
 * app.get('/users/me', { params: { user: currentUser } }, ({ user }) => user)
 */
export function oauth2PasswordBearer<const O extends SchemeOptions>(
  options: O & { tokenUrl: string; scopes?: Record<string, string> },
): SecurityDependency<Credential<string, O>> {
  const { tokenUrl, scopes = {} } = options
  const definition = { type: 'oauth2', flows: { password: { scopes, tokenUrl } } }
  return scheme(options, 'OAuth2PasswordBearer', definition, 'Bearer', (request) => {
    const { scheme, param } = authorization(request)
    return scheme.toLowerCase() === 'bearer' && param ? param : undefined
  })
}

/**
 * HTTP bearer authentication (FastAPI's `HTTPBearer`): gives `{ scheme, credentials }` of
 * `Authorization: Bearer <token>`; another scheme is answered as a missing one.
 *
 * @example
 * const bearer = httpBearer()
 * app.get('/me', { params: { auth: bearer } }, ({ auth }) => ({ token: auth.credentials }))
 */
export function httpBearer<const O extends SchemeOptions & { bearerFormat?: string } = {}>(
  options?: O,
): SecurityDependency<Credential<HTTPAuthorizationCredentials, O>> {
  const { bearerFormat } = options ?? {}
  const definition =
    bearerFormat === undefined
      ? { type: 'http', scheme: 'bearer' }
      : { type: 'http', scheme: 'bearer', bearerFormat }
  return scheme(options, 'HTTPBearer', definition, 'Bearer', (request) => {
    const { scheme, param } = authorization(request)
    return scheme.toLowerCase() === 'bearer' && param ? { scheme, credentials: param } : undefined
  })
}

/**
 * HTTP basic authentication (FastAPI's `HTTPBasic`): gives `{ username, password }` of
 * `Authorization: Basic <base64>`. A missing header is a 401 whose challenge names `realm` when given, so
 * a browser asks for the credentials; a header that does not decode is a 401 even with `autoError: false`,
 * as FastAPI answers. Compare passwords with `crypto.timingSafeEqual`.
 *
 * @example
 * const basic = httpBasic({ realm: 'admin' })
 * app.get('/users/me', { params: { credentials: basic } }, ({ credentials }) => ({ username: credentials.username }))
 */
export function httpBasic<const O extends SchemeOptions & { realm?: string } = {}>(
  options?: O,
): SecurityDependency<Credential<HTTPBasicCredentials, O>> {
  const { realm } = options ?? {}
  const challenge = realm ? `Basic realm="${realm}"` : 'Basic'
  const definition = { type: 'http', scheme: 'basic' }
  return scheme(options, 'HTTPBasic', definition, challenge, (request) => {
    const { scheme, param } = authorization(request)
    if (scheme.toLowerCase() !== 'basic') return undefined
    return decodeBasic(param) ?? unauthorized(challenge)
  })
}

/** `user:pass` in strict base64 and ASCII, as Python's `b64decode(...).decode('ascii')` accepts it. */
function decodeBasic(param: string): HTTPBasicCredentials | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(param)) return undefined
  const bytes = Buffer.from(param, 'base64')
  if (bytes.some((byte) => byte > 0x7f)) return undefined
  const text = bytes.toString('ascii')
  const colon = text.indexOf(':')
  if (colon === -1) return undefined
  return { username: text.slice(0, colon), password: text.slice(colon + 1) }
}

type KeyLocation = 'header' | 'query' | 'cookie'

const KEY_SCHEME_NAMES = { header: 'APIKeyHeader', query: 'APIKeyQuery', cookie: 'APIKeyCookie' } as const

/** The key an API key scheme reads, as a typed client sends it: an optional parameter named `N`. */
type KeyInput<N extends string, L extends 'query' | 'cookie'> = {
  readonly [K in N]: Param<string | undefined, L, { optional: true; alias: N }>
}

function apiKey<O extends SchemeOptions, Inputs = {}>(
  location: KeyLocation,
  options: O & { name: string },
  read: (request: FastifyRequest, name: string) => unknown,
): SecurityDependency<Credential<string, O>, Inputs> {
  const { name } = options
  const definition = { type: 'apiKey', in: location, name }
  // The challenge is not standard for API keys, but a 401 must carry one (RFC 9110); FastAPI sends `APIKey`.
  return scheme(options, KEY_SCHEME_NAMES[location], definition, 'APIKey', (request) => {
    const raw = read(request, name)
    // A repeated query parameter or header counts by its last value, as other parameters do.
    const key = Array.isArray(raw) ? raw.at(-1) : raw
    return typeof key === 'string' && key !== '' ? key : undefined
  })
}

/**
 * An API key in a header (FastAPI's `APIKeyHeader`): gives the header's value.
 *
 * @example
 * const apiKey = apiKeyHeader({ name: 'X-API-Key' })
 * app.get('/items/', { params: { key: apiKey } }, ({ key }) => checkKey(key))
 */
export function apiKeyHeader<const O extends SchemeOptions>(
  options: O & { name: string },
): SecurityDependency<Credential<string, O>> {
  return apiKey('header', options, (request, name) => request.headers[name.toLowerCase()])
}

/**
 * An API key in the query string (FastAPI's `APIKeyQuery`): gives `?api_key=…`'s value. Query strings end
 * up in logs and browser histories; prefer a header.
 *
 * @example
 * const apiKey = apiKeyQuery({ name: 'api_key' })
 */
export function apiKeyQuery<const O extends SchemeOptions, const N extends string>(
  options: O & { name: N },
): SecurityDependency<Credential<string, O>, KeyInput<N, 'query'>> {
  return apiKey('query', options, (request, name) => {
    const query = request.query as Record<string, unknown> | undefined
    return query && Object.hasOwn(query, name) ? query[name] : undefined
  })
}

/**
 * An API key in a cookie (FastAPI's `APIKeyCookie`): gives the cookie's value.
 *
 * @example
 * const session = apiKeyCookie({ name: 'session' })
 */
export function apiKeyCookie<const O extends SchemeOptions, const N extends string>(
  options: O & { name: N },
): SecurityDependency<Credential<string, O>, KeyInput<N, 'cookie'>> {
  return apiKey('cookie', options, (request, name) => {
    const cookies = parseCookieHeader(request.headers.cookie ?? '')
    return Object.hasOwn(cookies, name) ? cookies[name] : undefined
  })
}

/** What {@link oauth2PasswordRequestForm} gives: the fields of OAuth2's password grant (RFC 6749 §4.3.2). */
export interface OAuth2PasswordRequest {
  grant_type: string | undefined
  username: string
  password: string
  /** The `scope` field split on spaces: `'items:read me'` → `['items:read', 'me']`. */
  scopes: string[]
  client_id: string | undefined
  client_secret: string | undefined
}

/**
 * The form of OAuth2's password flow (FastAPI's `OAuth2PasswordRequestForm`), as `/docs`' Authorize dialog
 * sends it to the `tokenUrl` of {@link oauth2PasswordBearer}. The password and client secret are secret:
 * a 422 never echoes them.
 *
 * @example
 * app.post('/token', { params: { login: oauth2PasswordRequestForm } }, async ({ login }) => {
 *   const user = await authenticate(login.username, login.password) ?? HTTPError.raise(400, 'Incorrect username or password')
 *   return { access_token: tokenFor(user), token_type: 'bearer' }
 * })
 */
export const oauth2PasswordRequestForm = depends(
  {
    grant_type: form.string({ optional: true, pattern: '^password$' }),
    username: form.string(),
    password: form.string({ secret: true }),
    scope: form.string({ default: '' }),
    client_id: form.string({ optional: true }),
    client_secret: form.string({ optional: true, secret: true }),
  },
  function oauth2PasswordRequestForm({ scope, ...fields }): OAuth2PasswordRequest {
    return { ...fields, scopes: scope.split(' ').filter((one) => one !== '') }
  },
)
