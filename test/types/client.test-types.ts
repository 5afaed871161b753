/**
 * Type tests for the typed client: an app declared in a chain (or from routers included in one) types each
 * call's path, inputs and answer; a wrong path, a missing or mistyped input, or a field the response model
 * lacks does not compile. Checked by `tsc --noEmit` only; nothing here runs.
 */
import {
  apiKeyCookie,
  apiKeyQuery,
  body,
  cookie,
  createApp,
  createRouter,
  depends,
  eventStream,
  field,
  file,
  files,
  form,
  header,
  list,
  model,
  path,
  query,
  type RouterOptions,
} from 'onemodel-ts'
import { createClient } from 'onemodel-ts/client'
import type { Equal, Expect } from './helpers.ts'

const HeroPublic = model('HeroPublic', {
  id: field.integer(),
  name: field.string(),
  age: field.integer({ nullable: true, default: null }),
  created: field.datetime(),
})
const HeroCreate = model('HeroCreate', {
  name: field.string(),
  secret_name: field.string(),
  age: field.integer({ nullable: true, default: null }),
})
const HeroUpdate = model('HeroUpdate', { name: field.string({ nullable: true, default: null }) })

const verifyToken = depends({ x_token: header.string() }, ({ x_token }) => x_token)
const paging = depends(
  { offset: query.integer({ default: 0 }), limit: query.integer({ default: 100, alias: 'page-size' }) },
  (page) => page,
)

const heroes = createRouter({ prefix: '/heroes', dependencies: [verifyToken] })
  .get(
    '/',
    { params: { page: paging, q: query.string({ optional: true }) }, response: list(HeroPublic) },
    () => [],
  )
  .get(
    '/{hero_id}',
    {
      params: { hero_id: path.integer(), session_id: cookie.string({ optional: true }) },
      response: HeroPublic,
    },
    ({ hero_id }) => ({ id: hero_id, name: 'Deadpond', age: null, created: new Date(), secret_name: 'x' }),
  )
  .post('/', { params: { hero: body(HeroCreate) }, response: HeroPublic, status: 201 }, ({ hero }) => ({
    ...hero,
    id: 1,
    created: new Date(),
  }))
  .patch('/{hero_id}', { params: { hero_id: path.integer(), hero: body(HeroUpdate) } }, ({ hero }) => ({
    changed: Object.keys(hero),
  }))
  .delete('/{hero_id}', { params: { hero_id: path.integer() }, status: 204 }, () => undefined)

const api = createApp()
  .get('/health', {}, () => ({ ok: true as const, at: new Date() }))
  .post(
    '/upload',
    { params: { title: form.string(), note: form.string({ default: '' }), doc: file(), extra: files() } },
    ({ doc }) => ({ size: doc.size }),
  )
  .get('/events', {}, () => eventStream((async function* () {})()))
  .include(heroes, { prefix: '/v1' })

const client = createClient<typeof api>('http://127.0.0.1:8000')

// --- Answers are typed by the response model, as JSON gives them back ---

async function answers(): Promise<void> {
  const hero = await client.get('/v1/heroes/{hero_id}', { path: { hero_id: 1 }, headers: { 'x-token': 't' } })
  type _hero = Expect<Equal<typeof hero, { id: number; name: string; age: number | null; created: string }>>
  // @ts-expect-error HeroPublic has no secret_name: the response model drops it
  hero.secret_name

  const all = await client.get('/v1/heroes/', {
    headers: { 'x-token': 't' },
    query: { 'page-size': 10, q: 'x' },
  })
  type _all = Expect<Equal<typeof all, { id: number; name: string; age: number | null; created: string }[]>>

  const health = await client.get('/health')
  type _health = Expect<Equal<typeof health, { ok: true; at: string }>>

  const patched = await client.patch('/v1/heroes/{hero_id}', {
    path: { hero_id: 1 },
    headers: { 'x-token': 't' },
    body: {},
  })
  type _patched = Expect<Equal<typeof patched, { changed: string[] }>>

  const gone = await client.delete('/v1/heroes/{hero_id}', {
    path: { hero_id: 1 },
    headers: { 'x-token': 't' },
  })
  type _gone = Expect<Equal<typeof gone, undefined>>

  const events = await client.get('/events')
  type _events = Expect<Equal<typeof events, Response>>

  const created = await client.post('/v1/heroes/', {
    headers: { 'x-token': 't', authorization: 'Bearer abc' },
    body: { name: 'Deadpond', secret_name: 'Dive Wilson' },
  })
  type _created = Expect<Equal<(typeof created)['id'], number>>

  await client.post('/upload', {
    form: { title: 'a', doc: new Blob(['x']), extra: [new Blob(['y'])] },
  })
}

// --- Wrong calls do not compile ---

async function wrongCalls(): Promise<void> {
  // @ts-expect-error no such path
  await client.get('/v1/heroes/{id}', { path: { id: 1 } })
  // @ts-expect-error no POST on the path
  await client.post('/health')
  // @ts-expect-error the path parameter is missing
  await client.get('/v1/heroes/{hero_id}', { headers: { 'x-token': 't' } })
  // @ts-expect-error the path parameter is a number
  await client.get('/v1/heroes/{hero_id}', { path: { hero_id: 'one' }, headers: { 'x-token': 't' } })
  // @ts-expect-error the router's dependency reads x-token as a string
  await client.get('/v1/heroes/{hero_id}', { path: { hero_id: 1 }, headers: { 'x-token': 1 } })
  // @ts-expect-error the session cookie is a string
  await client.get('/v1/heroes/{hero_id}', { path: { hero_id: 1 }, cookies: { session_id: 1 } })
  // @ts-expect-error the query parameter goes by its alias
  await client.get('/v1/heroes/', { headers: { 'x-token': 't' }, query: { limit: 10 } })
  // @ts-expect-error secret_name is required by HeroCreate
  await client.post('/v1/heroes/', { headers: { 'x-token': 't' }, body: { name: 'Deadpond' } })
  // @ts-expect-error the route reads no body
  await client.get('/health', { body: {} })
  // @ts-expect-error the form's file is required
  await client.post('/upload', { form: { title: 'a', extra: [] } })
}

void answers
void wrongCalls

// --- Schemes, prefixes, lists, empty answers and bodies on GET ---

const keyed = createApp()
  .get('/by-query', { params: { key: apiKeyQuery({ name: 'api_key' }) } }, () => ({ ok: true }))
  .get('/by-cookie', { params: { key: apiKeyCookie({ name: 'session' }) } }, () => ({ ok: true }))
  .get('/ids', { params: { ids: query.list(field.integer()) } }, ({ ids }) => ids)
  .get('/nothing', {}, () => undefined)
  .get('/search', { params: { filter: body(HeroUpdate) } }, () => [])
const someOptions: RouterOptions = { prefix: '/admin' }
const unknownPrefix = createApp().include(createRouter(someOptions).get('/users', {}, () => []))

async function edges(): Promise<void> {
  const keyedClient = createClient<typeof keyed>('http://127.0.0.1:8000')
  await keyedClient.get('/by-query', { query: { api_key: 'k' } })
  await keyedClient.get('/by-cookie', { cookies: { session: 's' } })
  // @ts-expect-error the API key is a string
  await keyedClient.get('/by-query', { query: { api_key: 1 } })

  await keyedClient.get('/ids', { query: { ids: [1, 2] } })
  // @ts-expect-error a required list has an item at least: an empty one is not sent, and the app answers 422
  await keyedClient.get('/ids', { query: { ids: [] } })

  const nothing = await keyedClient.get('/nothing')
  type _nothing = Expect<Equal<typeof nothing, null>>

  // @ts-expect-error fetch sends no body with a GET: the route cannot be called from a client
  await keyedClient.get('/search', { body: {} })

  // The prefix's type is `string`: any path under it, not a wrong guess.
  const admin = createClient<typeof unknownPrefix>('http://127.0.0.1:8000')
  await admin.get('/admin/users')
}

void edges
