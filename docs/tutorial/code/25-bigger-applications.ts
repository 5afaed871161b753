import { createApp, createRouter, depends, header, HTTPError, path, query } from 'onemodel-ts'

const getTokenHeader = depends({ x_token: header.string() }, function getTokenHeader({ x_token }) {
  if (x_token !== 'fake-super-secret-token') HTTPError.raise(400, 'X-Token header invalid')
})

const getQueryToken = depends({ token: query.string() }, function getQueryToken({ token }) {
  if (token !== 'jessica') HTTPError.raise(400, 'No Jessica token provided')
})

const users = createRouter()

users.get('/users/', { tags: ['users'] }, function readUsers() {
  return [{ username: 'Rick' }, { username: 'Morty' }]
})

users.get('/users/me', { tags: ['users'] }, function readUserMe() {
  return { username: 'fakecurrentuser' }
})

users.get(
  '/users/{username}',
  { params: { username: path.string() }, tags: ['users'] },
  function readUser({ username }) {
    return { username }
  },
)

const fakeItemsDb: Record<string, { name: string }> = {
  plumbus: { name: 'Plumbus' },
  gun: { name: 'Portal Gun' },
}

const items = createRouter({
  prefix: '/items',
  tags: ['items'],
  dependencies: [getTokenHeader],
  responses: { 404: { description: 'Not found' } },
})

items.get('/', {}, function readItems() {
  return fakeItemsDb
})

items.get('/{item_id}', { params: { item_id: path.string() } }, function readItem({ item_id }) {
  const item = fakeItemsDb[item_id] ?? HTTPError.raise(404, 'Item not found')
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

const address = await app.listen({ port: 0, signals: false })

async function call(method: string, url: string, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(address + url, { method, headers })
  console.log(method, url, response.status, JSON.stringify(await response.json()))
}

const token = { 'x-token': 'fake-super-secret-token' }
await call('GET', '/users/?token=jessica')
await call('GET', '/users/rick?token=jessica')
await call('GET', '/users/rick')
await call('GET', '/items/?token=jessica', token)
await call('GET', '/items/gun?token=jessica', token)
await call('GET', '/items/gun?token=jessica', { 'x-token': 'wrong' })
await call('PUT', '/items/gun?token=jessica', token)
await call('POST', '/admin/?token=jessica', token)
await call('GET', '/?token=jessica')

const paths = app.openapi().paths as Record<string, Record<string, { tags?: string[]; responses: object }>>
for (const [url, operations] of Object.entries(paths)) {
  for (const [method, operation] of Object.entries(operations)) {
    const tags = operation.tags?.join(',') ?? '-'
    console.log(
      method.toUpperCase(),
      url,
      `tags: ${tags}`,
      `responses: ${Object.keys(operation.responses).join(',')}`,
    )
  }
}

await app.close()
