/**
 * OAuth2 scopes in the OpenAPI document, compared with what FastAPI 0.142 (pydantic 2.13) writes for the same
 * Python apps: FastAPI's "OAuth2 scopes" tutorial app (docs_src/security/tutorial005), and one of the edge
 * cases (scopes nested two levels, one scheme reached through two chains, a scheme required with scopes
 * in a `dependencies` list, a router's). Each operation lists the scopes of every chain that reaches a
 * scheme, in the order first met, each once; `components.securitySchemes` keeps the scopes' descriptions.
 *
 * Where the tutorial's document differs from FastAPI's, on purpose (each marked below), it is as the
 * documents of test/http/heroes-openapi.test.ts and test/http/forms-openapi.test.ts are:
 * - `"default": null` stays on User's nullable fields: FastAPI drops every `null` when it encodes.
 * - The password form's optional fields are strings, not `string | null`, and its secrets have no
 *   `format: password`.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  apiKeyHeader,
  createApp,
  createRouter,
  depends,
  field,
  HTTPError,
  model,
  oauth2PasswordBearer,
  oauth2PasswordRequestForm,
  security,
  securityScopes,
} from 'onemodel-ts'

const json = (schema: object) => ({ 'application/json': { schema } })
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })
const NULLABLE_STRING = { anyOf: [{ type: 'string' }, { type: 'null' }] }

test("FastAPI's OAuth2 scopes tutorial app: the same document", () => {
  const Token = model('Token', { access_token: field.string(), token_type: field.string() })
  const User = model('User', {
    username: field.string(),
    email: field.string({ nullable: true, default: null }),
    full_name: field.string({ nullable: true, default: null }),
    disabled: field.boolean({ nullable: true, default: null }),
  })
  const oauth2Scheme = oauth2PasswordBearer({
    tokenUrl: 'token',
    scopes: { me: 'Read information about the current user.', items: 'Read items.' },
  })
  const getCurrentUser = depends(
    { security_scopes: securityScopes, token: oauth2Scheme },
    function getCurrentUser({ token }) {
      return User.validate({ username: token })
    },
  )
  const getCurrentActiveUser = depends(
    { current_user: security(getCurrentUser, { scopes: ['me'] }) },
    ({ current_user }) => current_user,
  )
  const app = createApp({ title: 'FastAPI', version: '0.1.0' })
  app.post(
    '/token',
    { params: { form_data: oauth2PasswordRequestForm }, response: Token },
    function loginForAccessToken(): typeof Token.Type {
      throw new HTTPError(400, 'Incorrect username or password')
    },
  )
  app.get(
    '/users/me/',
    { params: { current_user: getCurrentActiveUser }, response: User },
    function readUsersMe({ current_user }) {
      return current_user
    },
  )
  app.get(
    '/users/me/items/',
    { params: { current_user: security(getCurrentActiveUser, { scopes: ['items'] }) } },
    function readOwnItems({ current_user }) {
      return [{ item_id: 'Foo', owner: current_user.username }]
    },
  )
  app.get('/status/', { params: { current_user: getCurrentUser } }, function readSystemStatus() {
    return { status: 'ok' }
  })

  assert.deepEqual(app.openapi(), {
    openapi: '3.1.0',
    info: { title: 'FastAPI', version: '0.1.0' },
    paths: {
      '/token': {
        post: {
          summary: 'Login For Access Token',
          operationId: 'login_for_access_token_token_post',
          requestBody: {
            content: {
              'application/x-www-form-urlencoded': { schema: ref('Body_login_for_access_token_token_post') },
            },
            required: true,
          },
          responses: {
            '200': { description: 'Successful Response', content: json(ref('Token')) },
            '422': { description: 'Validation Error', content: json(ref('HTTPValidationError')) },
          },
        },
      },
      '/users/me/': {
        get: {
          summary: 'Read Users Me',
          operationId: 'read_users_me_users_me__get',
          responses: { '200': { description: 'Successful Response', content: json(ref('User')) } },
          security: [{ OAuth2PasswordBearer: ['me'] }],
        },
      },
      '/users/me/items/': {
        get: {
          summary: 'Read Own Items',
          operationId: 'read_own_items_users_me_items__get',
          responses: { '200': { description: 'Successful Response', content: json({}) } },
          security: [{ OAuth2PasswordBearer: ['items', 'me'] }],
        },
      },
      '/status/': {
        get: {
          summary: 'Read System Status',
          operationId: 'read_system_status_status__get',
          responses: { '200': { description: 'Successful Response', content: json({}) } },
          security: [{ OAuth2PasswordBearer: [] }],
        },
      },
    },
    components: {
      schemas: {
        Body_login_for_access_token_token_post: {
          properties: {
            // A string, not string | null: on purpose, see above (and in each field below).
            grant_type: { type: 'string', pattern: '^password$', title: 'Grant Type' },
            username: { type: 'string', title: 'Username' },
            password: { type: 'string', title: 'Password' },
            scope: { type: 'string', title: 'Scope', default: '' },
            client_id: { type: 'string', title: 'Client Id' },
            client_secret: { type: 'string', title: 'Client Secret' },
          },
          type: 'object',
          required: ['username', 'password'],
          title: 'Body_login_for_access_token_token_post',
        },
        HTTPValidationError: {
          properties: { detail: { items: ref('ValidationError'), type: 'array', title: 'Detail' } },
          type: 'object',
          title: 'HTTPValidationError',
        },
        Token: {
          properties: {
            access_token: { type: 'string', title: 'Access Token' },
            token_type: { type: 'string', title: 'Token Type' },
          },
          type: 'object',
          required: ['access_token', 'token_type'],
          title: 'Token',
        },
        User: {
          properties: {
            username: { type: 'string', title: 'Username' },
            // default: on purpose, see above (and in the two fields below).
            email: { ...NULLABLE_STRING, title: 'Email', default: null },
            full_name: { ...NULLABLE_STRING, title: 'Full Name', default: null },
            disabled: { anyOf: [{ type: 'boolean' }, { type: 'null' }], title: 'Disabled', default: null },
          },
          type: 'object',
          required: ['username'],
          title: 'User',
        },
        ValidationError: {
          properties: {
            loc: {
              items: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
              type: 'array',
              title: 'Location',
            },
            msg: { type: 'string', title: 'Message' },
            type: { type: 'string', title: 'Error Type' },
            input: { title: 'Input' },
            ctx: { type: 'object', title: 'Context' },
          },
          type: 'object',
          required: ['loc', 'msg', 'type'],
          title: 'ValidationError',
        },
      },
      securitySchemes: {
        OAuth2PasswordBearer: {
          type: 'oauth2',
          flows: {
            password: {
              scopes: { me: 'Read information about the current user.', items: 'Read items.' },
              tokenUrl: 'token',
            },
          },
        },
      },
    },
  })
})

test('nested scopes, two chains to one scheme, a scheme in dependencies lists: as FastAPI lists them', () => {
  const oauth2Scheme = oauth2PasswordBearer({
    tokenUrl: 'token',
    scopes: { read: 'Read access', write: 'Write access', admin: 'Administer' },
  })
  const apiKey = apiKeyHeader({ name: 'X-API-Key' })
  const getToken = depends({ token: oauth2Scheme }, ({ token }) => token)
  const scoped = depends({ scopes: securityScopes, token: oauth2Scheme }, ({ scopes }) => scopes.scopes)
  const nested = depends({ s: security(scoped, { scopes: ['b', 'a'] }) }, ({ s }) => s)
  const reader = depends({ token: security(getToken, { scopes: ['read'] }) }, ({ token }) => token)
  const writer = depends({ token: security(getToken, { scopes: ['write'] }) }, ({ token }) => token)

  const app = createApp()
  app.get('/nested', { params: { s: security(nested, { scopes: ['a', 'c'] }) } }, function readNested() {
    return {}
  })
  app.get('/two-chains', { params: { key: apiKey, w: writer, r: reader } }, function twoChains() {
    return {}
  })
  app.get(
    '/scheme-itself',
    { dependencies: [security(oauth2Scheme, { scopes: ['read', 'write'] })] },
    function schemeItself() {
      return {}
    },
  )
  const router = createRouter({
    prefix: '/admin',
    dependencies: [security(oauth2Scheme, { scopes: ['admin'] })],
  })
  router.get(
    '/items/',
    { params: { token: security(getToken, { scopes: ['read', 'admin'] }) } },
    function adminItems() {
      return {}
    },
  )
  app.include(router)

  const document = app.openapi() as {
    paths: Record<string, { get: { security: unknown } }>
    components: object
  }
  const requirements = Object.fromEntries(
    Object.entries(document.paths).map(([path, { get }]) => [path, get.security]),
  )
  assert.deepEqual(requirements, {
    '/nested': [{ OAuth2PasswordBearer: ['a', 'c', 'b'] }],
    '/two-chains': [{ APIKeyHeader: [] }, { OAuth2PasswordBearer: ['write', 'read'] }],
    '/scheme-itself': [{ OAuth2PasswordBearer: ['read', 'write'] }],
    '/admin/items/': [{ OAuth2PasswordBearer: ['admin', 'read'] }],
  })
  assert.deepEqual(document.components, {
    securitySchemes: {
      OAuth2PasswordBearer: {
        type: 'oauth2',
        flows: {
          password: {
            scopes: { read: 'Read access', write: 'Write access', admin: 'Administer' },
            tokenUrl: 'token',
          },
        },
      },
      APIKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    },
  })
})
