/**
 * OAuth2 scopes on a real listening server, driven with fetch, as FastAPI's own tests drive them:
 * `security(dependency, { scopes })` in a route's params, a dependency's params and `dependencies` lists
 * (a router's too); `securityScopes` gives each dependency the scopes of the chain that reached it, from the
 * route down and not from its siblings; a dependency runs once per distinct set of scopes when its value
 * depends on them and once otherwise; and a token without a required scope is refused with FastAPI's
 * tutorial answer, whose challenge is made from `scopeStr`.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  createApp,
  createRouter,
  depends,
  HTTPError,
  oauth2PasswordBearer,
  security,
  securityScopes,
  type App,
} from 'onemodel-ts'

async function get(app: App, path: string, headers: Record<string, string> = {}) {
  const origin = await app.listen({ port: 0, signals: false })
  try {
    const response = await fetch(`${origin}${path}`, { headers })
    return {
      status: response.status,
      challenge: response.headers.get('www-authenticate'),
      body: (await response.json()) as unknown,
    }
  } finally {
    await app.close()
  }
}

const oauth2Scheme = oauth2PasswordBearer({
  tokenUrl: 'token',
  scopes: { me: 'Read information about the current user.', items: 'Read items.' },
})

/** Tokens name their scopes: `johndoe:me items`. */
const currentUser = depends(
  { scopes: securityScopes, token: oauth2Scheme },
  function currentUser({ scopes, token }) {
    const challenge = scopes.scopes.length > 0 ? `Bearer scope="${scopes.scopeStr}"` : 'Bearer'
    const [username = '', granted = ''] = token.split(':')
    const tokenScopes = granted.split(' ')
    for (const scope of scopes.scopes) {
      if (!tokenScopes.includes(scope)) {
        throw new HTTPError(401, 'Not enough permissions', { 'WWW-Authenticate': challenge })
      }
    }
    return { username }
  },
)
const currentActiveUser = depends(
  { user: security(currentUser, { scopes: ['me'] }) },
  function currentActiveUser({ user }) {
    return user
  },
)

describe('scopes required along the chain', () => {
  function tutorialApp(): App {
    const app = createApp()
    app.get('/users/me/', { params: { user: currentActiveUser } }, ({ user }) => user)
    app.get(
      '/users/me/items/',
      { params: { user: security(currentActiveUser, { scopes: ['items'] }) } },
      ({ user }) => [{ item_id: 'Foo', owner: user.username }],
    )
    app.get('/status/', { params: { user: currentUser } }, () => ({ status: 'ok' }))
    return app
  }

  test('a token with every scope of the chain passes', async () => {
    assert.deepEqual(
      await get(tutorialApp(), '/users/me/items/', { authorization: 'Bearer johndoe:me items' }),
      {
        status: 200,
        challenge: null,
        body: [{ item_id: 'Foo', owner: 'johndoe' }],
      },
    )
  })

  test("a token missing a scope gets 401 'Not enough permissions' with the scopes in the challenge", async () => {
    assert.deepEqual(await get(tutorialApp(), '/users/me/items/', { authorization: 'Bearer johndoe:me' }), {
      status: 401,
      challenge: 'Bearer scope="items me"',
      body: { detail: 'Not enough permissions' },
    })
    assert.deepEqual(await get(tutorialApp(), '/users/me/', { authorization: 'Bearer johndoe:items' }), {
      status: 401,
      challenge: 'Bearer scope="me"',
      body: { detail: 'Not enough permissions' },
    })
  })

  test('a route that requires no scope takes any token; no token is the scheme’s own 401', async () => {
    assert.deepEqual(await get(tutorialApp(), '/status/', { authorization: 'Bearer johndoe:' }), {
      status: 200,
      challenge: null,
      body: { status: 'ok' },
    })
    assert.deepEqual(await get(tutorialApp(), '/users/me/items/'), {
      status: 401,
      challenge: 'Bearer',
      body: { detail: 'Not authenticated' },
    })
  })

  test('scopes go down the chain, not across to sibling dependencies', async () => {
    // FastAPI's test_security_scopes_dont_propagate.
    const first = depends({ scopes: securityScopes }, ({ scopes }) => scopes.scopes)
    const second = depends({ scopes: securityScopes }, ({ scopes }) => scopes.scopes)
    const both = depends(
      {
        dep1: security(first, { scopes: ['scope1'] }),
        dep2: security(second, { scopes: ['scope2'] }),
      },
      ({ dep1, dep2 }) => ({ dep1, dep2 }),
    )
    const app = createApp()
    app.get('/scopes', { params: { both: security(both, { scopes: ['scope3'] }) } }, ({ both }) => both)
    assert.deepEqual((await get(app, '/scopes')).body, {
      dep1: ['scope3', 'scope1'],
      dep2: ['scope3', 'scope2'],
    })
  })

  test('a scope already required higher up is listed once, where it was first required', async () => {
    const scopesOf = depends({ scopes: securityScopes }, ({ scopes }) => scopes)
    const middle = depends({ scopes: security(scopesOf, { scopes: ['b', 'a'] }) }, ({ scopes }) => scopes)
    const app = createApp()
    app.get('/', { params: { scopes: security(middle, { scopes: ['a', 'c'] }) } }, ({ scopes }) => ({
      scopes: scopes.scopes,
      scopeStr: scopes.scopeStr,
    }))
    assert.deepEqual((await get(app, '/')).body, { scopes: ['a', 'c', 'b'], scopeStr: 'a c b' })
  })

  test('a scope required again further down is still listed once (FastAPI lists it twice there)', async () => {
    const scopesOf = depends({ scopes: securityScopes }, ({ scopes }) => scopes.scopes)
    const below = depends({ scopes: scopesOf }, ({ scopes }) => scopes)
    const above = depends({ scopes: security(below, { scopes: ['x'] }) }, ({ scopes }) => scopes)
    const app = createApp()
    app.get('/', { params: { scopes: security(above, { scopes: ['x'] }) } }, ({ scopes }) => scopes)
    assert.deepEqual((await get(app, '/')).body, ['x'])
  })

  test('securityScopes of the route itself, or of a dependency used without scopes, is empty', async () => {
    const scopesOf = depends({ scopes: securityScopes }, ({ scopes }) => scopes.scopes)
    const app = createApp()
    app.get('/', { params: { own: securityScopes, dependency: scopesOf } }, ({ own, dependency }) => ({
      own: own.scopes,
      dependency,
    }))
    assert.deepEqual((await get(app, '/')).body, { own: [], dependency: [] })
  })
})

describe('how often a dependency runs', () => {
  test('one that does not depend on scopes runs once, whatever scopes reach it', async () => {
    // FastAPI's test_security_scopes.
    let runs = 0
    const getDb = depends(function getDb() {
      return `db_${++runs}`
    })
    const getUser = depends({ db: getDb }, () => 'user')
    const app = createApp()
    app.get('/', { params: { db: getDb, user: security(getUser, { scopes: ['read'] }) } }, ({ db }) => ({
      db,
    }))
    assert.deepEqual((await get(app, '/')).body, { db: 'db_1' })
    assert.equal(runs, 1)
  })

  test('one that does runs once per distinct set of scopes, with its own value for each', async () => {
    // FastAPI's test_security_scopes_sub_dependency.
    const counts = { session: 0, currentUser: 0, userMe: 0, userItems: 0 }
    const getDbSession = depends(() => `db_session_${++counts.session}`)
    const getCurrentUser = depends(
      { scopes: securityScopes, session: getDbSession },
      ({ scopes, session }) => ({
        user: `user_${++counts.currentUser}`,
        scopes: scopes.scopes,
        db_session: session,
      }),
    )
    const getUserMe = depends({ current_user: security(getCurrentUser, { scopes: ['me'] }) }, (args) => ({
      user_me: `user_me_${++counts.userMe}`,
      ...args,
    }))
    const getUserItems = depends({ user_me: getUserMe }, (args) => ({
      user_items: `user_items_${++counts.userItems}`,
      ...args,
    }))
    const app = createApp()
    app.get(
      '/',
      { params: { user_me: getUserMe, user_items: security(getUserItems, { scopes: ['items'] }) } },
      (args) => args,
    )
    const { body } = await get(app, '/')
    assert.deepEqual(counts, { session: 1, currentUser: 2, userMe: 2, userItems: 1 })
    assert.deepEqual(body, {
      user_me: {
        user_me: 'user_me_1',
        current_user: { user: 'user_1', scopes: ['me'], db_session: 'db_session_1' },
      },
      user_items: {
        user_items: 'user_items_1',
        user_me: {
          user_me: 'user_me_2',
          current_user: { user: 'user_2', scopes: ['items', 'me'], db_session: 'db_session_1' },
        },
      },
    })
  })

  test('the same scopes in another order or repeated are the same set: it runs once', async () => {
    let runs = 0
    const scoped = depends({ scopes: securityScopes }, ({ scopes }) => ({
      run: ++runs,
      scopes: scopes.scopes,
    }))
    const app = createApp()
    app.get(
      '/',
      {
        params: {
          first: security(scoped, { scopes: ['a', 'b'] }),
          second: security(scoped, { scopes: ['b', 'a', 'b'] }),
        },
      },
      (args) => args,
    )
    assert.deepEqual((await get(app, '/')).body, {
      first: { run: 1, scopes: ['a', 'b'] },
      second: { run: 1, scopes: ['a', 'b'] },
    })
  })

  test('an override of a dependency used with scopes gets them, and is keyed as the dependency', async () => {
    const app = createApp()
    app.get('/', { params: { user: security(currentActiveUser, { scopes: ['items'] }) } }, ({ user }) => user)
    app.dependencyOverrides.set(
      currentUser,
      depends({ scopes: securityScopes }, ({ scopes }) => ({ username: scopes.scopeStr })),
    )
    assert.deepEqual((await get(app, '/')).body, { username: 'items me' })
  })

  test('an override keyed by a scoped use replaces the dependency it uses, wherever it is used', async () => {
    const app = createApp()
    app.get('/', { params: { user: security(currentActiveUser, { scopes: ['items'] }) } }, ({ user }) => user)
    const scopedKey = security(currentUser, { scopes: ['me'] })
    app.dependencyOverrides.set(scopedKey, () => ({ username: 'overridden' }))
    assert.ok(app.dependencyOverrides.has(currentUser))
    assert.deepEqual((await get(app, '/')).body, { username: 'overridden' })
    app.dependencyOverrides.delete(scopedKey)
    assert.equal(app.dependencyOverrides.has(currentUser), false)
  })
})

describe('dependencies lists', () => {
  test("a route's and a router's dependencies may require scopes; the checks run, their values go nowhere", async () => {
    const seen: string[][] = []
    const check = depends({ scopes: securityScopes, token: oauth2Scheme }, ({ scopes }) => {
      seen.push([...scopes.scopes])
    })
    const router = createRouter({ prefix: '/admin', dependencies: [security(check, { scopes: ['admin'] })] })
    router.get('/stats', { dependencies: [security(check, { scopes: ['stats'] })] }, () => ({ ok: true }))
    const app = createApp()
    app.include(router)
    const answer = await get(app, '/admin/stats', { authorization: 'Bearer t' })
    assert.deepEqual(answer.body, { ok: true })
    assert.deepEqual(seen, [['admin'], ['stats']])
  })
})

describe('declaring', () => {
  test('security() refuses what is not a scope, which would break the quoted challenge', () => {
    for (const scope of ['', 'two words', 'say"hi"', 'back\\slash', 'new\nline', 'é']) {
      assert.throws(() => security(currentUser, { scopes: [scope] }), { code: 'OM_HTTP_ROUTE_DEFINITION' })
    }
    assert.doesNotThrow(() => security(currentUser, { scopes: ['items:read', 'https://api.example/admin'] }))
  })

  test('security() is immutable and adds to the scopes of a dependency already used with some', () => {
    const required = ['me']
    const once = security(currentUser, { scopes: required })
    required.push('items')
    assert.deepEqual(once.scopes, ['me'])
    assert.throws(() => (once.scopes as string[]).push('x'), TypeError)
    const twice = security(once, { scopes: ['items'] })
    assert.equal(twice.dependency, currentUser)
    assert.deepEqual(twice.scopes, ['me', 'items'])
  })

  test('securityScopes is a parameter: it is refused as a dependency to run or to require scopes of', () => {
    const app = createApp()
    assert.throws(() => app.get('/', { dependencies: [securityScopes] }, () => ({})), {
      code: 'OM_HTTP_ROUTE_DEFINITION',
      message: /securityScopes is a parameter/,
    })
    assert.throws(() => security(securityScopes, { scopes: ['me'] }), { code: 'OM_HTTP_ROUTE_DEFINITION' })
  })

  test('a dependency that depends on itself through a scoped use is refused', () => {
    const params: Record<string, unknown> = {}
    const looping = depends(params as {}, () => 1)
    params.again = security(looping, { scopes: ['x'] })
    const app = createApp()
    assert.throws(() => app.get('/', { params: { looping } }, () => ({})), {
      code: 'OM_HTTP_ROUTE_DEFINITION',
      message: /depends on itself/,
    })
  })
})
