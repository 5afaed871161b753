/**
 * Routers (FastAPI's APIRouter, "Bigger Applications") on a real listening server: prefixes join, tags,
 * dependencies and documented responses accumulate outer first, a router's dependencies run (and clean
 * up) for every route, overrides reach router routes, and what cannot work is refused when declared.
 */
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import {
  createApp,
  createRouter,
  depends,
  header,
  HTTPError,
  path,
  query,
  RouteDefinitionError,
  type App,
} from 'onemodel-ts'

async function serve(t: TestContext, app: App): Promise<string> {
  const base = await app.listen({ port: 0, signals: false })
  t.after(() => app.close())
  return base
}

/** The operations of an app's OpenAPI document, by path and method. */
type Paths = Record<string, Record<string, Operation>>
interface Operation {
  tags?: string[]
  operationId: string
  parameters: { name: string; in: string }[]
  responses: Record<string, unknown>
}

function pathsOf(app: App): Paths {
  return app.openapi().paths as Paths
}

async function call(base: string, url: string, init: RequestInit = {}) {
  const response = await fetch(`${base}${url}`, init)
  return { status: response.status, body: (await response.json()) as unknown }
}

/** FastAPI's "Bigger Applications" app: a query token for the whole app, a header token for the items. */
function biggerApplication(events: string[] = []) {
  const getQueryToken = depends({ token: query.string() }, function getQueryToken({ token }) {
    if (token !== 'jessica') HTTPError.raise(400, 'No Jessica token provided')
  })
  const getTokenHeader = depends({ x_token: header.string() }, async function* getTokenHeader({ x_token }) {
    if (x_token !== 'fake-super-secret-token') HTTPError.raise(400, 'X-Token header invalid')
    events.push('token checked')
    yield
    events.push('token cleanup')
  })
  const users = createRouter()
  users.get('/users/', {}, function readUsers() {
    return [{ username: 'Rick' }, { username: 'Morty' }]
  })
  users.get('/users/{username}', { params: { username: path.string() } }, function readUser({ username }) {
    return { username }
  })
  const items = createRouter({
    prefix: '/items',
    tags: ['items'],
    dependencies: [getTokenHeader],
    responses: { 404: { description: 'Not found' } },
  })
  const fakeItems: Record<string, { name: string }> = {
    plumbus: { name: 'Plumbus' },
    gun: { name: 'Portal Gun' },
  }
  items.get('/', {}, function readItems() {
    events.push('handler')
    return fakeItems
  })
  items.get('/{item_id}', { params: { item_id: path.string() } }, function readItem({ item_id }) {
    const item = fakeItems[item_id] ?? HTTPError.raise(404, 'Item not found')
    return { name: item.name, item_id }
  })
  items.put(
    '/{item_id}',
    {
      params: { item_id: path.string() },
      tags: ['custom'],
      responses: { 403: { description: 'Operation forbidden' } },
    },
    function updateItem({ item_id }) {
      if (item_id !== 'plumbus') HTTPError.raise(403, 'You can only update the item: plumbus')
      return { item_id, name: 'The great Plumbus' }
    },
  )
  const admin = createRouter()
  admin.post('/', {}, function updateAdmin() {
    return { message: 'Admin getting schwifty' }
  })
  const app = createApp({ dependencies: [getQueryToken] })
  app.include(users)
  app.include(items)
  app.include(admin, {
    prefix: '/admin',
    tags: ['admin'],
    dependencies: [getTokenHeader],
    responses: { 418: { description: "I'm a teapot" } },
  })
  app.get('/', {}, function root() {
    return { message: 'Hello Bigger Applications!' }
  })
  return { app, getTokenHeader, getQueryToken }
}

const token = { 'x-token': 'fake-super-secret-token' }

describe('routers on a real server', () => {
  test("a router's prefix, and the app's and router's dependencies, apply to each of its routes", async (t) => {
    const events: string[] = []
    const base = await serve(t, biggerApplication(events).app)
    assert.deepEqual(await call(base, '/users/rick?token=jessica'), {
      status: 200,
      body: { username: 'rick' },
    })
    assert.deepEqual(await call(base, '/users/rick'), {
      status: 422,
      body: { detail: [{ type: 'missing', loc: ['query', 'token'], msg: 'Field required', input: null }] },
    })
    assert.deepEqual(await call(base, '/users/rick?token=summer'), {
      status: 400,
      body: { detail: 'No Jessica token provided' },
    })
    assert.deepEqual(await call(base, '/items/gun?token=jessica', { headers: token }), {
      status: 200,
      body: { name: 'Portal Gun', item_id: 'gun' },
    })
    assert.deepEqual(await call(base, '/items/gun?token=jessica', { headers: { 'x-token': 'wrong' } }), {
      status: 400,
      body: { detail: 'X-Token header invalid' },
    })
    assert.deepEqual(await call(base, '/items/portal?token=jessica', { headers: token }), {
      status: 404,
      body: { detail: 'Item not found' },
    })
    assert.deepEqual(await call(base, '/items/gun?token=jessica', { method: 'PUT', headers: token }), {
      status: 403,
      body: { detail: 'You can only update the item: plumbus' },
    })
    assert.deepEqual(await call(base, '/admin/?token=jessica', { method: 'POST', headers: token }), {
      status: 200,
      body: { message: 'Admin getting schwifty' },
    })
    assert.deepEqual(await call(base, '/admin/?token=jessica', { method: 'POST' }), {
      status: 422,
      body: { detail: [{ type: 'missing', loc: ['header', 'x-token'], msg: 'Field required', input: null }] },
    })
    assert.deepEqual(await call(base, '/?token=jessica'), {
      status: 200,
      body: { message: 'Hello Bigger Applications!' },
    })
  })

  test('a router dependency runs before the handler and cleans up after the answer, its value unused', async (t) => {
    const events: string[] = []
    const base = await serve(t, biggerApplication(events).app)
    const answer = await call(base, '/items/?token=jessica', { headers: token })
    assert.equal(answer.status, 200)
    const deadline = Date.now() + 1000
    while (!events.includes('token cleanup') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 2))
    assert.deepEqual(events, ['token checked', 'handler', 'token cleanup'])
  })

  test('dependency overrides reach the routes of included routers', async (t) => {
    const { app, getTokenHeader, getQueryToken } = biggerApplication()
    app.dependencyOverrides.set(getTokenHeader, () => undefined)
    app.dependencyOverrides.set(getQueryToken, () => undefined)
    const base = await serve(t, app)
    assert.deepEqual(await call(base, '/items/plumbus'), {
      status: 200,
      body: { name: 'Plumbus', item_id: 'plumbus' },
    })
    assert.deepEqual(await call(base, '/admin/', { method: 'POST' }), {
      status: 200,
      body: { message: 'Admin getting schwifty' },
    })
  })

  test('nested routers: prefixes join and tags accumulate, outermost first', async (t) => {
    const teams = createRouter({ prefix: '/teams', tags: ['teams'] })
    teams.get(
      '/{team_id}',
      { params: { team_id: path.integer() }, tags: ['read'] },
      function readTeam({ team_id }) {
        return { team_id }
      },
    )
    const v1 = createRouter({ prefix: '/v1', tags: ['v1'] }).include(teams, { tags: ['included'] })
    const app = createApp().include(v1, { prefix: '/api' })
    const base = await serve(t, app)
    assert.deepEqual(await call(base, '/api/v1/teams/7'), { status: 200, body: { team_id: 7 } })
    assert.deepEqual(await call(base, '/teams/7'), { status: 404, body: { detail: 'Not Found' } })
    const operation = pathsOf(app)['/api/v1/teams/{team_id}']!.get!
    assert.deepEqual(operation.tags, ['v1', 'included', 'teams', 'read'])
    assert.equal(operation.operationId, 'read_team_api_v1_teams__team_id__get')
  })

  test('a path parameter may come from the include prefix', async (t) => {
    const items = createRouter()
    items.get(
      '/items/{item_id}',
      { params: { user_id: path.integer(), item_id: path.integer() } },
      (args) => args,
    )
    const app = createApp().include(items, { prefix: '/users/{user_id}' })
    const base = await serve(t, app)
    assert.deepEqual(await call(base, '/users/3/items/5'), { status: 200, body: { user_id: 3, item_id: 5 } })
  })

  test('one router included in two apps serves in both', async (t) => {
    const router = createRouter({ prefix: '/ping' }).get('', {}, () => ({ pong: true }))
    for (const app of [createApp().include(router), createApp().include(router, { prefix: '/v2' })]) {
      const base = await serve(t, app)
      assert.deepEqual(await call(base, Object.keys(pathsOf(app))[0]!), { status: 200, body: { pong: true } })
    }
  })
})

describe('the OpenAPI document of included routes', () => {
  test("tags, documented responses (the route's own win) and operation ids as FastAPI writes them", () => {
    const paths = pathsOf(biggerApplication().app)
    assert.deepEqual(Object.keys(paths), [
      '/users/',
      '/users/{username}',
      '/items/',
      '/items/{item_id}',
      '/admin/',
      '/',
    ])
    const readItems = paths['/items/']!.get
    assert.deepEqual(readItems.tags, ['items'])
    assert.equal(readItems.operationId, 'read_items_items__get')
    assert.deepEqual(readItems.responses['404'], { description: 'Not found' })
    // The app's query token and the router's header token are the route's parameters.
    assert.deepEqual(
      readItems.parameters.map((p) => `${p.in}:${p.name}`),
      ['query:token', 'header:x-token'],
    )
    const updateItem = paths['/items/{item_id}']!.put
    assert.deepEqual(updateItem.tags, ['items', 'custom'])
    assert.deepEqual(Object.keys(updateItem.responses).sort(), ['200', '403', '404', '422'])
    const admin = paths['/admin/']!.post
    assert.deepEqual(admin.tags, ['admin'])
    assert.deepEqual(admin.responses['418'], { description: "I'm a teapot" })
    assert.equal(paths['/users/']!.get.tags, undefined, 'a route of no tag has no tags')
  })

  test('a router included with includeInSchema: false is served but not documented', async (t) => {
    const hidden = createRouter().get('/internal', {}, () => ({ ok: true }))
    const app = createApp().include(hidden, { includeInSchema: false })
    app.get('/public', {}, () => ({ ok: true }))
    assert.deepEqual(Object.keys(app.openapi().paths as object), ['/public'])
    const base = await serve(t, app)
    assert.deepEqual(await call(base, '/internal'), { status: 200, body: { ok: true } })
  })
})

describe('what a router refuses when declared', () => {
  test('a route added to a router that was included already', () => {
    const router = createRouter({ prefix: '/items' })
    createApp().include(router)
    assert.throws(() => router.get('/late', {}, () => null), {
      name: 'RouteDefinitionError',
      message: /GET \/late: the router was included already.*Add its routes before including it/,
    })
  })

  test('a prefix that does not start with a slash, or ends with one', () => {
    assert.throws(() => createRouter({ prefix: 'items' }), RouteDefinitionError)
    assert.throws(
      () => createRouter({ prefix: '/items/' }),
      /The prefix '\/items\/' must start with '\/' and not end with '\/'/,
    )
    assert.throws(() => createApp().include(createRouter(), { prefix: '/api/' }), RouteDefinitionError)
  })

  test("an empty path needs a prefix, and a path starts with '/'", () => {
    assert.throws(() => createRouter().get('', {}, () => null), /GET '': a path starts with '\/'/)
    assert.throws(() => createRouter({ prefix: '/items' }).get('list', {}, () => null), RouteDefinitionError)
    assert.doesNotThrow(() => createRouter({ prefix: '/items' }).get('', {}, () => null))
  })

  test('two routers with the same route, and a router including itself', () => {
    const a = createRouter().get('/heroes/{id}', { params: { id: path.integer() } }, () => null)
    const b = createRouter().get('/heroes/{hero_id}', { params: { hero_id: path.integer() } }, () => null)
    const app = createApp().include(a)
    assert.throws(
      () => app.include(b),
      /GET \/heroes\/\{hero_id\} is declared twice \(as GET \/heroes\/\{id\}\)/,
    )
    assert.throws(() => a.include(a), /cannot include itself/)
  })

  test('a dependency that is not one, and a path parameter the template lacks once included', () => {
    assert.throws(
      () => createRouter({ dependencies: [(() => null) as never] }).get('/x', {}, () => null),
      /an item of dependencies is not a dependency/,
    )
    const router = createRouter().get('/items', { params: { item_id: path.integer() } }, () => null)
    assert.throws(() => createApp().include(router), /path parameter 'item_id' is not in the path template/)
  })

  test('an include after the app started', async () => {
    const app = createApp()
    await app.ready()
    try {
      assert.throws(
        () => app.include(createRouter().get('/x', {}, () => null)),
        /must be added before the app starts/,
      )
    } finally {
      await app.close()
    }
  })
})
