/**
 * HTTP protocol behaviour over a real listening server: 404 and 405 JSON answers with `Allow`, HEAD and
 * OPTIONS, 413 for a body over the limit (with Content-Length and chunked) after which the server goes on,
 * trailing slashes, and the `{"detail"}` answers to requests refused before a route runs (bad URLs, invalid
 * HTTP, oversized headers, timeouts, `Expect`). Then JSON nested too deep, and secret parameters, which no
 * answer or log line shows. Raw requests go through node:http and node:net so nothing is hidden by a client.
 */
import assert from 'node:assert/strict'
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { after, before, describe, test } from 'node:test'
import { Writable } from 'node:stream'
import { inspect } from 'node:util'
import { body, createApp, field, header, model, path, query, REDACTED } from 'onemodel-ts'
import { exchange as sendRaw, responsesIn } from '../support/raw-http.ts'

const Item = model('Item', { text: field.string() })

const app = createApp({ title: 'Protocol', bodyLimit: 1024 })
app.get('/items', { params: { q: query.string({ optional: true }) } }, function listItems() {
  return ['a', 'b']
})
app.post('/items', { params: { item: body(Item) }, status: 201 }, function createItem({ item }) {
  return { length: item.text.length }
})
app.get('/items/{item_id}', { params: { item_id: path.integer() } }, function readItem({ item_id }) {
  return { id: item_id }
})
app.delete('/items/{item_id}', { params: { item_id: path.integer() } }, function deleteItem({ item_id }) {
  return { deleted: item_id }
})
app.put('/only-put', {}, () => 'put')
app.get('/heroes/', {}, () => 'heroes')

let base = ''
let port = 0

before(async () => {
  base = await app.listen({ port: 0, signals: false })
  port = Number(new URL(base).port)
})

after(() => app.close())

/** One request through node:http, body read to the last byte, on a fresh connection. */
function raw(
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port, method, path: url, headers: options.headers, agent: false },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () =>
          resolve({
            status: response.statusCode!,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        )
        response.on('error', reject)
      },
    )
    request.on('error', reject)
    request.end(options.body)
  })
}

/** Raw bytes to the test server (or to the server on `to`). */
const exchange = (parts: string[], delay?: number, timeout?: number, to = port) =>
  sendRaw(to, parts, delay, timeout)

const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`

describe('404 Not Found', () => {
  test('an unknown path answers 404 {"detail":"Not Found"} as JSON, for any method', async () => {
    for (const method of ['GET', 'POST', 'DELETE']) {
      const response = await fetch(`${base}/nowhere`, { method })
      assert.equal(response.status, 404, method)
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/)
      assert.deepEqual(await response.json(), { detail: 'Not Found' })
    }
  })

  test('an unknown path under a known one is 404 too', async () => {
    const response = await fetch(`${base}/items/1/extra`)
    assert.equal(response.status, 404)
    assert.deepEqual(await response.json(), { detail: 'Not Found' })
  })
})

describe('405 Method Not Allowed', () => {
  test('a known path with another method: 405 JSON and Allow listing every method of the path', async () => {
    const cases: [string, string, string][] = [
      ['PUT', '/items', 'GET, HEAD, POST, OPTIONS'],
      ['DELETE', '/items', 'GET, HEAD, POST, OPTIONS'],
      ['PATCH', '/items/1', 'GET, HEAD, DELETE, OPTIONS'],
      ['POST', '/items/1', 'GET, HEAD, DELETE, OPTIONS'],
      ['GET', '/only-put', 'PUT, OPTIONS'],
    ]
    for (const [method, url, allow] of cases) {
      const response = await fetch(`${base}${url}`, { method })
      assert.equal(response.status, 405, `${method} ${url}`)
      assert.equal(response.headers.get('allow'), allow, `${method} ${url}`)
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/)
      assert.deepEqual(await response.json(), { detail: 'Method Not Allowed' })
    }
  })

  test('the OpenAPI document and the docs page answer 405 to other methods', async () => {
    for (const url of ['/openapi.json', '/docs']) {
      const response = await fetch(`${base}${url}`, { method: 'POST' })
      assert.equal(response.status, 405, url)
      assert.equal(response.headers.get('allow'), 'GET, HEAD, OPTIONS', url)
      assert.deepEqual(await response.json(), { detail: 'Method Not Allowed' })
    }
  })

  test('a 405 runs no handler and validates nothing: a bad path parameter still gets 405', async () => {
    const response = await fetch(`${base}/items/not-a-number`, { method: 'PUT' })
    assert.equal(response.status, 405)
  })
})

describe('HEAD', () => {
  /** Every GET route of the app: its own routes (from the OpenAPI document) and the document and docs. */
  function getUrls(): string[] {
    const paths = app.openapi().paths as Record<string, Record<string, unknown>>
    const urls = Object.entries(paths)
      .filter(([, operations]) => 'get' in operations)
      .map(([template]) => template.replace(/\{\w+\}/g, '7'))
    return [...urls, '/openapi.json', '/docs']
  }

  test('every GET route answers HEAD with GET’s status and headers and no body', async () => {
    const urls = getUrls()
    assert.ok(urls.length >= 5, urls.join(', '))
    for (const url of urls) {
      const get = await raw('GET', url)
      const head = await raw('HEAD', url)
      assert.equal(head.status, get.status, url)
      assert.equal(head.status, 200, url)
      assert.equal(head.body, '', `HEAD ${url} sent a body`)
      assert.equal(head.headers['content-type'], get.headers['content-type'], url)
      assert.equal(head.headers['content-length'], String(Buffer.byteLength(get.body)), url)
    }
  })

  test('HEAD of an unknown path is a 404 without a body', async () => {
    const head = await raw('HEAD', '/nowhere')
    assert.equal(head.status, 404)
    assert.equal(head.body, '')
  })

  test('HEAD validates like GET: a bad path parameter is a 422 without a body', async () => {
    const head = await raw('HEAD', '/items/abc')
    assert.equal(head.status, 422)
    assert.equal(head.body, '')
  })

  test('HEAD of a path with no GET route is a 405', async () => {
    const head = await raw('HEAD', '/only-put')
    assert.equal(head.status, 405)
    assert.equal(head.headers.allow, 'PUT, OPTIONS')
    assert.equal(head.body, '')
  })
})

describe('OPTIONS', () => {
  test('answers 204 with Allow and no body, on every path', async () => {
    const cases: [string, string][] = [
      ['/items', 'GET, HEAD, POST, OPTIONS'],
      ['/items/3', 'GET, HEAD, DELETE, OPTIONS'],
      ['/only-put', 'PUT, OPTIONS'],
      ['/heroes/', 'GET, HEAD, OPTIONS'],
    ]
    for (const [url, allow] of cases) {
      const response = await raw('OPTIONS', url)
      assert.equal(response.status, 204, url)
      assert.equal(response.headers.allow, allow, url)
      assert.equal(response.body, '', url)
    }
  })

  test('OPTIONS of an unknown path is a 404', async () => {
    assert.equal((await raw('OPTIONS', '/nowhere')).status, 404)
  })
})

describe('413 Content Too Large', () => {
  const small = JSON.stringify({ text: 'x'.repeat(900) })
  const large = JSON.stringify({ text: 'x'.repeat(3000) })

  test('a body within the limit is accepted', async () => {
    assert.ok(Buffer.byteLength(small) <= 1024)
    const response = await raw('POST', '/items', {
      headers: { 'content-type': 'application/json' },
      body: small,
    })
    assert.equal(response.status, 201)
    assert.deepEqual(JSON.parse(response.body), { length: 900 })
  })

  test('a larger body with Content-Length answers 413 JSON, and the server goes on', async () => {
    const text = await exchange([
      'POST /items HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(large)}\r\n\r\n`,
      large,
    ])
    const [answer] = responsesIn(text)
    assert.ok(answer, `no answer: ${JSON.stringify(text)}`)
    assert.equal(answer.status, 413)
    assert.match(answer.headers['content-type'] ?? '', /^application\/json/)
    const detail = (JSON.parse(answer.body) as { detail: unknown }).detail
    assert.equal(typeof detail, 'string')
    const next = await fetch(`${base}/items`)
    assert.equal(next.status, 200)
    assert.deepEqual(await next.json(), ['a', 'b'])
  })

  test('a Content-Length over the limit is refused before the body arrives', async () => {
    // Only the headers are sent: the answer must not wait for a body the server will not read.
    const text = await exchange(
      [
        'POST /items HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
          'Content-Length: 1000000\r\n\r\n',
      ],
      0,
      1000,
    )
    assert.equal(responsesIn(text)[0]?.status, 413, JSON.stringify(text))
  })

  test('a chunked body that grows past the limit answers 413 JSON, and the server goes on', async () => {
    const parts = [
      'POST /items HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n',
      ...[0, 1, 2, 3].map((i) => chunk(large.slice(i * 800, (i + 1) * 800))),
      chunk(large.slice(3200)) + '0\r\n\r\n',
    ]
    const text = await exchange(parts, 20)
    const [answer] = responsesIn(text)
    assert.ok(answer, `no answer: ${JSON.stringify(text)}`)
    assert.equal(answer.status, 413)
    assert.match(answer.headers['content-type'] ?? '', /^application\/json/)
    assert.equal(typeof (JSON.parse(answer.body) as { detail: unknown }).detail, 'string')
    const next = await fetch(`${base}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'ok' }),
    })
    assert.equal(next.status, 201)
    assert.deepEqual(await next.json(), { length: 2 })
  })

  test('a chunked body within the limit is accepted', async () => {
    const text = await exchange([
      'POST /items HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
        'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
      chunk(small.slice(0, 400)),
      chunk(small.slice(400)) + '0\r\n\r\n',
    ])
    const [answer] = responsesIn(text)
    assert.equal(answer?.status, 201, JSON.stringify(text))
    assert.deepEqual(JSON.parse(answer!.body), { length: 900 })
  })
})

describe('connections and paths', () => {
  test('keep-alive: several requests on one connection are answered in order', async () => {
    const text = await exchange([
      'GET /items/1 HTTP/1.1\r\nHost: localhost\r\n\r\n',
      'GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n',
      'GET /items/2 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    ])
    assert.deepEqual(
      responsesIn(text).map((r) => [r.status, r.body]),
      [
        [200, '{"id":1}'],
        [404, '{"detail":"Not Found"}'],
        [200, '{"id":2}'],
      ],
    )
  })

  test('a route declared without a trailing slash also answers with one, and the reverse', async () => {
    for (const url of ['/items', '/items/']) {
      const response = await fetch(`${base}${url}`)
      assert.equal(response.status, 200, url)
      assert.deepEqual(await response.json(), ['a', 'b'])
    }
    for (const url of ['/items/5', '/items/5/']) {
      assert.deepEqual(await (await fetch(`${base}${url}`)).json(), { id: 5 }, url)
    }
    for (const url of ['/heroes/', '/heroes']) {
      const response = await fetch(`${base}${url}`)
      assert.equal(response.status, 200, url)
      assert.equal(await response.json(), 'heroes')
    }
    const post = await fetch(`${base}/items/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'abc' }),
    })
    assert.equal(post.status, 201)
  })

  test('a query string does not change the route', async () => {
    const response = await fetch(`${base}/items/?q=x`)
    assert.equal(response.status, 200)
  })
})

describe('requests refused before a route runs: {"detail"} JSON, nothing of the request repeated', () => {
  /** The one answer to `request` on a fresh connection, checked to be JSON and short. */
  async function answerTo(request: string, to = port) {
    const text = await exchange([request], 0, 2000, to)
    const answers = responsesIn(text)
    assert.equal(answers.length, 1, JSON.stringify(text))
    const answer = answers[0]!
    assert.match(answer.headers['content-type'] ?? '', /^application\/json/, JSON.stringify(text))
    assert.ok(text.length < 400, `the answer repeats the request: ${text.length} characters`)
    return { ...answer, detail: (JSON.parse(answer.body) as { detail: unknown }).detail }
  }

  async function stillServes(): Promise<void> {
    const response = await fetch(`${base}/items/1`)
    assert.deepEqual(await response.json(), { id: 1 })
  }

  test('a path that is not valid percent-encoded UTF-8 is a 400, and the connection goes on', async () => {
    for (const url of ['/items/%', '/items/%ZZ', '/items/%FF', '/items/a%E0%A4%A']) {
      const text = await exchange([
        `GET ${url} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
        'GET /items/2 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      ])
      const [refused, next] = responsesIn(text)
      assert.equal(refused?.status, 400, url)
      assert.match(refused.headers['content-type'] ?? '', /^application\/json/)
      assert.deepEqual(JSON.parse(refused.body), {
        detail: 'Bad Request: the URL path is not valid percent-encoded UTF-8',
      })
      assert.deepEqual([next?.status, next?.body], [200, '{"id":2}'], url)
    }
  })

  test('a path parameter over the router’s length limit is a 414 that does not repeat the URL', async () => {
    const answer = await answerTo(
      `GET /items/${'9'.repeat(10_000)} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`,
    )
    assert.equal(answer.status, 414)
    assert.equal(answer.detail, 'URI Too Long: a path parameter is longer than the server accepts')
    await stillServes()
  })

  test('a URL or a header too large is a 431, and the connection closes', async () => {
    const requests = [
      `GET /items?q=${'q'.repeat(20_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`,
      `GET /items HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    ]
    for (const request of requests) {
      const answer = await answerTo(request)
      assert.equal(answer.status, 431)
      assert.equal(answer.headers.connection, 'close')
      assert.equal(
        answer.detail,
        'Request Header Fields Too Large: the request line or headers exceed the server limit',
      )
    }
    await stillServes()
  })

  test('a request that is not HTTP/1.1 is a 400, and the connection closes', async () => {
    const requests = [
      'GARBAGE\r\n\r\n',
      'G@T /items HTTP/1.1\r\nHost: localhost\r\n\r\n',
      'GET /items HTTP/9.9\r\nHost: localhost\r\n\r\n',
      'GET /items HTTP/1.1\r\nBad Header\r\n\r\n',
      'POST /items HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
    ]
    for (const request of requests) {
      const answer = await answerTo(request)
      assert.equal(answer.status, 400, JSON.stringify(request))
      assert.equal(answer.headers.connection, 'close')
      assert.equal(answer.detail, 'Bad Request: the request is not valid HTTP/1.1')
    }
    await stillServes()
  })

  test('an Expect other than 100-continue is a 417 with a body, and the connection closes', async () => {
    const answer = await answerTo(
      'POST /items HTTP/1.1\r\nHost: localhost\r\nExpect: something-else\r\n' +
        'Content-Type: application/json\r\nContent-Length: 2\r\n\r\n',
    )
    assert.equal(answer.status, 417)
    assert.equal(answer.headers.connection, 'close')
    assert.equal(
      answer.detail,
      'Expectation Failed: the only expectation the server meets is "Expect: 100-continue"',
    )
    const text = await exchange([
      'POST /items HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nConnection: close\r\n' +
        'Content-Type: application/json\r\nContent-Length: 12\r\n\r\n',
      '{"text":"a"}',
    ])
    assert.match(text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 201 /)
  })

  test('an HTTP/1.1 request without Host is a 400 with a body; HTTP/1.0 needs none', async () => {
    const answer = await answerTo('GET /items HTTP/1.1\r\n\r\n')
    assert.equal(answer.status, 400)
    assert.equal(answer.headers.connection, 'close')
    assert.equal(answer.detail, 'Bad Request: an HTTP/1.1 request needs a Host header')
    const old = await exchange(['GET /items HTTP/1.0\r\n\r\n'])
    assert.match(old, /^HTTP\/1\.1 200 /)
  })

  test('a CONNECT is a 405 with a body, not a connection closed unanswered', async () => {
    const answer = await answerTo('CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n')
    assert.equal(answer.status, 405)
    assert.equal(answer.headers.connection, 'close')
    assert.equal(answer.detail, 'Method Not Allowed: this server is not a proxy')
    await stillServes()
  })

  test('a request that does not arrive within requestTimeout is a 408, and the connection closes', async (t) => {
    // node:http checks its connections' timeouts every 30 s unless told otherwise.
    const slow = createApp({
      fastify: {
        serverFactory: (handler) =>
          createServer({ requestTimeout: 200, connectionsCheckingInterval: 20 }, handler),
      },
    })
    slow.get('/', {}, () => 'ok')
    const slowPort = Number(new URL(await slow.listen({ port: 0, signals: false })).port)
    t.after(() => slow.close())
    const answer = await answerTo('GET / HTTP/1.1\r\nHost: localhost\r\n', slowPort)
    assert.equal(answer.status, 408)
    assert.equal(answer.headers.connection, 'close')
    assert.equal(answer.detail, 'Request Timeout: the request did not arrive in time')
  })

  test('a body that trickles in is timed out too: node:http’s 5-minute request timeout is on', async (t) => {
    assert.equal(createApp().fastify.server.requestTimeout, 300_000, 'the default')
    const slow = createApp({
      fastify: {
        serverFactory: (handler) =>
          createServer({ requestTimeout: 200, connectionsCheckingInterval: 20 }, handler),
      },
    })
    slow.post('/', {}, () => 'ok')
    const slowPort = Number(new URL(await slow.listen({ port: 0, signals: false })).port)
    t.after(() => slow.close())
    const started = Date.now()
    const answer = await answerTo(
      'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":',
      slowPort,
    )
    assert.equal(answer.status, 408)
    assert.equal(answer.detail, 'Request Timeout: the request did not arrive in time')
    assert.ok(Date.now() - started < 1900, 'answered by the timeout, not by the test giving up')
  })
})

describe('JSON nested deeper than 256 levels', () => {
  const Doc = model('Doc', { title: field.string(), data: field.json({ nullable: true, default: null }) })
  const docs = createApp({ bodyLimit: 4 * 1024 * 1024 })
  docs.post('/docs-in', { params: { doc: body(Doc) } }, ({ doc }) => doc)

  const post = (payload: string) =>
    docs.inject({
      method: 'POST',
      url: '/docs-in',
      headers: { 'content-type': 'application/json' },
      payload,
    })
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth)
  const objects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)
  const tooDeep = (position: number) => ({
    detail: [
      {
        type: 'json_invalid',
        loc: ['body', position],
        msg: 'JSON decode error',
        input: {},
        ctx: { error: 'Nesting deeper than 256 levels' },
      },
    ],
  })

  test('a body of 100,000 nested arrays or objects is a 422 at the level too many', async () => {
    const cases: [string, number][] = [
      [nested(100_000), 256],
      [objects(100_000), 256 * '{"a":'.length],
    ]
    for (const [payload, position] of cases) {
      const response = await post(payload)
      assert.equal(response.statusCode, 422)
      assert.deepEqual(response.json(), tooDeep(position))
    }
  })

  test('deep nesting inside a field is refused the same way', async () => {
    const response = await post(`{"title": ${nested(100_000)}, "data": null}`)
    assert.equal(response.statusCode, 422)
    assert.deepEqual(response.json(), tooDeep('{"title": '.length + 255))
  })

  test('a value 64 levels deep in a json field is accepted and answered whole, up to the limit', async () => {
    for (const depth of [64, 255]) {
      const data = JSON.parse(nested(depth)) as unknown
      const response = await post(JSON.stringify({ title: 'deep', data }))
      assert.equal(response.statusCode, 200, `depth ${depth}: ${response.body.slice(0, 200)}`)
      assert.deepEqual(response.json(), { title: 'deep', data })
    }
    assert.equal((await post(`{"title": "x", "data": ${nested(256)}}`)).statusCode, 422)
  })

  test('brackets inside strings do not count as nesting, after escaped quotes too', async () => {
    // In the JSON text the title opens with \\\" : an escaped backslash, then an escaped quote.
    const title = '\\"' + '['.repeat(5000) + '{'.repeat(5000)
    const response = await post(JSON.stringify({ title, data: null }))
    assert.equal(response.statusCode, 200)
    assert.equal((response.json() as { title: string }).title, title)
  })
})

describe('secret parameters', () => {
  const TOKEN = 'tok_4f9a2c71d8e3b6'
  const secrets = createApp()
  secrets.get(
    '/secure',
    {
      params: {
        token: query.string({ secret: true, minLength: 40 }),
        api_key: header.string({ secret: true, pattern: '^key_' }),
      },
    },
    () => 'ok',
  )
  secrets.get('/fails', { params: { token: query.string({ secret: true }) } }, () => {
    throw new Error('the handler failed')
  })

  test('a secret parameter’s rejected value is redacted in the 422', async () => {
    const response = await secrets.inject({
      method: 'GET',
      url: `/secure?token=${TOKEN}`,
      headers: { 'api-key': TOKEN },
    })
    assert.equal(response.statusCode, 422)
    assert.ok(!response.body.includes(TOKEN), response.body)
    const detail = (response.json() as { detail: { loc: unknown[]; input: unknown }[] }).detail
    assert.deepEqual(
      detail.map(({ loc, input }) => [loc, input]),
      [
        [['query', 'token'], REDACTED],
        [['header', 'api-key'], REDACTED],
      ],
    )
  })

  test('the stderr line of a 500 names the route, not a URL that carries the secret', async (t) => {
    const errors = t.mock.method(console, 'error', () => {})
    const response = await secrets.inject({ method: 'GET', url: `/fails?token=${TOKEN}` })
    assert.equal(response.statusCode, 500)
    const printed = errors.mock.calls
      .map((call) => call.arguments.map((a) => inspect(a)).join(' '))
      .join('\n')
    assert.match(printed, /GET \/fails: the handler failed/)
    assert.ok(!printed.includes(TOKEN), printed)
  })

  test('with a logger, a request is logged by its route and query keys, without parameter values', async () => {
    for (const options of [{}, { level: 'info' }, { level: 'info', serializers: {} }]) {
      const lines: string[] = []
      const stream = new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk))
          done()
        },
      })
      const logged = createApp({ logger: { ...options, stream } })
      logged.get('/fails', { params: { token: query.string({ secret: true }) } }, () => {
        throw new Error('the handler failed')
      })
      logged.get('/keys/{key}', { params: { key: path.string({ secret: true }) } }, () => 'ok')
      const response = await logged.inject({ method: 'GET', url: `/fails?token=${TOKEN}&limit=10` })
      assert.equal(response.statusCode, 500)
      assert.equal((await logged.inject(`/keys/${TOKEN}?limit=10`)).statusCode, 200)
      assert.equal((await logged.inject(`/nowhere/${TOKEN.slice(0, 3)}`)).statusCode, 404)
      await logged.close()
      const text = lines.join('')
      assert.match(text, /"url":"\/fails\?token=…&limit=…"/, 'the request line keeps the route and the keys')
      assert.match(text, /"url":"\/keys\/:key\?limit=…"/, 'a path parameter shows as the template')
      assert.match(text, /"url":"\/nowhere\/tok"/, 'an unrouted path is logged as it came')
      assert.match(text, /the handler failed/, 'the failure is logged')
      assert.ok(!text.includes(TOKEN), text)
    }
  })
})
