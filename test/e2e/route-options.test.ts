/**
 * Route options and what a handler sends besides its result, on a real listening server: success
 * statuses (204 with no body at all), headers, cookies and a status the handler chooses, and streams —
 * a file download, chunks, and server-sent events read with fetch's body stream, flushed one by one,
 * stopped when the client goes away, with the dependencies' cleanup after the stream.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test, type TestContext } from 'node:test'
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
  streamResponse,
  type App,
  type OutgoingResponse,
} from 'onemodel-ts'

async function serve(t: TestContext, app: App): Promise<string> {
  const base = await app.listen({ port: 0, signals: false })
  t.after(() => app.close())
  return base
}

/** A promise and the function that resolves it. */
function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { open, opened }
}

/** Resolves when `events` holds `event`, or fails after two seconds. */
async function until(events: readonly string[], event: string): Promise<void> {
  const deadline = Date.now() + 2000
  while (!events.includes(event)) {
    if (Date.now() > deadline) assert.fail(`'${event}' never happened; events: ${events.join(', ')}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

const Item = model('Item', { name: field.string() })

describe('success statuses', () => {
  test('201 and 202 answer with the body; 204 answers no body and no content type, whatever the handler returned', async (t) => {
    const app = createApp()
    app.post('/items/', { params: { item: body(Item) }, status: 201, response: Item }, ({ item }) => item)
    app.post('/jobs/', { status: 202 }, () => ({ queued: true }))
    app.delete('/items/{id}', { params: { id: path.integer() }, status: 204 }, () => ({ ignored: true }))
    const base = await serve(t, app)
    const created = await fetch(`${base}/items/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Plumbus', extra: 1 }),
    })
    assert.equal(created.status, 201)
    assert.deepEqual(await created.json(), { name: 'Plumbus' })
    const accepted = await fetch(`${base}/jobs/`, { method: 'POST' })
    assert.deepEqual([accepted.status, await accepted.json()], [202, { queued: true }])
    const deleted = await fetch(`${base}/items/3`, { method: 'DELETE' })
    assert.equal(deleted.status, 204)
    assert.equal(deleted.headers.get('content-type'), null)
    assert.equal(await deleted.text(), '')
  })
})

describe('headers, cookies and status set by the handler', () => {
  test('a handler and its dependency add headers and cookies; the handler chooses the status', async (t) => {
    const tracing = depends((_args, { response }) => {
      response.headers.set('x-trace', 'abc')
    })
    const app = createApp()
    app.put(
      '/items/{id}',
      { params: { id: path.integer(), tracing } },
      function upsertItem({ id }, { response }) {
        response.headers.set('x-cat-dog', 'alone in the world')
        response.setCookie('fakesession', 'fake-cookie-session-value', { httpOnly: true, maxAge: 60 })
        response.setCookie('theme', 'dark')
        response.deleteCookie('old')
        if (id > 100) response.status = 201
        return { id }
      },
    )
    const base = await serve(t, app)
    const created = await fetch(`${base}/items/101`, { method: 'PUT' })
    assert.equal(created.status, 201)
    assert.deepEqual(await created.json(), { id: 101 })
    assert.equal(created.headers.get('x-cat-dog'), 'alone in the world')
    assert.equal(created.headers.get('x-trace'), 'abc')
    assert.equal(created.headers.get('content-type'), 'application/json; charset=utf-8')
    assert.deepEqual(created.headers.getSetCookie(), [
      'fakesession=fake-cookie-session-value; Max-Age=60; Path=/; HttpOnly; SameSite=Lax',
      'theme=dark; Path=/; SameSite=Lax',
      'old=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; SameSite=Lax',
    ])
    const updated = await fetch(`${base}/items/7`, { method: 'PUT' })
    assert.equal(updated.status, 200)
  })

  test('an error answer drops what the handler set, as FastAPI does', async (t) => {
    const app = createApp({ logger: { level: 'silent' } })
    const set = ({ response }: { response: OutgoingResponse }) => {
      response.setCookie('session', 'should-not-leak')
      response.headers.set('x-half-done', 'yes')
      response.status = 201
    }
    app.get('/forbidden', {}, (_args, context) => {
      set(context)
      return HTTPError.raise(403, 'Forbidden')
    })
    // A result the response model refuses is a 500, after the handler set its cookie.
    app.get('/broken', { response: Item }, (_args, context) => {
      set(context)
      return { name: 42 } as never
    })
    app.get('/missing-file', {}, (_args, context) => {
      set(context)
      return fileResponse('/nonexistent/report.csv')
    })
    const base = await serve(t, app)
    for (const [url, status] of [
      ['/forbidden', 403],
      ['/broken', 500],
      ['/missing-file', 404],
    ] as const) {
      const answer = await fetch(`${base}${url}`)
      assert.equal(answer.status, status, url)
      assert.deepEqual(answer.headers.getSetCookie(), [], url)
      assert.equal(answer.headers.get('x-half-done'), null, url)
      await answer.arrayBuffer()
    }
  })
})

describe('a file download', () => {
  function reportsDirectory(t: TestContext): string {
    const directory = mkdtempSync(join(tmpdir(), 'onemodel-files-'))
    t.after(() => rmSync(directory, { recursive: true, force: true }))
    writeFileSync(join(directory, 'report.csv'), 'name,age\nDeadpond,\nRusty-Man,48\n')
    return directory
  }

  test('sent with its length, type and Content-Disposition; the dependency cleans up after', async (t) => {
    const directory = reportsDirectory(t)
    const events: string[] = []
    const audit = depends(function* audit() {
      yield
      events.push('cleanup')
    })
    const app = createApp()
    app.get('/report', { params: { audit } }, () =>
      fileResponse(join(directory, 'report.csv'), { filename: 'heroes.csv', contentType: 'text/csv' }),
    )
    app.get('/report-named', {}, () =>
      fileResponse(join(directory, 'report.csv'), { filename: 'héros 2025.csv' }),
    )
    const base = await serve(t, app)
    const answer = await fetch(`${base}/report`)
    assert.equal(answer.status, 200)
    assert.equal(answer.headers.get('content-type'), 'text/csv')
    assert.equal(answer.headers.get('content-length'), '32')
    assert.equal(answer.headers.get('content-disposition'), 'attachment; filename="heroes.csv"')
    assert.match(answer.headers.get('last-modified')!, /GMT$/)
    assert.equal(await answer.text(), 'name,age\nDeadpond,\nRusty-Man,48\n')
    await until(events, 'cleanup')
    const named = await fetch(`${base}/report-named`)
    assert.equal(
      named.headers.get('content-disposition'),
      "attachment; filename*=utf-8''h%C3%A9ros%202025.csv",
    )
    assert.equal(named.headers.get('content-type'), 'application/octet-stream')
    await named.arrayBuffer()
  })

  test('a file that does not exist, or a directory, answers 404', async (t) => {
    const directory = reportsDirectory(t)
    const app = createApp()
    app.get('/files/{name}', { params: { name: path.string() } }, ({ name }) =>
      fileResponse(join(directory, name === 'dir' ? '.' : name)),
    )
    const base = await serve(t, app)
    for (const name of ['missing.csv', 'dir']) {
      const answer = await fetch(`${base}/files/${name}`)
      assert.deepEqual([answer.status, await answer.json()], [404, { detail: 'File not found' }])
    }
  })
})

describe('streams', () => {
  test('chunks are sent as they are produced', async (t) => {
    const next = gate()
    const app = createApp()
    app.get('/numbers', {}, () =>
      streamResponse(
        (async function* () {
          yield 'one\n'
          await next.opened
          yield 'two\n'
        })(),
        { contentType: 'text/plain' },
      ),
    )
    const base = await serve(t, app)
    const answer = await fetch(`${base}/numbers`)
    assert.equal(answer.headers.get('content-type'), 'text/plain')
    const reader = answer.body!.getReader()
    // The first chunk arrives while the generator still waits: it was not held back.
    assert.equal(new TextDecoder().decode((await reader.read()).value), 'one\n')
    next.open()
    assert.equal(new TextDecoder().decode((await reader.read()).value), 'two\n')
    assert.equal((await reader.read()).done, true)
  })

  test('server-sent events: each flushed as produced, then the cleanup runs after the end', async (t) => {
    const events: string[] = []
    const next = gate()
    const getSession = depends(async function* getSession() {
      events.push('open')
      yield 'session'
      events.push('close')
    })
    const app = createApp()
    app.get('/ticks', { params: { session: getSession } }, ({ session }) =>
      eventStream(
        (async function* () {
          yield { event: 'tick', data: { n: 1, session }, id: '1' }
          await next.opened
          events.push('second')
          yield { data: 'line one\nline two', retry: 1500 }
        })(),
      ),
    )
    const base = await serve(t, app)
    const answer = await fetch(`${base}/ticks`)
    assert.equal(answer.status, 200)
    assert.equal(answer.headers.get('content-type'), 'text/event-stream; charset=utf-8')
    assert.equal(answer.headers.get('cache-control'), 'no-cache')
    const reader = answer.body!.pipeThrough(new TextDecoderStream()).getReader()
    assert.equal((await reader.read()).value, 'event: tick\nid: 1\ndata: {"n":1,"session":"session"}\n\n')
    assert.deepEqual(events, ['open'], 'the session stays open while the stream runs')
    next.open()
    assert.equal((await reader.read()).value, 'retry: 1500\ndata: line one\ndata: line two\n\n')
    assert.equal((await reader.read()).done, true)
    await until(events, 'close')
    assert.deepEqual(events, ['open', 'second', 'close'])
  })

  test('server-sent events stop when the client goes away, and the cleanup runs', async (t) => {
    const events: string[] = []
    const getSession = depends(async function* getSession() {
      yield 'session'
      events.push('cleanup')
    })
    const app = createApp()
    app.get('/forever', { params: { session: getSession } }, () =>
      eventStream(
        (async function* () {
          try {
            for (let n = 0; ; n++) {
              yield { data: String(n) }
              await new Promise((resolve) => setTimeout(resolve, 5))
            }
          } finally {
            events.push('generator stopped')
          }
        })(),
      ),
    )
    const base = await serve(t, app)
    const client = new AbortController()
    const answer = await fetch(`${base}/forever`, { signal: client.signal })
    const reader = answer.body!.getReader()
    await reader.read()
    client.abort()
    await until(events, 'generator stopped')
    await until(events, 'cleanup')
  })

  test('a stream that fails before its first chunk answers a plain 500; one that fails later is cut', async (t) => {
    const events: string[] = []
    const getSession = depends(function* getSession() {
      yield 'session'
      events.push('cleanup')
    })
    const app = createApp({ logger: { level: 'silent' } })
    app.get('/early', { params: { session: getSession } }, (_args, { response }) => {
      response.setCookie('session', 'should-not-leak')
      return eventStream(
        (async function* () {
          throw new Error('the feed is down')
        })(),
      )
    })
    app.get('/late', {}, () =>
      streamResponse(
        (async function* () {
          yield 'first line\n'
          throw new Error('the feed went down')
        })(),
      ),
    )
    const base = await serve(t, app)
    const early = await fetch(`${base}/early`)
    assert.equal(early.status, 500)
    assert.equal(early.headers.get('content-type'), 'application/json; charset=utf-8')
    assert.equal(early.headers.get('cache-control'), null)
    assert.deepEqual(early.headers.getSetCookie(), [])
    assert.deepEqual(await early.json(), { detail: 'Internal Server Error' })
    await until(events, 'cleanup')
    // The head went out with the first chunk, so the failure can only cut the answer short.
    const late = await fetch(`${base}/late`)
    assert.equal(late.status, 200)
    await assert.rejects(late.text())
  })

  test('an event field that holds a line break ends the stream rather than forging another field', async (t) => {
    const app = createApp({ logger: { level: 'silent' } })
    app.get('/forged', {}, () => eventStream([{ data: 'ok' }, { event: 'tick\ndata: forged', data: 'x' }]))
    const base = await serve(t, app)
    const answer = await fetch(`${base}/forged`)
    const text = await answer.text().catch(() => 'aborted')
    assert.doesNotMatch(text, /forged/)
  })
})
