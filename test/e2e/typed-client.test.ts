/**
 * The typed client on a real listening server: every input section reaches the route as the route reads
 * it (path, query with aliases, lists and dates, headers, cookies, JSON body, urlencoded and multipart
 * forms), answers come back as JSON, `undefined` for a 204 and the Response for a stream, and an error
 * status rejects with a ClientError carrying the app's body. Its types are tested in
 * test/types/client.test-types.ts.
 */
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import Fastify from 'fastify'
import {
  body,
  cookie,
  createApp,
  createRouter,
  depends,
  eventStream,
  field,
  file,
  form,
  header,
  HTTPError,
  list,
  model,
  path,
  query,
} from 'onemodel-ts'
import { ClientError, createClient } from 'onemodel-ts/client'

const HeroPublic = model('HeroPublic', { id: field.integer(), name: field.string() })
const HeroCreate = model('HeroCreate', {
  name: field.string(),
  secret_name: field.string({ secret: true }),
  born: field.datetime({ nullable: true, default: null }),
})

const verifyToken = depends({ x_token: header.string() }, ({ x_token }) => {
  if (x_token !== 'fake-super-secret-token') HTTPError.raise(400, 'X-Token header invalid')
})

function heroesApi() {
  const heroes: { id: number; name: string; secret_name: string }[] = [
    { id: 1, name: 'Deadpond', secret_name: 'Dive Wilson' },
  ]
  const router = createRouter({ prefix: '/heroes', dependencies: [verifyToken] })
    .get(
      '/',
      {
        params: {
          offset: query.integer({ default: 0 }),
          limit: query.integer({ default: 100, alias: 'page-size' }),
          name: query.list(field.string(), { default: [] }),
        },
        response: list(HeroPublic),
      },
      ({ offset, limit, name }) =>
        heroes.filter((hero) => name.length === 0 || name.includes(hero.name)).slice(offset, offset + limit),
    )
    .get(
      '/{hero_id}',
      { params: { hero_id: path.integer() }, response: HeroPublic },
      ({ hero_id }) => heroes.find((hero) => hero.id === hero_id) ?? HTTPError.raise(404, 'Hero not found'),
    )
    .post('/', { params: { hero: body(HeroCreate) }, response: HeroPublic, status: 201 }, ({ hero }) => {
      const created = { ...hero, id: heroes.length + 1 }
      heroes.push(created)
      return created
    })
    .delete('/{hero_id}', { params: { hero_id: path.integer() }, status: 204 }, ({ hero_id }) => {
      heroes.splice(
        heroes.findIndex((hero) => hero.id === hero_id),
        1,
      )
    })
  return createApp()
    .get(
      '/echo',
      {
        params: {
          since: query.datetime(),
          verbose: query.boolean({ default: false }),
          user_agent: header.string(),
          session: cookie.string({ optional: true }),
        },
      },
      ({ since, verbose, user_agent, session }) => ({ since, verbose, user_agent, session }),
    )
    .post(
      '/login',
      { params: { username: form.string(), password: form.string({ secret: true }) } },
      ({ username }) => ({ username }),
    )
    .post('/upload', { params: { title: form.string(), doc: file() } }, ({ title, doc }) => ({
      title,
      filename: doc.filename,
      size: doc.size,
    }))
    .get('/events', {}, () =>
      eventStream(
        (function* () {
          yield { data: 'one' }
        })(),
      ),
    )
    .include(router, { prefix: '/v1' })
}

async function serve(t: TestContext) {
  const app = heroesApi()
  const base = await app.listen({ port: 0, signals: false })
  t.after(() => app.close())
  return createClient<typeof app>(base, { headers: { 'x-token': 'fake-super-secret-token' } })
}

describe('typed client', () => {
  test('calls a route by its path template, with the path parameter filled in and the client’s headers', async (t) => {
    const client = await serve(t)
    const hero = await client.get('/v1/heroes/{hero_id}', { path: { hero_id: 1 } })
    assert.deepEqual(hero, { id: 1, name: 'Deadpond' })
  })

  test('sends the query by the parameters’ request names, a list as repeated parameters', async (t) => {
    const client = await serve(t)
    await client.post('/v1/heroes/', { body: { name: 'Rusty-Man', secret_name: 'Tommy Sharp' } })
    await client.post('/v1/heroes/', { body: { name: 'Spider-Boy', secret_name: 'Pedro Parqueador' } })
    const some = await client.get('/v1/heroes/', { query: { name: ['Deadpond', 'Spider-Boy'] } })
    assert.deepEqual(
      some.map((hero) => hero.name),
      ['Deadpond', 'Spider-Boy'],
    )
    const page = await client.get('/v1/heroes/', { query: { offset: 1, 'page-size': 1 } })
    assert.deepEqual(page, [{ id: 2, name: 'Rusty-Man' }])
  })

  test('a JSON body goes through the body model, and the answer keeps only the response model’s fields', async (t) => {
    const client = await serve(t)
    const created = await client.post('/v1/heroes/', {
      body: { name: 'Rusty-Man', secret_name: 'Tommy Sharp', born: new Date('1990-01-01T00:00:00Z') },
    })
    assert.deepEqual(created, { id: 2, name: 'Rusty-Man' })
  })

  test('dates, booleans, declared headers and cookies are sent as the route reads them', async (t) => {
    const client = await serve(t)
    const echoed = await client.get('/echo', {
      query: { since: new Date('2026-12-05T10:00:00Z'), verbose: true },
      headers: { 'user-agent': 'typed-client' },
      cookies: { session: 'a b;c' },
    })
    assert.deepEqual(echoed, {
      since: '2026-12-05T10:00:00.000Z',
      verbose: true,
      user_agent: 'typed-client',
      session: 'a b;c',
    })
  })

  test('a form is sent urlencoded, and multipart when it holds a file', async (t) => {
    const client = await serve(t)
    assert.deepEqual(await client.post('/login', { form: { username: 'johndoe', password: 'secret' } }), {
      username: 'johndoe',
    })
    const uploaded = await client.post('/upload', {
      form: { title: 'notes', doc: new File(['hello, world'], 'notes.txt', { type: 'text/plain' }) },
    })
    assert.deepEqual(uploaded, { title: 'notes', filename: 'notes.txt', size: 12 })
  })

  test('a 204 resolves to undefined, and a stream to the Response', async (t) => {
    const client = await serve(t)
    assert.equal(await client.delete('/v1/heroes/{hero_id}', { path: { hero_id: 1 } }), undefined)
    const events = await client.get('/events')
    assert.ok(events instanceof Response)
    assert.equal(events.headers.get('content-type'), 'text/event-stream; charset=utf-8')
    assert.equal(await events.text(), 'data: one\n\n')
  })

  test('an error status rejects with a ClientError holding the status and the app’s body', async (t) => {
    const client = await serve(t)
    const missing = await client.get('/v1/heroes/{hero_id}', { path: { hero_id: 404 } }).then(
      () => assert.fail('a 404 resolved'),
      (error: unknown) => error,
    )
    assert.ok(missing instanceof ClientError)
    assert.equal(missing.status, 404)
    assert.deepEqual(missing.body, { detail: 'Hero not found' })
    assert.equal(missing.code, 'OM_CLIENT_HTTP_ERROR')
    assert.equal(missing.message, 'GET /v1/heroes/{hero_id} answered 404: Hero not found')

    // The types forbid a bad token's type, not a bad token: the app's 400 comes back as it is.
    const refused = await client
      .get('/v1/heroes/{hero_id}', { path: { hero_id: 1 }, headers: { 'x-token': 'wrong' } })
      .catch((error: unknown) => error)
    assert.ok(refused instanceof ClientError)
    assert.equal(refused.status, 400)
  })

  test('a 422 carries the validation issues, with a secret field’s input redacted by the app', async (t) => {
    const client = await serve(t)
    // A value the types cannot refuse: a name of the wrong length would be, but none is declared; send a
    // hand-built body through the types' escape hatch to see the app's answer reach the caller.
    const invalid: { name: string; secret_name: string } = JSON.parse('{"name": 1, "secret_name": "Dive"}')
    const error = await client.post('/v1/heroes/', { body: invalid }).catch((reason: unknown) => reason)
    assert.ok(error instanceof ClientError)
    assert.equal(error.status, 422)
    assert.deepEqual((error.body as { detail: { loc: unknown[] }[] }).detail[0]!.loc, ['body', 'name'])
  })

  test('a base URL with a path prefixes every route: an app mounted under a prefix', async (t) => {
    const app = createApp().get('/ping', {}, () => ({ pong: true }))
    const server = Fastify()
    await server.register(app.plugin, { prefix: '/mounted' })
    const base = await server.listen({ port: 0, host: '127.0.0.1' })
    t.after(() => server.close())
    const client = createClient<typeof app>(`${base}/mounted`)
    assert.deepEqual(await client.get('/ping'), { pong: true })
    assert.deepEqual(await createClient<typeof app>(`${base}/mounted/`).get('/ping'), { pong: true })
  })

  test('a path value that would change the path is refused before any request: "..", "." or ""', async (t) => {
    const client = await serve(t)
    for (const hero_id of ['..', '.', ''] as unknown as number[]) {
      // The types want a number here; a value from user input reaches the runtime check all the same.
      await assert.rejects(client.delete('/v1/heroes/{hero_id}', { path: { hero_id } }), {
        name: 'TypeError',
        message: /path parameter 'hero_id' is .*which would change the path/,
      })
    }
    assert.deepEqual(await client.get('/v1/heroes/{hero_id}', { path: { hero_id: 1 } }), {
      id: 1,
      name: 'Deadpond',
    })
  })

  test('a handler that returns nothing answers null', async (t) => {
    const app = createApp().get('/nothing', {}, () => undefined)
    const base = await app.listen({ port: 0, signals: false })
    t.after(() => app.close())
    assert.equal(await createClient<typeof app>(base).get('/nothing'), null)
  })

  test('the base URL’s query goes with every request', async (t) => {
    const app = createApp().get(
      '/version',
      { params: { api_version: query.string({ optional: true }) } },
      ({ api_version }) => ({
        api_version,
      }),
    )
    const base = await app.listen({ port: 0, signals: false })
    t.after(() => app.close())
    const client = createClient<typeof app>(`${base}?api_version=2026-12-01`)
    assert.deepEqual(await client.get('/version'), { api_version: '2026-12-01' })
  })

  test('JSON that does not parse is a ClientError with the status and the text, not a SyntaxError', async () => {
    const answers = [
      new Response('', { status: 502, headers: { 'content-type': 'application/json' } }),
      new Response('{"cut', { status: 200, headers: { 'content-type': 'application/json' } }),
    ]
    const client = createClient<ReturnType<typeof heroesApi>>('http://gateway.example', {
      fetch: async () => answers.shift()!,
    })
    for (const status of [502, 200]) {
      const error = await client
        .get('/v1/heroes/{hero_id}', { path: { hero_id: 1 } })
        .catch((e: unknown) => e)
      assert.ok(error instanceof ClientError, `${status}: ${String(error)}`)
      assert.equal(error.status, status)
      assert.equal(typeof error.body, 'string')
    }
  })
})
