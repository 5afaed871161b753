import { writeFileSync } from 'node:fs'
import {
  body,
  createApp,
  depends,
  eventStream,
  field,
  fileResponse,
  HTTPError,
  model,
  path,
} from 'onemodel-ts'

const Item = model('Item', {
  name: field.string(),
  description: field.string({ nullable: true, default: null }),
  price: field.number(),
})

const ErrorMessage = model('ErrorMessage', { detail: field.string() })

const items = new Map<number, typeof Item.Type>()

const app = createApp()

app.post(
  '/items/',
  {
    params: { item: body(Item) },
    response: Item,
    status: 201,
    tags: ['items'],
    summary: 'Create an item',
    description: 'Create an item with all the information: name, description and price.',
  },
  function createItem({ item }, { response }) {
    const id = items.size + 1
    items.set(id, item)
    response.headers.set('location', `/items/${id}`)
    return item
  },
)

app.get(
  '/items/{item_id}',
  {
    params: { item_id: path.integer() },
    response: Item,
    tags: ['items'],
    responses: { 404: { description: 'The item was not found', model: ErrorMessage } },
  },
  function readItem({ item_id }) {
    return items.get(item_id) ?? HTTPError.raise(404, 'Item not found')
  },
)

app.delete(
  '/items/{item_id}',
  { params: { item_id: path.integer() }, status: 204, tags: ['items'] },
  function deleteItem({ item_id }) {
    if (!items.delete(item_id)) HTTPError.raise(404, 'Item not found')
  },
)

app.get(
  '/elements/',
  { tags: ['items'], deprecated: true, operationId: 'listElements' },
  function readElements() {
    return [{ item_id: 'Foo' }]
  },
)

app.get('/health', { includeInSchema: false }, function health() {
  return { ok: true }
})

app.post('/cookie-and-object/', {}, function createCookie(_args, { response }) {
  response.setCookie('fakesession', 'fake-cookie-session-value', { httpOnly: true, maxAge: 3600 })
  response.headers.set('x-cat-dog', 'alone in the world')
  return { message: 'Come to the dark side, we have cookies' }
})

writeFileSync('heroes.csv', 'name,age\nDeadpond,\nRusty-Man,48\n')

app.get('/report', {}, function downloadReport() {
  return fileResponse('heroes.csv', { filename: 'heroes-2025.csv', contentType: 'text/csv' })
})

const getConnection = depends(function* getConnection() {
  console.error('connection opened')
  yield 'connection'
  console.error('connection closed')
})

app.get('/countdown', { params: { connection: getConnection } }, function countdown({ connection }) {
  return eventStream(
    (async function* () {
      for (let n = 3; n > 0; n--) yield { event: 'tick', id: String(n), data: { n, connection } }
      yield { event: 'liftoff', data: 'We have\nliftoff' }
    })(),
  )
})

const address = await app.listen({ port: 0, signals: false })

async function call(method: string, url: string, json?: object): Promise<Response> {
  const response = await fetch(address + url, {
    method,
    headers: json === undefined ? {} : { 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  })
  console.log(method, url, response.status, response.headers.get('content-type') ?? '(no content type)')
  return response
}

const created = await call('POST', '/items/', { name: 'Plumbus', price: 9.5 })
console.log(' ', created.headers.get('location'), await created.text())
const missing = await call('GET', '/items/42')
console.log(' ', await missing.text())
const deleted = await call('DELETE', '/items/1')
console.log(' ', JSON.stringify(await deleted.text()))
const cookie = await call('POST', '/cookie-and-object/')
console.log(' ', cookie.headers.getSetCookie()[0], '|', cookie.headers.get('x-cat-dog'))
await cookie.body?.cancel()
const report = await call('GET', '/report')
console.log(' ', report.headers.get('content-disposition'), JSON.stringify(await report.text()))
const countdown = await call('GET', '/countdown')
for (const event of (await countdown.text()).split('\n\n').filter(Boolean)) {
  console.log(' ', event.replaceAll('\n', ' | '))
}

const document = app.openapi() as { paths: Record<string, Record<string, Record<string, unknown>>> }
console.log(Object.keys(document.paths).join(' '))
const { get: readItemOperation } = document.paths['/items/{item_id}']!
console.log(JSON.stringify(readItemOperation!.responses))
const { get: readElementsOperation } = document.paths['/elements/']!
console.log(readElementsOperation!.operationId, readElementsOperation!.deprecated)
console.log(JSON.stringify(document.paths['/items/{item_id}']!.delete!.responses))

await app.close()
