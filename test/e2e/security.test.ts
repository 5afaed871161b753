/**
 * Security schemes on a real listening server, driven with fetch: each scheme gives its credential to the
 * handler, answers a missing or malformed one with FastAPI's 401 (`{"detail": "Not authenticated"}` and its
 * `WWW-Authenticate` challenge, as FastAPI 0.122 and later), gives `undefined` with `autoError: false`, and
 * works through sub-dependencies; the OAuth2 password flow's token route takes a form.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  apiKeyCookie,
  apiKeyHeader,
  apiKeyQuery,
  createApp,
  depends,
  HTTPError,
  httpBasic,
  httpBearer,
  oauth2PasswordBearer,
  oauth2PasswordRequestForm,
  type App,
} from 'onemodel-ts'

const oauth2Scheme = oauth2PasswordBearer({ tokenUrl: 'token' })
const optionalToken = oauth2PasswordBearer({ tokenUrl: 'token', autoError: false })
const currentUser = depends({ token: oauth2Scheme }, function currentUser({ token }) {
  return token === 'johndoe-token'
    ? { username: 'johndoe' }
    : HTTPError.raise(401, 'Invalid token', { 'WWW-Authenticate': 'Bearer' })
})

function securedApp(): App {
  const app = createApp()
  app.post('/token', { params: { login: oauth2PasswordRequestForm } }, function login({ login }) {
    if (login.username !== 'johndoe' || login.password !== 'secret') {
      throw new HTTPError(400, 'Incorrect username or password')
    }
    return { access_token: 'johndoe-token', token_type: 'bearer', scopes: login.scopes }
  })
  app.get('/users/me', { params: { user: currentUser } }, ({ user }) => user)
  app.get('/maybe', { params: { token: optionalToken } }, ({ token }) => ({ token: token ?? null }))
  app.get('/bearer', { params: { auth: httpBearer() } }, ({ auth }) => auth)
  app.get('/bearer-optional', { params: { auth: httpBearer({ autoError: false }) } }, ({ auth }) => ({
    auth: auth ?? null,
  }))
  app.get('/basic', { params: { credentials: httpBasic() } }, ({ credentials }) => credentials)
  app.get('/realm', { params: { credentials: httpBasic({ realm: 'admin area' }) } }, ({ credentials }) => ({
    username: credentials.username,
  }))
  app.get(
    '/basic-optional',
    { params: { credentials: httpBasic({ autoError: false }) } },
    ({ credentials }) => ({
      credentials: credentials ?? null,
    }),
  )
  app.get('/header-key', { params: { key: apiKeyHeader({ name: 'X-API-Key' }) } }, ({ key }) => ({ key }))
  app.get('/query-key', { params: { key: apiKeyQuery({ name: 'api_key' }) } }, ({ key }) => ({ key }))
  app.get('/cookie-key', { params: { key: apiKeyCookie({ name: 'session' }) } }, ({ key }) => ({ key }))
  app.get(
    '/cookie-optional',
    { params: { key: apiKeyCookie({ name: 'session', autoError: false }) } },
    ({ key }) => ({
      key: key ?? null,
    }),
  )
  return app
}

interface Answer {
  status: number
  challenge: string | null
  body: unknown
}

let app: App
let origin: string

before(async () => {
  app = securedApp()
  origin = await app.listen({ port: 0, signals: false })
})
after(() => app.close())

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${origin}${path}`, init)
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    body: await response.json(),
  }
}

const notAuthenticated = (challenge: string): Answer => ({
  status: 401,
  challenge,
  body: { detail: 'Not authenticated' },
})

const basic = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`

describe('OAuth2 password bearer', () => {
  test('the token route takes the password form and the token opens the protected route', async () => {
    const token = await call('/token', {
      method: 'POST',
      body: new URLSearchParams({ username: 'johndoe', password: 'secret', scope: 'me items:read' }),
    })
    assert.deepEqual(token, {
      status: 200,
      challenge: null,
      body: { access_token: 'johndoe-token', token_type: 'bearer', scopes: ['me', 'items:read'] },
    })
    const me = await call('/users/me', { headers: { authorization: 'Bearer johndoe-token' } })
    assert.deepEqual(me, { status: 200, challenge: null, body: { username: 'johndoe' } })
  })

  test('no token, another scheme or an empty token: 401 with the Bearer challenge', async () => {
    assert.deepEqual(await call('/users/me'), notAuthenticated('Bearer'))
    assert.deepEqual(
      await call('/users/me', { headers: { authorization: basic('a:b') } }),
      notAuthenticated('Bearer'),
    )
    assert.deepEqual(
      await call('/users/me', { headers: { authorization: 'Bearer' } }),
      notAuthenticated('Bearer'),
    )
    assert.deepEqual(
      await call('/users/me', { headers: { authorization: 'Bearer   ' } }),
      notAuthenticated('Bearer'),
    )
  })

  test('the scheme is case-insensitive; a token the dependency refuses gets its own answer', async () => {
    const me = await call('/users/me', { headers: { authorization: 'bearer johndoe-token' } })
    assert.equal(me.status, 200)
    assert.deepEqual(await call('/users/me', { headers: { authorization: 'Bearer forged' } }), {
      status: 401,
      challenge: 'Bearer',
      body: { detail: 'Invalid token' },
    })
  })

  test('autoError: false gives undefined instead of a 401', async () => {
    assert.deepEqual(await call('/maybe'), { status: 200, challenge: null, body: { token: null } })
    const given = await call('/maybe', { headers: { authorization: 'Bearer abc' } })
    assert.deepEqual(given.body, { token: 'abc' })
  })

  test("a wrong password is the route's own 400; a missing field or a bad grant type a 422 without the password", async () => {
    const wrong = await call('/token', {
      method: 'POST',
      body: new URLSearchParams({ username: 'johndoe', password: 'guess' }),
    })
    assert.deepEqual(wrong, {
      status: 400,
      challenge: null,
      body: { detail: 'Incorrect username or password' },
    })
    const missing = await call('/token', {
      method: 'POST',
      body: new URLSearchParams({ username: 'johndoe' }),
    })
    assert.deepEqual(missing.body, {
      detail: [{ type: 'missing', loc: ['body', 'password'], msg: 'Field required', input: null }],
    })
    const badGrant = await call('/token', {
      method: 'POST',
      body: new URLSearchParams({ username: 'johndoe', password: 'hunter2', grant_type: 'implicit' }),
    })
    assert.equal(badGrant.status, 422)
    assert.ok(!JSON.stringify(badGrant.body).includes('hunter2'))
    assert.deepEqual((badGrant.body as { detail: { loc: unknown[] }[] }).detail[0]!.loc, [
      'body',
      'grant_type',
    ])
  })
})

describe('HTTP bearer', () => {
  test('gives the scheme and the token', async () => {
    const answer = await call('/bearer', { headers: { authorization: 'Bearer abc.def' } })
    assert.deepEqual(answer.body, { scheme: 'Bearer', credentials: 'abc.def' })
  })

  test('missing, or another scheme: 401 with the Bearer challenge; optional gives undefined', async () => {
    assert.deepEqual(await call('/bearer'), notAuthenticated('Bearer'))
    assert.deepEqual(
      await call('/bearer', { headers: { authorization: 'Token abc' } }),
      notAuthenticated('Bearer'),
    )
    assert.deepEqual((await call('/bearer-optional')).body, { auth: null })
    const other = await call('/bearer-optional', { headers: { authorization: 'Token abc' } })
    assert.deepEqual(other.body, { auth: null })
  })
})

describe('HTTP basic', () => {
  test('gives the user name and password; the password may hold colons', async () => {
    const answer = await call('/basic', { headers: { authorization: basic('john:pa:ss') } })
    assert.deepEqual(answer, { status: 200, challenge: null, body: { username: 'john', password: 'pa:ss' } })
  })

  test('missing: 401 with the Basic challenge, naming the realm when there is one', async () => {
    assert.deepEqual(await call('/basic'), notAuthenticated('Basic'))
    assert.deepEqual(await call('/realm'), notAuthenticated('Basic realm="admin area"'))
    assert.deepEqual(
      await call('/basic', { headers: { authorization: 'Bearer abc' } }),
      notAuthenticated('Basic'),
    )
  })

  test('credentials that are not base64, not ASCII or have no colon: 401, even with autoError: false', async () => {
    for (const authorization of ['Basic !!!', basic('no-colon'), basic('jöhn:pw'), 'Basic YQ']) {
      assert.deepEqual(
        await call('/basic', { headers: { authorization } }),
        notAuthenticated('Basic'),
        authorization,
      )
      assert.deepEqual(
        await call('/basic-optional', { headers: { authorization } }),
        notAuthenticated('Basic'),
        authorization,
      )
    }
    assert.deepEqual((await call('/basic-optional')).body, { credentials: null })
  })
})

describe('API keys', () => {
  test('in a header, a query parameter or a cookie', async () => {
    assert.deepEqual((await call('/header-key', { headers: { 'x-api-key': 'k1' } })).body, { key: 'k1' })
    assert.deepEqual((await call('/query-key?api_key=k2')).body, { key: 'k2' })
    assert.deepEqual((await call('/cookie-key', { headers: { cookie: 'a=1; session=k3' } })).body, {
      key: 'k3',
    })
  })

  test('missing or empty: 401 with the APIKey challenge; optional gives undefined', async () => {
    assert.deepEqual(await call('/header-key'), notAuthenticated('APIKey'))
    assert.deepEqual(await call('/query-key'), notAuthenticated('APIKey'))
    assert.deepEqual(await call('/query-key?api_key='), notAuthenticated('APIKey'))
    assert.deepEqual(
      await call('/cookie-key', { headers: { cookie: 'other=1' } }),
      notAuthenticated('APIKey'),
    )
    assert.deepEqual((await call('/cookie-optional')).body, { key: null })
  })

  test('a key repeated in the query string counts by its last value', async () => {
    assert.deepEqual((await call('/query-key?api_key=a&api_key=b')).body, { key: 'b' })
  })
})
