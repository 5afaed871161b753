/**
 * What security schemes add to the OpenAPI document, as FastAPI writes it: `components.securitySchemes`
 * from the declarations, and a `security` requirement on each operation that depends on a scheme, directly
 * or through other dependencies, and on no other operation. The credential itself is no parameter.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  apiKeyCookie,
  apiKeyHeader,
  apiKeyQuery,
  createApp,
  depends,
  httpBasic,
  httpBearer,
  oauth2PasswordBearer,
  query,
} from 'onemodel-ts'

type Json = Record<string, any>

describe('components.securitySchemes', () => {
  test('each scheme under its FastAPI class name, with its options', () => {
    const app = createApp()
    const schemes = {
      oauth2: oauth2PasswordBearer({ tokenUrl: 'token', scopes: { me: 'Read your own data' } }),
      bearer: httpBearer({ bearerFormat: 'JWT', description: 'A JSON Web Token' }),
      basic: httpBasic({ realm: 'ignored by OpenAPI' }),
      header: apiKeyHeader({ name: 'X-API-Key' }),
      query: apiKeyQuery({ name: 'api_key' }),
      cookie: apiKeyCookie({ name: 'session' }),
    }
    app.get('/all', { params: schemes }, () => ({}))
    const document = app.openapi() as Json
    assert.deepEqual(document.components.securitySchemes, {
      OAuth2PasswordBearer: {
        type: 'oauth2',
        flows: { password: { scopes: { me: 'Read your own data' }, tokenUrl: 'token' } },
      },
      HTTPBearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JSON Web Token' },
      HTTPBasic: { type: 'http', scheme: 'basic' },
      APIKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      APIKeyQuery: { type: 'apiKey', in: 'query', name: 'api_key' },
      APIKeyCookie: { type: 'apiKey', in: 'cookie', name: 'session' },
    })
    const operation = document.paths['/all'].get
    assert.deepEqual(operation.security, [
      { OAuth2PasswordBearer: [] },
      { HTTPBearer: [] },
      { HTTPBasic: [] },
      { APIKeyHeader: [] },
      { APIKeyQuery: [] },
      { APIKeyCookie: [] },
    ])
    assert.equal(operation.parameters, undefined, 'a credential is not a parameter')
    assert.equal(operation.responses['422'], undefined, 'a scheme alone validates nothing')
  })

  test('schemeName renames the component; two different schemes with one name are refused', () => {
    const app = createApp()
    app.get('/a', { params: { key: apiKeyHeader({ name: 'X-A', schemeName: 'partner' }) } }, () => ({}))
    app.get('/b', { params: { key: apiKeyHeader({ name: 'X-B', schemeName: 'partner' }) } }, () => ({}))
    assert.throws(() => app.openapi(), {
      code: 'OM_HTTP_ROUTE_DEFINITION',
      message: /Two different security schemes are named 'partner'/,
    })
  })

  test('no scheme, no securitySchemes', () => {
    const app = createApp()
    app.get('/open', {}, () => ({}))
    assert.equal((app.openapi() as Json).components, undefined)
  })
})

describe('operation security', () => {
  test('listed on the operations that use the scheme through sub-dependencies, once, and only on them', () => {
    const oauth2Scheme = oauth2PasswordBearer({ tokenUrl: 'token' })
    const currentUser = depends({ token: oauth2Scheme }, ({ token }) => ({ username: token }))
    const activeUser = depends({ user: currentUser, token: oauth2Scheme }, ({ user }) => user)
    const app = createApp()
    app.get(
      '/users/me',
      { params: { user: activeUser, q: query.string({ optional: true }) } },
      function readMe({ user }) {
        return user
      },
    )
    app.get('/public', {}, function publicPage() {
      return {}
    })
    const document = app.openapi() as Json
    const me = document.paths['/users/me'].get
    assert.deepEqual(me.security, [{ OAuth2PasswordBearer: [] }])
    assert.deepEqual(
      me.parameters.map((p: Json) => p.name),
      ['q'],
    )
    assert.deepEqual(Object.keys(me), ['summary', 'operationId', 'security', 'parameters', 'responses'])
    assert.equal(document.paths['/public'].get.security, undefined)
  })
})
