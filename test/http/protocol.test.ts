/**
 * HTTP protocol behaviour over a real listening server: 404 and 405 JSON answers with `Allow`, HEAD and
 * OPTIONS, 413 for a body over the limit (with Content-Length and chunked) after which the server goes on,
 * and trailing slashes. Raw requests go through node:http and node:net so nothing is hidden by a client.
 */
import assert from 'node:assert/strict'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { connect } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { body, createApp, field, model, path, query } from 'onemodel-ts'

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

/**
 * Writes `parts` to a TCP connection, `delay` ms apart, and returns every byte the server sent until it
 * closed the connection (or `timeout` ms passed).
 */
function exchange(parts: string[], delay = 0, timeout = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    const timer = setTimeout(() => {
      socket.destroy()
      resolve(received)
    }, timeout)
    socket.setEncoding('utf8')
    socket.on('data', (data: string) => (received += data))
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(received)
    })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close while a part is still on its way; what it answered before counts.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return
      clearTimeout(timer)
      reject(error)
    })
    socket.on('connect', async () => {
      for (const part of parts) {
        if (socket.destroyed) break
        socket.write(part)
        if (delay > 0) await new Promise((r) => setTimeout(r, delay))
      }
    })
  })
}

/** Splits raw HTTP/1.1 text into its responses' status codes and bodies (Content-Length bodies only). */
function responsesIn(text: string): { status: number; headers: Record<string, string>; body: string }[] {
  const out: { status: number; headers: Record<string, string>; body: string }[] = []
  let rest = text
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n')
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n')
    const headers = Object.fromEntries(
      lines.map((line) => [
        line.slice(0, line.indexOf(':')).toLowerCase(),
        line.slice(line.indexOf(':') + 1).trim(),
      ]),
    )
    const length = Number(headers['content-length'] ?? 0)
    out.push({
      status: Number(statusLine!.split(' ')[1]),
      headers,
      body: rest.slice(end + 4, end + 4 + length),
    })
    rest = rest.slice(end + 4 + length)
  }
  return out
}

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
