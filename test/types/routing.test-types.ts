/**
 * Type tests for routers and route options: a router route's parameters and result are typed as an app
 * route's, a router's and a route's dependencies must be dependencies, a handler may return a stream, and
 * `context.response` takes headers, cookies and a status. Checked by `tsc --noEmit` only; nothing here runs.
 */
import {
  body,
  createApp,
  createRouter,
  depends,
  eventStream,
  field,
  fileResponse,
  header,
  list,
  model,
  path,
  query,
  streamResponse,
  type OutgoingResponse,
  type Router,
} from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const HeroPublic = model('HeroPublic', { id: field.integer(), name: field.string() })
const HeroCreate = model('HeroCreate', { name: field.string() })
const Message = model('Message', { message: field.string() })

const verifyToken = depends({ x_token: header.string() }, ({ x_token }) => x_token.length > 0)
const heroes = createRouter({
  prefix: '/heroes',
  tags: ['heroes'],
  dependencies: [verifyToken],
  responses: { 404: { description: 'Not found', model: Message } },
})

// --- A router route is typed as an app route ---

heroes.get(
  '/{hero_id}',
  { params: { hero_id: path.integer(), q: query.string({ optional: true }) }, response: HeroPublic },
  (args) => {
    type _args = Expect<Equal<typeof args, { hero_id: number; q: string | undefined }>>
    // @ts-expect-error a name that was not declared is not an argument
    args.nope
    return { id: args.hero_id, name: 'Deadpond' }
  },
)

heroes.post('/', { params: { hero: body(HeroCreate) }, response: HeroPublic, status: 201 }, ({ hero }) => {
  type _hero = Expect<Equal<typeof hero, { name: string }>>
  return { id: 1, name: hero.name }
})

// @ts-expect-error the result must fit the response model: `name` is missing
heroes.get('/broken', { response: HeroPublic }, () => ({ id: 1 }))

// @ts-expect-error a list response needs an array
heroes.get('/', { response: list(HeroPublic) }, () => ({ id: 1, name: 'x' }))

// --- Options ---

// @ts-expect-error router dependencies are dependencies, not functions
createRouter({ dependencies: [() => true] })

// @ts-expect-error a documented response's model is a model
heroes.get('/x', { responses: { 404: { model: 'Message' } } }, () => null)

heroes.delete(
  '/{hero_id}',
  { params: { hero_id: path.integer() }, status: 204, dependencies: [verifyToken], includeInSchema: false },
  () => undefined,
)

const app = createApp({ dependencies: [verifyToken] })
const included: typeof app = app.include(heroes, { prefix: '/v1', tags: ['v1'] })
const nested: Router = createRouter().include(heroes)
void included
void nested

// --- What a handler sends besides its result ---

app.get('/download', {}, (_args, { response }) => {
  type _response = Expect<Equal<typeof response, OutgoingResponse>>
  response.headers.set('x-cat-dog', 'alone in the world')
  response.setCookie('session', 'abc', { httpOnly: true, maxAge: 60, sameSite: 'strict' })
  response.status = 202
  // @ts-expect-error a cookie's value is a string
  response.setCookie('count', 1)
  return fileResponse('report.csv', { filename: 'report.csv', contentType: 'text/csv' })
})

// A stream is accepted whatever the response model, since it is sent as it is.
app.get('/numbers', { response: HeroPublic }, () => streamResponse(['1', '2'], { contentType: 'text/plain' }))
app.get('/events', {}, () => eventStream([{ event: 'tick', data: { n: 1 }, id: '1' }]))

// @ts-expect-error an event's id is a string
eventStream([{ data: 1, id: 1 }])
