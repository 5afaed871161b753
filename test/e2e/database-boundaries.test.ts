/**
 * Values at the edge of what a database can store, sent over HTTP to both example apps (the Heroes API and
 * the Heroes & Teams API) on SQLite, PostgreSQL and MySQL. A value some database cannot hold is a 422 naming
 * its field on every dialect, before any query runs; a value they can all hold is stored and read back as
 * sent, on every dialect alike. No answer is a 500.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import {
  createAll,
  createApp,
  createEngine,
  depends,
  field,
  Metadata,
  model,
  path,
  REDACTED,
  Session,
  table,
  type Engine,
} from 'onemodel-ts'
import { heroesApp } from '../../examples/heroes/app.ts'
import { teamsApp } from '../../examples/teams/app.ts'
import { DIALECTS } from '../support/dialects.ts'

interface Answer {
  status: number
  // Parsed JSON whose shape depends on the status (a row, or a detail); the assertions check it.
  body: any
}

/** One resource of an example app, and what a valid body for it is. */
interface Resource {
  app: string
  build: (url: string) => { app: ReturnType<typeof createApp>; engine: Engine }
  path: string
  table: string
  /** The path parameter's name in 422 locations. */
  id: string
  valid: Record<string, unknown>
  strings: readonly string[]
  /** The fields declared `secret: true`, whose rejected values a 422 shows as REDACTED. */
  secrets?: readonly string[]
  integers: readonly string[]
}

const RESOURCES: readonly Resource[] = [
  {
    app: 'Heroes API',
    build: heroesApp,
    path: '/heroes/',
    table: 'hero',
    id: 'hero_id',
    valid: { name: 'Deadpond', secret_name: 'Dive Wilson' },
    strings: ['name', 'secret_name'],
    secrets: ['secret_name'],
    integers: ['age'],
  },
  {
    app: 'Heroes & Teams API',
    build: teamsApp,
    path: '/heroes/',
    table: 'hero',
    id: 'hero_id',
    valid: { name: 'Deadpond', secret_name: 'Dive Wilson' },
    strings: ['name', 'secret_name'],
    integers: ['age', 'team_id'],
  },
  {
    app: 'Heroes & Teams API',
    build: teamsApp,
    path: '/teams/',
    table: 'team',
    id: 'team_id',
    valid: { name: 'Preventers', headquarters: 'Sharp Tower' },
    strings: ['name', 'headquarters'],
    integers: [],
  },
]

const MAX = 2147483647
const MIN = -2147483648

/** What a 422 shows of a rejected value: the value, or REDACTED for a secret field. */
const echoed = (resource: Resource, key: string, input: string) =>
  resource.secrets?.includes(key) ? REDACTED : input

const tooBig = (loc: (string | number)[], input: unknown) => ({
  type: 'less_than_equal',
  loc,
  msg: `Input should be less than or equal to ${MAX}`,
  input,
  ctx: { le: MAX },
})

const tooSmall = (loc: (string | number)[], input: unknown) => ({
  type: 'greater_than_equal',
  loc,
  msg: `Input should be greater than or equal to ${MIN}`,
  input,
  ctx: { ge: MIN },
})

const withNul = (loc: (string | number)[], input: string) => ({
  type: 'string_nul',
  loc,
  msg: 'Input should be a valid string without the NUL character (\\u0000)',
  input,
})

const loneSurrogate = (loc: (string | number)[], input: string) => ({
  type: 'string_unicode',
  loc,
  msg: 'Input should be a valid string, a lone surrogate (half of a UTF-16 pair) is not a Unicode character',
  input,
})

/** Text no compression shrinks: 3,000 random base64 characters, more than a PostgreSQL btree row holds. */
const THREE_KB = randomBytes(2250).toString('base64')
const THOUSAND = 'x'.repeat(1000)
// 4,000 bytes of UTF-8: each emoji is 4 bytes, beyond both PostgreSQL's and MySQL's index key limits.
const THOUSAND_EMOJI = '🦸'.repeat(1000)
const EMOJI = 'Déadpond 🦸‍♀️ 漢字 𝄞'

for (const dialect of DIALECTS) {
  for (const resource of RESOURCES) {
    describe(`${dialect.name}: ${resource.app} ${resource.path} at the database's boundaries`, () => {
      let base = ''
      let engine: Engine
      let close = async () => {}
      before(async () => {
        const built = resource.build(await dialect.isolatedUrl())
        engine = built.engine
        base = await built.app.listen({ port: 0, signals: false })
        close = () => built.app.close()
      })
      after(() => close())

      async function call(method: string, url: string, json?: unknown): Promise<Answer> {
        const response = await fetch(`${base}${url}`, {
          method,
          ...(json === undefined
            ? {}
            : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) }),
        })
        assert.match(response.headers.get('content-type') ?? '', /^application\/json/, `${method} ${url}`)
        return { status: response.status, body: await response.json() }
      }

      /**
       * POSTs `body`, expects a 200, and checks that GET reads back exactly what was sent; a field the
       * response leaves out (the Heroes API's secret_name) is read from the database.
       */
      async function roundTrip(body: Record<string, unknown>): Promise<void> {
        const created = await call('POST', resource.path, body)
        assert.equal(created.status, 200, JSON.stringify(created.body).slice(0, 300))
        const read = await call('GET', `${resource.path}${created.body.id}`)
        assert.equal(read.status, 200)
        const stored = await engine.db
          .selectFrom(resource.table)
          .selectAll()
          .where('id', '=', created.body.id)
          .executeTakeFirstOrThrow()
        for (const [key, value] of Object.entries(body)) {
          if (key in created.body) {
            assert.equal(created.body[key], value, `POST answers ${key}`)
            assert.equal(read.body[key], value, `GET answers ${key}`)
          }
          assert.equal(stored[key], value, `the database holds ${key}`)
        }
      }

      test('NUL in any string field is a 422 naming the field, on POST and PATCH', async () => {
        const created = await call('POST', resource.path, resource.valid)
        assert.equal(created.status, 200)
        for (const key of resource.strings) {
          const input = 'Dead\u0000pond'
          const shown = echoed(resource, key, input)
          assert.deepEqual(await call('POST', resource.path, { ...resource.valid, [key]: input }), {
            status: 422,
            body: { detail: [withNul(['body', key], shown)] },
          })
          assert.deepEqual(await call('PATCH', `${resource.path}${created.body.id}`, { [key]: input }), {
            status: 422,
            body: { detail: [withNul(['body', key], shown)] },
          })
        }
      })

      test('NUL in the path is a 422 naming the path parameter', async () => {
        const answer = await call('GET', `${resource.path}%00`)
        assert.equal(answer.status, 422)
        assert.deepEqual(
          answer.body.detail.map((item: { type: string; loc: unknown }) => [item.type, item.loc]),
          [['int_parsing', ['path', resource.id]]],
        )
      })

      test('a lone surrogate in any string field is a 422, never stored as U+FFFD', async () => {
        for (const key of resource.strings) {
          for (const input of ['\ud800', '\udc00', 'Dead\ud83dpond', 'Deadpond\ud83d']) {
            assert.deepEqual(await call('POST', resource.path, { ...resource.valid, [key]: input }), {
              status: 422,
              body: { detail: [loneSurrogate(['body', key], echoed(resource, key, input))] },
            })
          }
        }
      })

      test('integers beyond the 32-bit column are a 422 in the body, path and query', async () => {
        for (const key of resource.integers) {
          assert.deepEqual(await call('POST', resource.path, { ...resource.valid, [key]: MAX + 1 }), {
            status: 422,
            body: { detail: [tooBig(['body', key], MAX + 1)] },
          })
          assert.deepEqual(await call('POST', resource.path, { ...resource.valid, [key]: MIN - 1 }), {
            status: 422,
            body: { detail: [tooSmall(['body', key], MIN - 1)] },
          })
        }
        assert.deepEqual(await call('GET', `${resource.path}${MAX + 1}`), {
          status: 422,
          body: { detail: [tooBig(['path', resource.id], String(MAX + 1))] },
        })
        assert.deepEqual(await call('GET', `${resource.path}${MIN - 1}`), {
          status: 422,
          body: { detail: [tooSmall(['path', resource.id], String(MIN - 1))] },
        })
        assert.deepEqual(await call('GET', `${resource.path}?offset=${MAX + 1}`), {
          status: 422,
          body: { detail: [tooBig(['query', 'offset'], String(MAX + 1))] },
        })
      })

      test('the largest 32-bit id is a 404, not a database error', async () => {
        const answer = await call('GET', `${resource.path}${MAX}`)
        assert.equal(answer.status, 404)
        assert.match(answer.body.detail, /not found/)
      })

      test('3 KB, 1,000-character and 1,000-emoji text round-trips in every string field', async () => {
        for (const key of resource.strings) {
          for (const text of [THREE_KB, THOUSAND, THOUSAND_EMOJI])
            await roundTrip({ ...resource.valid, [key]: text })
        }
      })

      test('emoji and other 4-byte UTF-8 characters round-trip in every string field', async () => {
        for (const key of resource.strings) await roundTrip({ ...resource.valid, [key]: EMOJI })
      })

      // team_id is a foreign key: only a null or an existing team fits it, so its limits are checked above.
      if (resource.integers.includes('age')) {
        test('the 32-bit limits themselves round-trip', async () => {
          await roundTrip({ ...resource.valid, age: MAX })
          await roundTrip({ ...resource.valid, age: MIN })
        })
      }
    })
  }

  describe(`${dialect.name}: a value the database refuses after validation`, () => {
    test('is a 400 whose detail is written for the client, without the driver text or the value', async (t) => {
      const engine = createEngine(await dialect.isolatedUrl())
      const metadata = new Metadata()
      const Note = table(
        'note',
        model('Note', { id: field.integer({ primaryKey: true }), text: field.string() }),
        { metadata },
      )
      await createAll(engine, { metadata })
      const getSession = depends(async function* () {
        await using session = new Session(engine)
        yield session
      })
      const app = createApp({ lifespan: { shutdown: () => engine.dispose() } })
      // The handler sets a value past validation, as code that assigns to a row does.
      app.put(
        '/notes/{id}',
        { params: { id: path.integer(), session: getSession } },
        async ({ id, session }) => {
          const note = Note.create({ id, text: 'ok' })
          note.text = 'secret\u0000value'
          session.add(note)
          await session.commit()
          return { stored: true }
        },
      )
      const base = await app.listen({ port: 0, signals: false })
      t.after(() => app.close())
      const response = await fetch(`${base}/notes/1`, { method: 'PUT' })
      const body = await response.json()
      if (dialect.name === 'postgres') {
        assert.equal(response.status, 400)
        assert.deepEqual(body, {
          detail:
            'The database cannot store a value of this request: it is too long, out of range, or holds characters the database refuses.',
        })
      } else {
        // SQLite and MySQL can store NUL; validation refuses it only so that every dialect holds the same text.
        assert.deepEqual([response.status, body], [200, { stored: true }])
      }
    })
  })
}
