/**
 * Middleware (Starlette's `@app.middleware("http")`) on a real listening server: it runs around every
 * request, sees and changes the status and headers of every answer (200, 404, 405, 422, 500), several nest
 * with the last added outermost, and an error it throws is a JSON `{"detail"}` answer, never a hang.
 */
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import { body, createApp, HTTPError, model, field, path, type App } from 'onemodel-ts'
import { captureOutput } from '../support/captured-output.ts'

const Item = model('Item', { name: field.string() })

/** Serves `app` on a free port until the test ends; returns a fetch that reads status, headers and JSON. */
async function serve(t: TestContext, app: App) {
  const base = await app.listen({ port: 0, signals: false })
  t.after(() => app.close())
  return async (url: string, init: RequestInit = {}) => {
    const response = await fetch(`${base}${url}`, { ...init, signal: AbortSignal.timeout(5000) })
    const text = await response.text()
    return {
      status: response.status,
      headers: response.headers,
      body: text === '' ? undefined : JSON.parse(text),
    }
  }
}

/** An app with a route of each kind of answer. */
function itemsApp(options: { shutdownTimeout?: number } = {}): App {
  const app = createApp(options)
  app.get('/items/{id}', { params: { id: path.integer() } }, ({ id }) => ({ id }))
  app.post('/items/', { params: { item: body(Item) } }, ({ item }) => item)
  app.get('/broken', {}, () => {
    throw new Error('a bug')
  })
  return app
}

/** Runs `exercise` with stderr captured (a 500 is reported there), returning what was written. */
async function quietly<T>(exercise: () => Promise<T>): Promise<{ result: T; logged: string }> {
  const output = captureOutput()
  try {
    return { result: await exercise(), logged: output.text() }
  } finally {
    output.restore()
  }
}

describe('middleware', () => {
  test('the docs’ timing header is on every answer: 200, 404, 405, 422 and 500', async (t) => {
    const app = itemsApp()
    app.middleware(async function addProcessTimeHeader(_request, next) {
      const start = performance.now()
      const response = await next()
      response.headers.set('x-process-time', String((performance.now() - start) / 1000))
    })
    const call = await serve(t, app)
    const answers = await quietly(async () => [
      await call('/items/1'),
      await call('/nowhere'),
      await call('/items/1', { method: 'DELETE' }),
      await call('/items/x'),
      await call('/broken'),
    ])
    assert.deepEqual(
      answers.result.map((answer) => answer.status),
      [200, 404, 405, 422, 500],
    )
    for (const answer of answers.result) {
      assert.match(answer.headers.get('x-process-time') ?? '', /^\d+(\.\d+)?(e-\d+)?$/)
    }
    assert.deepEqual(answers.result[4]!.body, { detail: 'Internal Server Error' })
  })

  test('a middleware sees the status and may change it and the headers', async (t) => {
    const app = itemsApp()
    const seen: number[] = []
    app.middleware(async (_request, next) => {
      const response = await next()
      seen.push(response.status)
      if (response.status === 404) {
        response.status = 410
        response.headers.set('x-gone', 'yes')
      }
      assert.equal(response.headers.has('content-type'), true)
      response.headers.delete('x-drop')
    })
    app.get('/headers', {}, (_args, { reply }) => {
      void reply.header('x-drop', 'secret')
      return 'ok'
    })
    const call = await serve(t, app)
    const gone = await call('/nowhere')
    assert.deepEqual(
      [gone.status, gone.headers.get('x-gone'), gone.body],
      [410, 'yes', { detail: 'Not Found' }],
    )
    const headers = await call('/headers')
    assert.equal(headers.headers.get('x-drop'), null)
    assert.deepEqual(seen, [404, 200])
  })

  test('several nest: the last added is the outermost, as in Starlette', async (t) => {
    const app = itemsApp()
    const events: string[] = []
    for (const name of ['first', 'second', 'third']) {
      app.middleware(async (request, next) => {
        events.push(`${name} before ${request.method}`)
        const response = await next()
        events.push(`${name} after ${response.status}`)
        response.headers.set('x-order', [response.headers.get('x-order'), name].filter(Boolean).join(','))
      })
    }
    app.get('/handler', {}, () => void events.push('handler'))
    const call = await serve(t, app)
    const answer = await call('/handler')
    assert.deepEqual(events, [
      'third before GET',
      'second before GET',
      'first before GET',
      'handler',
      'first after 200',
      'second after 200',
      'third after 200',
    ])
    assert.equal(answer.headers.get('x-order'), 'first,second,third')
  })

  test('an HTTPError thrown before next() is answered at once; the route does not run', async (t) => {
    const app = itemsApp()
    let routeRan = false
    app.middleware(async (request, next) => {
      if (request.headers['x-token'] !== 'open sesame') throw new HTTPError(401, 'Not authenticated')
      await next()
    })
    app.get('/guarded', {}, () => (routeRan = true))
    const call = await serve(t, app)
    assert.deepEqual(await call('/guarded').then((a) => [a.status, a.body]), [
      401,
      { detail: 'Not authenticated' },
    ])
    assert.equal(routeRan, false)
    const opened = await call('/guarded', { headers: { 'x-token': 'open sesame' } })
    assert.deepEqual([opened.status, opened.body, routeRan], [200, true, true])
  })

  for (const when of ['before', 'after'] as const) {
    test(`an error thrown ${when} next() is a 500 {"detail"} answer, logged, never a hang`, async (t) => {
      const app = itemsApp()
      app.middleware(async (_request, next) => {
        if (when === 'before') throw new Error('middleware bug')
        await next()
        throw new Error('middleware bug')
      })
      const call = await serve(t, app)
      const { result, logged } = await quietly(() => call('/items/1'))
      assert.deepEqual([result.status, result.body], [500, { detail: 'Internal Server Error' }])
      assert.match(logged, /middleware bug/)
      // The server goes on answering.
      assert.equal((await quietly(() => call('/items/2'))).result.status, 500)
    })
  }

  test('a middleware that returns without calling next(), or calls it twice, is a 500', async (t) => {
    const app = itemsApp()
    app.middleware(async (request, next) => {
      if (request.url === '/items/1') return
      await next()
      if (request.url === '/items/2') await next()
    })
    const call = await serve(t, app)
    const { result, logged } = await quietly(async () => [await call('/items/1'), await call('/items/2')])
    assert.deepEqual(
      result.map((answer) => [answer.status, answer.body]),
      [
        [500, { detail: 'Internal Server Error' }],
        [500, { detail: 'Internal Server Error' }],
      ],
    )
    assert.match(logged, /returned without calling next\(\)/)
    assert.match(logged, /called next\(\) twice/)
  })

  test('an exception handler answers what a middleware throws', async (t) => {
    class Maintenance extends Error {}
    const app = itemsApp()
    app.exceptionHandler(Maintenance, () => ({ status: 503, body: { detail: 'Down for maintenance' } }))
    app.middleware(async () => {
      throw new Maintenance()
    })
    const call = await serve(t, app)
    const answer = await call('/items/1')
    assert.deepEqual([answer.status, answer.body], [503, { detail: 'Down for maintenance' }])
  })

  test('a client that leaves before the answer does not leave the middleware waiting', async (t) => {
    // The handler never ends, so closing the app waits for it only this long.
    const app = itemsApp({ shutdownTimeout: 50 })
    const ended: string[] = []
    let arrived!: () => void
    const handlerStarted = new Promise<void>((resolve) => (arrived = resolve))
    app.middleware(async (_request, next) => {
      try {
        await next()
      } finally {
        ended.push('middleware')
      }
    })
    app.get('/never', {}, async () => {
      arrived()
      await new Promise(() => {})
    })
    const base = await app.listen({ port: 0, signals: false })
    t.after(() => quietly(() => app.close()))
    const controller = new AbortController()
    const call = fetch(`${base}/never`, { signal: controller.signal }).catch(() => 'aborted')
    await handlerStarted
    controller.abort()
    assert.equal(await call, 'aborted')
    const deadline = Date.now() + 2000
    while (ended.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5))
    assert.deepEqual(ended, ['middleware'])
  })

  test('middleware is added before the app starts', async () => {
    const app = itemsApp()
    await app.ready()
    assert.throws(() => app.middleware(async (_request, next) => void (await next())), {
      code: 'OM_HTTP_ROUTE_DEFINITION',
      message: 'middleware must be added before the app starts.',
    })
    await app.close()
  })
})
