import assert from 'node:assert/strict'
import { body, createApp, field, header, HTTPError, model, path } from 'onemodel-ts'
import { ClientError, createClient } from 'onemodel-ts/client'

const fakeSecretToken = 'coneofsilence'

const Item = model('Item', {
  id: field.string(),
  title: field.string(),
  description: field.string({ nullable: true, default: null }),
})

const fakeDb: Record<string, typeof Item.Type> = {
  foo: { id: 'foo', title: 'Foo', description: 'There goes my hero' },
  bar: { id: 'bar', title: 'Bar', description: 'The bartenders' },
}

const app = createApp()
  .get(
    '/items/{item_id}',
    { params: { item_id: path.string(), x_token: header.string() }, response: Item },
    function readMain({ item_id, x_token }) {
      if (x_token !== fakeSecretToken) HTTPError.raise(400, 'Invalid X-Token header')
      return fakeDb[item_id] ?? HTTPError.raise(404, 'Item not found')
    },
  )
  .post(
    '/items/',
    { params: { item: body(Item), x_token: header.string() }, response: Item },
    function createItem({ item, x_token }) {
      if (x_token !== fakeSecretToken) HTTPError.raise(400, 'Invalid X-Token header')
      if (item.id in fakeDb) HTTPError.raise(409, 'Item already exists')
      fakeDb[item.id] = item
      return item
    },
  )

const address = await app.listen({ port: 0, signals: false })
const client = createClient<typeof app>(address)

/** The answer's error, for the checks that expect one. */
async function failure(call: Promise<unknown>): Promise<ClientError> {
  const error = await call.then(
    () => assert.fail('the call succeeded'),
    (reason: unknown) => reason,
  )
  assert.ok(error instanceof ClientError)
  return error
}

async function check(name: string, run: () => Promise<void>): Promise<void> {
  await run()
  console.log(`${name} passed`)
}

await check('test_read_item', async () => {
  const item = await client.get('/items/{item_id}', {
    path: { item_id: 'foo' },
    headers: { 'x-token': 'coneofsilence' },
  })
  assert.deepEqual(item, { id: 'foo', title: 'Foo', description: 'There goes my hero' })
})

await check('test_read_item_bad_token', async () => {
  const error = await failure(
    client.get('/items/{item_id}', { path: { item_id: 'foo' }, headers: { 'x-token': 'hailhydra' } }),
  )
  assert.equal(error.status, 400)
  assert.deepEqual(error.body, { detail: 'Invalid X-Token header' })
})

await check('test_read_nonexistent_item', async () => {
  const error = await failure(
    client.get('/items/{item_id}', { path: { item_id: 'baz' }, headers: { 'x-token': 'coneofsilence' } }),
  )
  assert.equal(error.status, 404)
  assert.deepEqual(error.body, { detail: 'Item not found' })
})

await check('test_create_item', async () => {
  const item = await client.post('/items/', {
    headers: { 'x-token': 'coneofsilence' },
    body: { id: 'foobar', title: 'Foo Bar', description: 'The Foo Barters' },
  })
  assert.deepEqual(item, { id: 'foobar', title: 'Foo Bar', description: 'The Foo Barters' })
})

await check('test_create_item_bad_token', async () => {
  const error = await failure(
    client.post('/items/', {
      headers: { 'x-token': 'hailhydra' },
      body: { id: 'bazz', title: 'Bazz', description: 'Drop the bazz' },
    }),
  )
  assert.equal(error.status, 400)
  assert.deepEqual(error.body, { detail: 'Invalid X-Token header' })
})

await check('test_create_existing_item', async () => {
  const error = await failure(
    client.post('/items/', {
      headers: { 'x-token': 'coneofsilence' },
      body: { id: 'foo', title: 'The Foo ID Stealers', description: 'There goes my stealer' },
    }),
  )
  assert.equal(error.status, 409)
  assert.deepEqual(error.body, { detail: 'Item already exists' })
})

await check('test_read_item_without_token', async () => {
  const error = await failure(client.get('/items/{item_id}', { path: { item_id: 'foo' } }))
  assert.equal(error.status, 422)
  console.log(error.message)
})

await app.close()
