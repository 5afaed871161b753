/**
 * The single-model stage of FastAPI's SQL tutorial (examples/heroes/single-model.ts) over real HTTP on
 * SQLite: `Hero` is body, row and response, so every answer carries `secret_name` and a client may pick the
 * `id`. These tests show exactly that, which is why the final app (heroes.test.ts) splits the models.
 */
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import { select, Session } from 'onemodel-ts'
import { Hero, singleModelHeroesApp } from '../../examples/heroes/single-model.ts'
import { tempSqliteUrl } from '../support/sqlite.ts'

interface Answer {
  status: number
  body: unknown
}

async function serve(t: TestContext) {
  const heroes = singleModelHeroesApp(tempSqliteUrl())
  const base = await heroes.app.listen({ port: 0, signals: false })
  t.after(() => heroes.app.close())

  async function call(method: string, path: string, json?: unknown): Promise<Answer> {
    const response = await fetch(`${base}${path}`, {
      method,
      ...(json === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) }),
    })
    return { status: response.status, body: await response.json() }
  }

  async function rows(): Promise<object[]> {
    await using session = new Session(heroes.engine)
    return (await session.exec(select(Hero).orderBy(Hero.c.id)).all()).map((row) => ({ ...row }))
  }

  return { ...heroes, call, rows }
}

const NOT_FOUND = { status: 404, body: { detail: 'Hero not found' } }

describe('sqlite: the single-model Heroes API over HTTP', () => {
  test('POST /heroes/ answers the whole hero, secret_name and the assigned id included', async (t) => {
    const { call, rows } = await serve(t)
    assert.deepEqual(await call('POST', '/heroes/', { name: 'Deadpond', secret_name: 'Dive Wilson' }), {
      status: 200,
      body: { id: 1, name: 'Deadpond', age: null, secret_name: 'Dive Wilson' },
    })
    assert.deepEqual(
      await call('POST', '/heroes/', { name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 }),
      {
        status: 200,
        body: { id: 2, name: 'Rusty-Man', age: 48, secret_name: 'Tommy Sharp' },
      },
    )
    assert.deepEqual(await rows(), [
      { id: 1, name: 'Deadpond', age: null, secret_name: 'Dive Wilson' },
      { id: 2, name: 'Rusty-Man', age: 48, secret_name: 'Tommy Sharp' },
    ])
  })

  test('GET /heroes/ and GET /heroes/{hero_id} show every secret_name', async (t) => {
    const { call } = await serve(t)
    await call('POST', '/heroes/', { name: 'Deadpond', secret_name: 'Dive Wilson' })
    await call('POST', '/heroes/', { name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16 })
    const deadpond = { id: 1, name: 'Deadpond', age: null, secret_name: 'Dive Wilson' }
    const spiderBoy = { id: 2, name: 'Spider-Boy', age: 16, secret_name: 'Pedro Parqueador' }
    assert.deepEqual(await call('GET', '/heroes/'), { status: 200, body: [deadpond, spiderBoy] })
    assert.deepEqual(await call('GET', '/heroes/?offset=1&limit=1'), { status: 200, body: [spiderBoy] })
    assert.deepEqual(await call('GET', '/heroes/2'), { status: 200, body: spiderBoy })
    assert.deepEqual(await call('GET', '/heroes/3'), NOT_FOUND)
  })

  test('the client may choose the id, since the body is the table model; a taken id is a 409', async (t) => {
    const { call, rows } = await serve(t)
    const body = { id: 9000, name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 }
    assert.deepEqual(await call('POST', '/heroes/', body), { status: 200, body })
    assert.deepEqual(await call('GET', '/heroes/9000'), { status: 200, body })
    assert.deepEqual(
      await call('POST', '/heroes/', { id: 9000, name: 'Deadpond', secret_name: 'Dive Wilson' }),
      {
        status: 409,
        body: { detail: 'Conflict: a row with the same value already exists (hero.id).' },
      },
    )
    assert.deepEqual(await call('POST', '/heroes/', { name: 'Deadpond', secret_name: 'Dive Wilson' }), {
      status: 200,
      body: { id: 9001, name: 'Deadpond', age: null, secret_name: 'Dive Wilson' },
    })
    assert.deepEqual(await rows(), [
      body,
      { id: 9001, name: 'Deadpond', age: null, secret_name: 'Dive Wilson' },
    ])
  })

  test('the table model validates the body: a missing secret_name is a 422, not a database error', async (t) => {
    const { call, rows } = await serve(t)
    assert.deepEqual(await call('POST', '/heroes/', { name: 'Deadpond' }), {
      status: 422,
      body: {
        detail: [
          {
            type: 'missing',
            loc: ['body', 'secret_name'],
            msg: 'Field required',
            input: { name: 'Deadpond' },
          },
        ],
      },
    })
    assert.deepEqual(await rows(), [])
  })

  test('DELETE answers {"ok": true}, and the hero is gone', async (t) => {
    const { call, rows } = await serve(t)
    await call('POST', '/heroes/', { name: 'Deadpond', secret_name: 'Dive Wilson' })
    await call('POST', '/heroes/', { name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 })
    assert.deepEqual(await call('DELETE', '/heroes/1'), { status: 200, body: { ok: true } })
    assert.deepEqual(await call('GET', '/heroes/1'), NOT_FOUND)
    assert.deepEqual(await call('DELETE', '/heroes/1'), NOT_FOUND)
    assert.deepEqual(await call('GET', '/heroes/'), {
      status: 200,
      body: [{ id: 2, name: 'Rusty-Man', age: 48, secret_name: 'Tommy Sharp' }],
    })
    assert.deepEqual(await rows(), [{ id: 2, name: 'Rusty-Man', age: 48, secret_name: 'Tommy Sharp' }])
  })

  test('the OpenAPI document has one model, Hero, as body and as answer', async (t) => {
    const { call } = await serve(t)
    const { status, body } = await call('GET', '/openapi.json')
    assert.equal(status, 200)
    const document = body as {
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>
      components: { schemas: Record<string, unknown> }
    }
    const hero = { 'application/json': { schema: { $ref: '#/components/schemas/Hero' } } }
    assert.deepEqual(document.paths['/heroes/']!.post!.requestBody, { required: true, content: hero })
    assert.deepEqual(document.paths['/heroes/']!.post!.responses['200'], {
      description: 'Successful Response',
      content: hero,
    })
    assert.deepEqual(document.paths['/heroes/{hero_id}']!.get!.responses['200'], {
      description: 'Successful Response',
      content: hero,
    })
    assert.deepEqual(Object.keys(document.components.schemas), [
      'HTTPValidationError',
      'Hero',
      'ValidationError',
    ])
    assert.deepEqual(document.components.schemas.Hero, {
      type: 'object',
      properties: {
        id: { type: 'integer', title: 'Id' },
        name: { type: 'string', title: 'Name' },
        age: { anyOf: [{ type: 'integer' }, { type: 'null' }], title: 'Age', default: null },
        secret_name: { type: 'string', title: 'Secret Name' },
      },
      required: ['name', 'secret_name'],
      title: 'Hero',
    })
  })
})
