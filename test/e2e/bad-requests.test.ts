/**
 * Hostile requests to both example apps (the Heroes API and the Heroes & Teams API) on a real port, on
 * SQLite, PostgreSQL and MySQL: URLs the router cannot decode, a 10 KB path parameter, oversized URLs and
 * headers, request lines that are not HTTP, an unmet `Expect`, JSON nested 100,000 levels deep, and input
 * holding a secret. Each answer is JSON `{"detail"}` with a fitting 4xx, repeats nothing long of the
 * request and no secret, and the server goes on serving. One server per app and dialect.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { REDACTED, type App } from 'onemodel-ts'
import { heroesApp } from '../../examples/heroes/app.ts'
import { teamsApp } from '../../examples/teams/app.ts'
import { DIALECTS } from '../support/dialects.ts'
import { exchange, responsesIn, type RawResponse } from '../support/raw-http.ts'

const APPS: readonly { name: string; make: (url: string) => { app: App } }[] = [
  { name: 'the Heroes API', make: heroesApp },
  { name: 'the Heroes & Teams API', make: teamsApp },
]

/** An answer that may not repeat the request: the whole response, headers included, stays this short. */
const SHORT = 400

const SECRET = 'Dive Wilson'
const DEEP = '['.repeat(100_000) + ']'.repeat(100_000)

for (const dialect of DIALECTS) {
  for (const { name, make } of APPS) {
    describe(`${dialect.name}: bad requests to ${name}`, () => {
      let app: App
      let base = ''
      let port = 0

      before(async () => {
        app = make(await dialect.isolatedUrl()).app
        base = await app.listen({ port: 0, signals: false })
        port = Number(new URL(base).port)
      })
      after(() => app.close())

      /** The one answer to a raw request: JSON, short, with its `detail`. */
      async function answerTo(request: string): Promise<RawResponse & { detail: unknown }> {
        const text = await exchange(port, [request])
        const answers = responsesIn(text)
        assert.equal(answers.length, 1, JSON.stringify(text.slice(0, SHORT)))
        const answer = answers[0]!
        assert.match(answer.headers['content-type'] ?? '', /^application\/json/)
        assert.ok(text.length < SHORT, `the answer repeats the request: ${text.length} characters`)
        return { ...answer, detail: (JSON.parse(answer.body) as { detail: unknown }).detail }
      }

      async function postJson(path: string, body: string): Promise<{ status: number; body: unknown }> {
        const response = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        })
        assert.match(response.headers.get('content-type') ?? '', /^application\/json/)
        return { status: response.status, body: await response.json() }
      }

      /** A normal request still works: the server did not stop, hang or lose its state. */
      async function stillServes(): Promise<void> {
        const response = await fetch(`${base}/heroes/`)
        assert.equal(response.status, 200)
        assert.ok(Array.isArray(await response.json()))
      }

      test('a path that is not valid percent-encoding is a 400, and the same connection goes on', async () => {
        for (const path of ['/heroes/%', '/heroes/%ZZ', '/heroes/%FF']) {
          const text = await exchange(port, [
            `GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
            'GET /heroes/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
          ])
          const [refused, next] = responsesIn(text)
          assert.equal(refused?.status, 400, path)
          assert.match(refused.headers['content-type'] ?? '', /^application\/json/)
          assert.deepEqual(JSON.parse(refused.body), {
            detail: 'Bad Request: the URL path is not valid percent-encoded UTF-8',
          })
          assert.equal(next?.status, 200, path)
        }
      })

      test('a 10 KB path parameter is a 414 that does not repeat it', async () => {
        const answer = await answerTo(
          `GET /heroes/${'9'.repeat(10_000)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
        )
        assert.equal(answer.status, 414)
        assert.equal(answer.detail, 'URI Too Long: a path parameter is longer than the server accepts')
        await stillServes()
      })

      test('a URL or a header over the size limit is a 431 that closes the connection', async () => {
        for (const request of [
          `GET /heroes/?offset=${'1'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
          `GET /heroes/ HTTP/1.1\r\nHost: localhost\r\nCookie: ${'c'.repeat(20_000)}\r\n\r\n`,
        ]) {
          const answer = await answerTo(request)
          assert.equal(answer.status, 431)
          assert.equal(answer.headers.connection, 'close')
          assert.equal(typeof answer.detail, 'string')
        }
        await stillServes()
      })

      test('request lines that are not HTTP are a 400 that closes the connection', async () => {
        for (const request of [
          '\x00\x01\x02\r\n\r\n',
          'GET /heroes/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n',
          'GET /heroes/ HTTP/1.1 extra\r\nHost: localhost\r\n\r\n',
          `${'A'.repeat(5000)} / HTTP/1.1\r\nHost: localhost\r\n\r\n`,
        ]) {
          const answer = await answerTo(request)
          assert.equal(answer.status, 400, JSON.stringify(request.slice(0, 40)))
          assert.equal(answer.headers.connection, 'close')
          assert.equal(answer.detail, 'Bad Request: the request is not valid HTTP/1.1')
        }
        await stillServes()
      })

      test('Expect: something-else is a 417 JSON answer', async () => {
        const answer = await answerTo(
          'POST /heroes/ HTTP/1.1\r\nHost: localhost\r\nExpect: something-else\r\n' +
            'Content-Type: application/json\r\nContent-Length: 2\r\n\r\n',
        )
        assert.equal(answer.status, 417)
        assert.equal(answer.headers.connection, 'close')
        assert.equal(typeof answer.detail, 'string')
        await stillServes()
      })

      test('JSON nested 100,000 levels, as the body or in a field, is a 422 with detail items', async () => {
        const tooDeep = (position: number) => ({
          status: 422,
          body: {
            detail: [
              {
                type: 'json_invalid',
                loc: ['body', position],
                msg: 'JSON decode error',
                input: {},
                ctx: { error: 'Nesting deeper than 256 levels' },
              },
            ],
          },
        })
        assert.deepEqual(await postJson('/heroes/', DEEP), tooDeep(256))
        const inField = `{"name": ${DEEP}, "secret_name": "x"}`
        assert.deepEqual(await postJson('/heroes/', inField), tooDeep('{"name": '.length + 255))
        assert.deepEqual(
          await postJson('/heroes/', `{"objects": ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}`),
          tooDeep('{"objects": '.length + 255 * '{"a":'.length),
        )
        await stillServes()
      })

      test('a value nested a few levels is an ordinary 422 that echoes it', async () => {
        const name = [[[['Deadpond']]]]
        const answer = await postJson('/heroes/', JSON.stringify({ name, secret_name: 'x' }))
        assert.deepEqual(answer, {
          status: 422,
          body: {
            detail: [
              {
                type: 'string_type',
                loc: ['body', 'name'],
                msg: 'Input should be a valid string',
                input: name,
              },
            ],
          },
        })
      })

      test('a 422 echoes a short excerpt of a long value, in the query and in the body', async () => {
        const digits = '9'.repeat(10_000)
        const query = await fetch(`${base}/heroes/?limit=${digits}x`)
        assert.equal(query.status, 422)
        assert.deepEqual(((await query.json()) as { detail: unknown }).detail, [
          {
            type: 'int_parsing',
            loc: ['query', 'limit'],
            msg: 'Input should be a valid integer, unable to parse string as an integer',
            input: `${'9'.repeat(100)}…`,
          },
        ])
        const many = Array.from({ length: 1000 }, (_, index) => index)
        const body = await postJson('/heroes/', JSON.stringify({ name: 'x'.repeat(5000), age: many }))
        assert.equal(body.status, 422)
        const text = JSON.stringify(body.body)
        assert.ok(text.length < 2000, `the 422 repeats the body: ${text.length} characters`)
        const items = (body.body as { detail: { loc: unknown[]; input: unknown }[] }).detail
        const age = items.find((item) => item.loc.join('.') === 'body.age')
        assert.deepEqual(age?.input, many.slice(0, 20), 'an array shows its first 20 items')
        const missing = items.find((item) => item.loc.join('.') === 'body.secret_name')
        assert.deepEqual(missing?.input, { name: `${'x'.repeat(100)}…`, age: many.slice(0, 20) })
        // An emoji across the cut is left out whole: a half of it would be a lone surrogate in the answer.
        const emoji = await postJson(
          '/heroes/',
          JSON.stringify({ name: `${'x'.repeat(99)}${'😀'.repeat(50)}` }),
        )
        const echoed = (emoji.body as { detail: { input: { name: string } }[] }).detail[0]!.input.name
        assert.equal(echoed, `${'x'.repeat(99)}…`)
        assert.ok(echoed.isWellFormed())
      })

      test('after the bad requests, a hero is created and read back', async () => {
        const created = await postJson('/heroes/', JSON.stringify({ name: 'Deadpond', secret_name: SECRET }))
        assert.equal(created.status, 200)
        const { id } = created.body as { id: number }
        const read = await fetch(`${base}/heroes/${id}`)
        assert.equal(read.status, 200)
        assert.equal(((await read.json()) as { name: string }).name, 'Deadpond')
      })
    })
  }

  describe(`${dialect.name}: the Heroes API never echoes secret_name`, () => {
    let app: App
    let base = ''

    before(async () => {
      app = heroesApp(await dialect.isolatedUrl()).app
      base = await app.listen({ port: 0, signals: false })
    })
    after(() => app.close())

    async function send(method: string, path: string, json: unknown) {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(json),
      })
      const text = await response.text()
      assert.ok(!text.includes(SECRET), `the answer holds the secret: ${text}`)
      return { status: response.status, body: JSON.parse(text) as unknown }
    }

    test('a POST missing name: the echoed input shows secret_name redacted', async () => {
      assert.deepEqual(await send('POST', '/heroes/', { secret_name: SECRET, age: 30 }), {
        status: 422,
        body: {
          detail: [
            {
              type: 'missing',
              loc: ['body', 'name'],
              msg: 'Field required',
              input: { secret_name: REDACTED, age: 30 },
            },
          ],
        },
      })
    })

    test('a hero sent as text/plain or in an array is not echoed: it holds the secret', async () => {
      const text = JSON.stringify({ name: 'Deadpond', secret_name: SECRET })
      const response = await fetch(`${base}/heroes/`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: text,
      })
      const notAnObject = {
        detail: [
          {
            type: 'model_attributes_type',
            loc: ['body'],
            msg: 'Input should be a valid dictionary or object to extract fields from',
            input: REDACTED,
          },
        ],
      }
      assert.equal(response.status, 422)
      assert.deepEqual(await response.json(), notAnObject)
      assert.deepEqual(await send('POST', '/heroes/', [JSON.parse(text)]), { status: 422, body: notAnObject })
    })

    test('a bad secret_name value is not echoed either, in a POST or a PATCH', async () => {
      const badSecret = {
        type: 'string_type',
        loc: ['body', 'secret_name'],
        msg: 'Input should be a valid string',
        input: REDACTED,
      }
      assert.deepEqual(await send('POST', '/heroes/', { name: 'Deadpond', secret_name: 12345 }), {
        status: 422,
        body: { detail: [badSecret] },
      })
      const created = await send('POST', '/heroes/', { name: 'Deadpond', secret_name: SECRET })
      const { id } = created.body as { id: number }
      assert.deepEqual(await send('PATCH', `/heroes/${id}`, { secret_name: 12345, age: 'old' }), {
        status: 422,
        body: {
          detail: [
            {
              type: 'int_parsing',
              loc: ['body', 'age'],
              msg: 'Input should be a valid integer, unable to parse string as an integer',
              input: 'old',
            },
            badSecret,
          ],
        },
      })
    })
  })
}
