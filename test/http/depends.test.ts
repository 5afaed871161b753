/**
 * Dependencies (FastAPI's Depends): plain and generator functions, values disposed of after the response
 * (`depends.using()`), per-request caching, sub-dependencies with their own parameters, cleanup after the
 * response in last-in first-out order (also when the handler throws), no dependency at all for a 422, and
 * `app.dependencyOverrides`.
 */
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, test } from 'node:test'
import {
  createApp,
  depends,
  header,
  HTTPError,
  path,
  query,
  security,
  type App,
  type Dependency,
} from 'onemodel-ts'

/** A logger that keeps the app's error lines, instead of printing them among the test results. */
function quietLogger() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean))
      done()
    },
  })
  return { lines, logger: { level: 'error', stream } }
}

/** A promise and the function that resolves it, to hold a cleanup until the test lets it go. */
function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { open, opened }
}

/** Resolves when `events` holds `event`, or fails after a second. */
async function until(events: readonly string[], event: string): Promise<void> {
  const deadline = Date.now() + 1000
  while (!events.includes(event)) {
    if (Date.now() > deadline) assert.fail(`'${event}' never happened; events: ${events.join(', ')}`)
    await new Promise((resolve) => setTimeout(resolve, 2))
  }
}

/**
 * Serves a route that takes `dependency` on a real socket and checks that its answer arrives while the
 * dependency's cleanup waits for `held`, and that the cleanup ends (`done` in `events`) once it opens.
 */
async function assertAnsweredBeforeCleanup(
  dependency: Dependency<unknown, {}>,
  held: ReturnType<typeof gate>,
  events: string[],
  done: string,
): Promise<void> {
  const app = createApp()
  app.get('/r', { params: { value: dependency } }, () => 'answered')
  const address = await app.listen({ port: 0, signals: false })
  try {
    assert.equal(await (await fetch(`${address}/r`)).json(), 'answered')
    assert.deepEqual(events, [], 'the answer did not wait for the cleanup')
    held.open()
    await until(events, done)
  } finally {
    held.open() // also when an assertion failed: app.close() waits for the cleanup
    await app.close()
  }
}

async function json(app: App, url: string, headers: Record<string, string> = {}) {
  const response = await app.inject({ method: 'GET', url, headers })
  return { status: response.statusCode, body: response.json() as unknown }
}

describe('plain function dependencies', () => {
  test('the handler gets the returned value; an async function is awaited', async () => {
    const settings = depends(() => ({ appName: 'Heroes' }))
    const user = depends(async () => {
      await new Promise((resolve) => setTimeout(resolve, 1))
      return 'deadpond'
    })
    const app = createApp()
    app.get('/info', { params: { settings, user } }, ({ settings, user }) => ({
      name: settings.appName,
      user,
    }))
    assert.deepEqual(await json(app, '/info'), { status: 200, body: { name: 'Heroes', user: 'deadpond' } })
  })

  test('a dependency with its own parameters: they are read from the request', async () => {
    const pagination = depends(
      { skip: query.integer({ default: 0 }), limit: query.integer({ default: 100 }) },
      ({ skip, limit }) => ({ skip, limit }),
    )
    const app = createApp()
    app.get('/items', { params: { page: pagination } }, ({ page }) => page)
    assert.deepEqual((await json(app, '/items?skip=5')).body, { skip: 5, limit: 100 })
  })

  test('the same dependency serves several routes, each request computing its own value', async () => {
    let n = 0
    const counter = depends(() => ++n)
    const app = createApp()
    app.get('/a', { params: { c: counter } }, ({ c }) => c)
    app.get('/b', { params: { c: counter } }, ({ c }) => c)
    assert.equal((await json(app, '/a')).body, 1)
    assert.equal((await json(app, '/b')).body, 2)
    assert.equal((await json(app, '/a')).body, 3)
  })

  test('the request context reaches a dependency', async () => {
    const method = depends((_args, { request }) => request.method)
    const app = createApp()
    app.get('/m', { params: { method } }, ({ method }) => method)
    assert.equal((await json(app, '/m')).body, 'GET')
  })

  test('a dependency that throws HTTPError answers with it, and the handler does not run', async () => {
    let ran = false
    const token = depends({ authorization: header.string({ optional: true }) }, ({ authorization }) =>
      authorization === 'Bearer ok'
        ? 'user'
        : HTTPError.raise(401, 'Not authenticated', { 'www-authenticate': 'Bearer' }),
    )
    const app = createApp()
    app.get('/me', { params: { user: token } }, ({ user }) => {
      ran = true
      return user
    })
    const denied = await app.inject('/me')
    assert.equal(denied.statusCode, 401)
    assert.equal(denied.headers['www-authenticate'], 'Bearer')
    assert.deepEqual(denied.json(), { detail: 'Not authenticated' })
    assert.equal(ran, false)
    assert.equal((await json(app, '/me', { authorization: 'Bearer ok' })).body, 'user')
  })
})

describe('generator dependencies', () => {
  test('the yielded value reaches the handler; the code after yield runs once the request is done', async () => {
    const events: string[] = []
    const resource = depends(async function* resource() {
      events.push('open')
      yield 'the resource'
      events.push('close')
    })
    const app = createApp()
    app.get('/r', { params: { r: resource } }, ({ r }) => {
      events.push(`handler got ${r}`)
      return r
    })
    assert.equal((await json(app, '/r')).body, 'the resource')
    await until(events, 'close')
    assert.deepEqual(events, ['open', 'handler got the resource', 'close'])
  })

  test('a sync generator works too', async () => {
    const events: string[] = []
    const resource = depends(function* syncResource() {
      try {
        yield 42
      } finally {
        events.push('finally')
      }
    })
    const app = createApp()
    app.get('/r', { params: { r: resource } }, ({ r }) => r + 1)
    assert.equal((await json(app, '/r')).body, 43)
    await until(events, 'finally')
  })

  test('`await using` in a generator disposes after the response', async () => {
    const events: string[] = []
    const resource = depends(async function* resource() {
      await using _ = { [Symbol.asyncDispose]: async () => void events.push('disposed') }
      yield 'r'
    })
    const app = createApp()
    app.get('/r', { params: { r: resource } }, ({ r }) => r)
    await json(app, '/r')
    await until(events, 'disposed')
  })

  test('cleanup runs after the response is sent: the client has its answer while cleanup still waits', async () => {
    const events: string[] = []
    const held = gate()
    const resource = depends(async function* resource() {
      yield 'r'
      events.push('cleanup started')
      await held.opened
      events.push('cleanup done')
    })
    const app = createApp()
    app.get('/r', { params: { r: resource } }, ({ r }) => r)
    const response = await app.inject('/r')
    assert.equal(response.statusCode, 200)
    assert.equal(response.json(), 'r')
    events.push('response received')
    assert.ok(!events.includes('cleanup done'), 'the response did not wait for the cleanup')
    held.open()
    await until(events, 'cleanup done')
    assert.deepEqual(events.at(-1), 'cleanup done')
  })

  test('over a real socket too: the response arrives before a held cleanup finishes', async () => {
    const events: string[] = []
    const held = gate()
    const resource = depends(async function* resource() {
      yield 'r'
      await held.opened
      events.push('cleanup done')
    })
    await assertAnsweredBeforeCleanup(resource, held, events, 'cleanup done')
  })

  test('cleanups run last-in first-out', async () => {
    const events: string[] = []
    const outer = depends(async function* outer() {
      events.push('outer open')
      yield 'outer'
      events.push('outer close')
    })
    const inner = depends({ outer }, async function* inner({ outer }) {
      events.push('inner open')
      yield `inner on ${outer}`
      events.push('inner close')
    })
    const third = depends(async function* third() {
      events.push('third open')
      yield 'third'
      events.push('third close')
    })
    const app = createApp()
    app.get('/r', { params: { inner, third } }, ({ inner, third }) => {
      events.push('handler')
      return [inner, third]
    })
    assert.deepEqual((await json(app, '/r')).body, ['inner on outer', 'third'])
    await until(events, 'outer close')
    assert.deepEqual(events, [
      'outer open',
      'inner open',
      'third open',
      'handler',
      'third close',
      'inner close',
      'outer close',
    ])
  })

  test('a handler error is thrown into the generators: catch and finally see it, the answer is 500', async () => {
    const events: string[] = []
    const { lines, logger } = quietLogger()
    const held = gate()
    const resource = depends(async function* resource() {
      try {
        yield 'r'
        events.push('no error seen')
      } catch (error) {
        events.push(`caught ${(error as Error).message}`)
        throw error
      } finally {
        await held.opened
        events.push('finally')
      }
    })
    const app = createApp({ logger })
    app.get('/boom', { params: { r: resource } }, () => {
      throw new Error('handler broke')
    })
    const response = await app.inject('/boom')
    assert.equal(response.statusCode, 500)
    assert.deepEqual(response.json(), { detail: 'Internal Server Error' })
    assert.ok(!events.includes('finally'), 'the answer did not wait for the cleanup')
    held.open()
    await until(events, 'finally')
    assert.deepEqual(events, ['caught handler broke', 'finally'])
    assert.equal(lines.filter((line) => line.includes('handler broke')).length, 1, 'logged once, by the app')
  })

  test('an HTTPError of the handler reaches the generators, and the client gets it unchanged', async () => {
    const events: string[] = []
    const resource = depends(async function* resource() {
      try {
        yield 'r'
      } catch (error) {
        events.push(`caught ${error instanceof HTTPError ? error.status : 'other'}`)
        throw error
      } finally {
        events.push('finally')
      }
    })
    const app = createApp()
    app.get('/missing', { params: { r: resource } }, () => HTTPError.raise(404, 'Hero not found'))
    assert.deepEqual(await json(app, '/missing'), { status: 404, body: { detail: 'Hero not found' } })
    await until(events, 'finally')
    assert.deepEqual(events, ['caught 404', 'finally'])
  })

  test('a generator that swallows the handler error does not change the answer', async () => {
    const events: string[] = []
    const resource = depends(async function* resource() {
      try {
        yield 'r'
      } catch {
        events.push('swallowed')
      }
    })
    const app = createApp()
    app.get('/missing', { params: { r: resource } }, () => HTTPError.raise(404))
    assert.deepEqual(await json(app, '/missing'), { status: 404, body: { detail: 'Not Found' } })
    await until(events, 'swallowed')
  })

  test('a later dependency that fails still lets the earlier generators clean up, with its error', async () => {
    const events: string[] = []
    const session = depends(async function* session() {
      try {
        yield 'session'
      } catch (error) {
        events.push(`session saw ${(error as HTTPError).status}`)
        throw error
      } finally {
        events.push('session closed')
      }
    })
    const user = depends({ session }, () => HTTPError.raise(403, 'Forbidden'))
    let ran = false
    const app = createApp()
    app.get('/admin', { params: { session, user } }, () => {
      ran = true
      return 'secret'
    })
    assert.deepEqual(await json(app, '/admin'), { status: 403, body: { detail: 'Forbidden' } })
    await until(events, 'session closed')
    assert.deepEqual(events, ['session saw 403', 'session closed'])
    assert.equal(ran, false)
  })

  test('a failing cleanup is logged, and the next request is served normally', async () => {
    const { lines, logger } = quietLogger()
    const events: string[] = []
    const flaky = depends(async function* flaky() {
      yield 'v'
      events.push('cleanup threw')
      throw new Error('cleanup failed')
    })
    const app = createApp({ logger })
    app.get('/r', { params: { v: flaky } }, ({ v }) => v)
    assert.deepEqual(await json(app, '/r'), { status: 200, body: 'v' })
    await until(events, 'cleanup threw')
    await new Promise((resolve) => setTimeout(resolve, 10))
    assert.ok(
      lines.some((line) => line.includes('cleanup failed')),
      `the cleanup error is logged: ${lines.join('\n')}`,
    )
    assert.deepEqual(await json(app, '/r'), { status: 200, body: 'v' })
  })

  test('without a logger, a failing cleanup goes to stderr instead of vanishing', async (t) => {
    const errors = t.mock.method(console, 'error', () => {})
    const events: string[] = []
    const flaky = depends(async function* flaky() {
      yield 'v'
      events.push('cleanup threw')
      throw new Error('cleanup failed')
    })
    const app = createApp()
    app.get('/r', { params: { v: flaky } }, ({ v }) => v)
    assert.deepEqual(await json(app, '/r'), { status: 200, body: 'v' })
    await until(events, 'cleanup threw')
    await new Promise((resolve) => setTimeout(resolve, 10))
    const printed = errors.mock.calls.map((call) => call.arguments.map(String).join(' '))
    assert.ok(
      printed.some((line) => line.includes('a dependency failed in its cleanup') && line.includes('GET /r')),
      printed.join('\n'),
    )
  })

  test('a generator that yields twice is stopped and logged; its finally still runs', async () => {
    const { lines, logger } = quietLogger()
    const events: string[] = []
    const twice = depends(async function* twice() {
      try {
        yield 1
        events.push('after first yield')
        yield 2
        events.push('after second yield')
      } finally {
        events.push('finally')
      }
    })
    const app = createApp({ logger })
    app.get('/r', { params: { v: twice } }, ({ v }) => v)
    assert.deepEqual(await json(app, '/r'), { status: 200, body: 1 })
    await until(events, 'finally')
    await new Promise((resolve) => setTimeout(resolve, 10))
    assert.deepEqual(events, ['after first yield', 'finally'])
    assert.ok(
      lines.some((line) => line.includes('yielded more than once')),
      lines.join('\n'),
    )
  })

  for (const [kind, empty] of [
    ['an async generator', depends(async function* empty() {})],
    // A sync generator's first step comes at once, not as a promise: the same answer.
    ['a generator', depends(function* empty() {})],
  ] as const) {
    test(`${kind} that returns without yielding is a 500 JSON answer`, async () => {
      const { lines, logger } = quietLogger()
      let ran = false
      const app = createApp({ logger })
      app.get('/r', { params: { value: empty } }, () => {
        ran = true
        return 'never'
      })
      const response = await app.inject('/r')
      assert.equal(response.statusCode, 500)
      assert.match(String(response.headers['content-type']), /^application\/json/)
      assert.deepEqual(response.json(), { detail: 'Internal Server Error' })
      assert.equal(ran, false)
      assert.ok(lines.some((line) => line.includes('empty returned without yielding')))
    })
  }
})

describe('depends.using(): a value disposed of after the response', () => {
  /** A resource that notes its disposal in `events`, asynchronously (`await using`'s protocol) or not. */
  function resource(events: string[], name: string, kind: 'async' | 'sync' = 'async') {
    const dispose = () => void events.push(`${name} disposed`)
    return kind === 'async'
      ? { name, [Symbol.asyncDispose]: async () => dispose() }
      : { name, [Symbol.dispose]: dispose }
  }

  test('the handler gets the value; it is disposed of once the answer is sent, async or sync', async () => {
    const events: string[] = []
    const asyncOne = depends.using(() => resource(events, 'async'))
    const syncOne = depends.using(async () => resource(events, 'sync', 'sync'))
    const app = createApp()
    app.get('/r', { params: { a: asyncOne, s: syncOne } }, ({ a, s }) => {
      events.push('handler')
      return [a.name, s.name]
    })
    assert.deepEqual(await json(app, '/r'), { status: 200, body: ['async', 'sync'] })
    await until(events, 'async disposed')
    assert.deepEqual(events, ['handler', 'sync disposed', 'async disposed'], 'last made, first disposed')
  })

  test('the answer does not wait for the disposal', async () => {
    const events: string[] = []
    const held = gate()
    const slow = depends.using(() => ({
      [Symbol.asyncDispose]: async () => {
        await held.opened
        events.push('disposed')
      },
    }))
    await assertAnsweredBeforeCleanup(slow, held, events, 'disposed')
  })

  test('its place among generators: cleaned up in reverse order of creation', async () => {
    const events: string[] = []
    const first = depends.using(() => resource(events, 'first'))
    const second = depends({ first }, async function* second({ first }) {
      yield `on ${first.name}`
      events.push('second closed')
    })
    const third = depends.using({ second }, () => resource(events, 'third'))
    const app = createApp()
    app.get('/r', { params: { second, third } }, ({ second, third }) => [second, third.name])
    assert.deepEqual((await json(app, '/r')).body, ['on first', 'third'])
    await until(events, 'first disposed')
    assert.deepEqual(events, ['third disposed', 'second closed', 'first disposed'])
  })

  test('disposed of when the handler fails, and the answer is the failure', async () => {
    const events: string[] = []
    const { logger } = quietLogger()
    const used = depends.using(() => resource(events, 'used'))
    const app = createApp({ logger })
    app.get('/missing', { params: { used } }, () => HTTPError.raise(404, 'Hero not found'))
    app.get('/boom', { params: { used } }, () => {
      throw new Error('handler broke')
    })
    assert.deepEqual(await json(app, '/missing'), { status: 404, body: { detail: 'Hero not found' } })
    await until(events, 'used disposed')
    events.length = 0
    assert.equal((await json(app, '/boom')).status, 500)
    await until(events, 'used disposed')
    assert.deepEqual(events, ['used disposed'])
  })

  test('a later dependency that fails: what was made before it is disposed of, and the answer is its error', async () => {
    const events: string[] = []
    const made = depends.using(() => resource(events, 'made'))
    const refusing = depends({ made }, () => HTTPError.raise(403, 'Not yours'))
    const app = createApp()
    app.get('/r', { params: { made, refusing } }, () => 'never')
    assert.deepEqual(await json(app, '/r'), { status: 403, body: { detail: 'Not yours' } })
    await until(events, 'made disposed')
  })

  test('a factory that fails makes nothing to dispose of; the next request is served', async () => {
    const events: string[] = []
    let calls = 0
    const flaky = depends.using(async () => {
      if (++calls === 1) HTTPError.raise(503, 'Database unavailable')
      return resource(events, 'second')
    })
    const app = createApp()
    app.get('/r', { params: { r: flaky } }, ({ r }) => r.name)
    assert.deepEqual(await json(app, '/r'), { status: 503, body: { detail: 'Database unavailable' } })
    assert.deepEqual(await json(app, '/r'), { status: 200, body: 'second' })
    await until(events, 'second disposed')
    assert.deepEqual(events, ['second disposed'])
  })

  test('a disposal that throws is logged; the next request is served', async () => {
    const { lines, logger } = quietLogger()
    const events: string[] = []
    const flaky = depends.using(() => ({
      [Symbol.dispose]() {
        events.push('threw')
        throw new Error('disposal failed')
      },
    }))
    const app = createApp({ logger })
    app.get('/r', { params: { v: flaky } }, () => 'v')
    assert.deepEqual(await json(app, '/r'), { status: 200, body: 'v' })
    await until(events, 'threw')
    await new Promise((resolve) => setTimeout(resolve, 10))
    assert.ok(
      lines.some((line) => line.includes('disposal failed')),
      lines.join('\n'),
    )
    assert.deepEqual(await json(app, '/r'), { status: 200, body: 'v' })
  })

  test('a value that cannot be disposed of, or a generator, is a definition error, named, answered 500', async () => {
    const { lines, logger } = quietLogger()
    // A JavaScript caller, or a cast, gets past the type: the request says what is wrong.
    const notAResource = depends.using(function plainSettings() {
      return { name: 'plain' } as never
    })
    const aGenerator = depends.using(function* sessionByGenerator() {
      yield 'never given'
    } as never)
    // A key that is there but is no method is no disposal either.
    const notAMethod = depends.using(function flaggedSettings() {
      return { [Symbol.dispose]: true } as never
    })
    const app = createApp({ logger })
    app.get('/r', { params: { v: notAResource } }, () => 'never')
    app.get('/g', { params: { v: aGenerator } }, () => 'never')
    app.get('/m', { params: { v: notAMethod } }, () => 'never')
    assert.deepEqual(await json(app, '/r'), { status: 500, body: { detail: 'Internal Server Error' } })
    assert.deepEqual(await json(app, '/g'), { status: 500, body: { detail: 'Internal Server Error' } })
    assert.deepEqual(await json(app, '/m'), { status: 500, body: { detail: 'Internal Server Error' } })
    const logged = lines.join('\n')
    assert.match(
      logged,
      /Dependency plainSettings is declared with depends\.using\(\), but its value has neither/,
    )
    assert.match(
      logged,
      /Dependency sessionByGenerator is declared with depends\.using\(\) but returns a generator/,
    )
    assert.match(
      logged,
      /Dependency flaggedSettings is declared with depends\.using\(\), but its value has neither/,
    )
  })

  test('runs once per request, however many parameters name it', async () => {
    const events: string[] = []
    let made = 0
    const shared = depends.using(() => resource(events, `r${++made}`))
    const user = depends({ r: shared }, ({ r }) => `user on ${r.name}`)
    const app = createApp()
    app.get('/r', { params: { r: shared, user } }, ({ r, user }) => [r.name, user])
    assert.deepEqual((await json(app, '/r')).body, ['r1', 'user on r1'])
    await until(events, 'r1 disposed')
    assert.deepEqual(events, ['r1 disposed'])
  })

  test('an override made with depends.using() is disposed of; one by a plain function is not', async () => {
    const events: string[] = []
    const real = depends.using(() => resource(events, 'real'))
    const app = createApp()
    app.get('/r', { params: { r: real } }, ({ r }) => r.name)
    app.dependencyOverrides.set(
      real,
      depends.using(() => resource(events, 'test')),
    )
    assert.equal((await json(app, '/r')).body, 'test')
    await until(events, 'test disposed')
    const kept = resource(events, 'kept')
    app.dependencyOverrides.set(real, () => kept)
    assert.equal((await json(app, '/r')).body, 'kept')
    await new Promise((resolve) => setTimeout(resolve, 10))
    assert.deepEqual(events, ['test disposed'])
  })

  test('security() keeps it disposing', async () => {
    const events: string[] = []
    const used = depends.using(() => resource(events, 'scoped'))
    const app = createApp()
    app.get('/r', { params: { r: security(used, { scopes: ['items'] }) } }, ({ r }) => r.name)
    assert.equal((await json(app, '/r')).body, 'scoped')
    await until(events, 'scoped disposed')
  })
})

describe('per-request caching', () => {
  test('a dependency used by two sub-dependencies and the route runs once per request', async () => {
    let runs = 0
    const db = depends(() => ({ id: ++runs }))
    const users = depends({ db }, ({ db }) => db)
    const items = depends({ db }, ({ db }) => db)
    const app = createApp()
    app.get('/r', { params: { users, items, db } }, ({ users, items, db }) => ({
      same: users === items && items === db,
      id: db.id,
    }))
    assert.deepEqual((await json(app, '/r')).body, { same: true, id: 1 })
    assert.equal(runs, 1)
    assert.deepEqual((await json(app, '/r')).body, { same: true, id: 2 }, 'and again on the next request')
    assert.equal(runs, 2)
  })

  test('a cached generator is set up and cleaned up once', async () => {
    const events: string[] = []
    const session = depends(async function* session() {
      events.push('open')
      yield {}
      events.push('close')
    })
    const a = depends({ session }, ({ session }) => session)
    const b = depends({ session }, ({ session }) => session)
    const app = createApp()
    app.get('/r', { params: { a, b } }, ({ a, b }) => a === b)
    assert.equal((await json(app, '/r')).body, true)
    await until(events, 'close')
    await new Promise((resolve) => setTimeout(resolve, 10))
    assert.deepEqual(events, ['open', 'close'])
  })

  test('concurrent requests do not share a value', async () => {
    let n = 0
    const slow = depends(async () => {
      const mine = ++n
      await new Promise((resolve) => setTimeout(resolve, 5))
      return mine
    })
    const app = createApp()
    app.get('/r', { params: { v: slow } }, ({ v }) => v)
    const answers = await Promise.all([json(app, '/r'), json(app, '/r'), json(app, '/r')])
    assert.deepEqual(answers.map((a) => a.body).sort(), [1, 2, 3])
  })
})

describe('parameters of sub-dependencies', () => {
  const commonQuery = depends(
    { q: query.string({ optional: true }), limit: query.integer({ default: 10, le: 100 }) },
    ({ q, limit }) => ({ q, limit }),
  )
  const tokenCheck = depends({ x_token: header.string(), common: commonQuery }, ({ x_token, common }) => ({
    token: x_token,
    ...common,
  }))

  function appWithSubDependencies() {
    const app = createApp()
    app.get(
      '/items',
      { params: { ctx: tokenCheck, page: query.integer({ default: 1 }) } },
      function readItems({ ctx, page }) {
        return { ...ctx, page }
      },
    )
    return app
  }

  test('are read from the request as the route’s own', async () => {
    const app = appWithSubDependencies()
    assert.deepEqual((await json(app, '/items?q=hero&limit=5&page=2', { 'x-token': 't' })).body, {
      token: 't',
      q: 'hero',
      limit: 5,
      page: 2,
    })
  })

  test('appear in the route’s 422 with their own locations, and no dependency runs', async () => {
    let ran = 0
    const counted = depends({ x_token: header.string(), limit: query.integer({ le: 100 }) }, () => ++ran)
    const app = createApp()
    app.get('/items', { params: { c: counted, page: query.integer() } }, () => 'never')
    assert.deepEqual(await json(app, '/items?limit=500&page=x'), {
      status: 422,
      body: {
        detail: [
          { type: 'missing', loc: ['header', 'x-token'], msg: 'Field required', input: null },
          {
            type: 'less_than_equal',
            loc: ['query', 'limit'],
            msg: 'Input should be less than or equal to 100',
            input: '500',
            ctx: { le: 100 },
          },
          {
            type: 'int_parsing',
            loc: ['query', 'page'],
            msg: 'Input should be a valid integer, unable to parse string as an integer',
            input: 'x',
          },
        ],
      },
    })
    assert.equal(ran, 0)
  })

  test('a bad request opens no generator dependency at all', async () => {
    const events: string[] = []
    const session = depends(async function* session() {
      events.push('session opened')
      yield 'session'
    })
    const app = createApp()
    app.get('/items/{item_id}', { params: { session, item_id: path.integer() } }, () =>
      events.push('handler'),
    )
    assert.equal((await json(app, '/items/abc')).status, 422)
    await new Promise((resolve) => setTimeout(resolve, 10))
    assert.deepEqual(events, [])
  })

  test('appear in the OpenAPI parameters of the route', () => {
    const app = appWithSubDependencies()
    const operation = (app.openapi().paths as Record<string, { get: { parameters: unknown[] } }>)['/items']!
      .get
    assert.deepEqual(operation.parameters, [
      { name: 'x-token', in: 'header', required: true, schema: { type: 'string', title: 'X-Token' } },
      { name: 'q', in: 'query', required: false, schema: { type: 'string', title: 'Q' } },
      {
        name: 'limit',
        in: 'query',
        required: false,
        schema: { type: 'integer', maximum: 100, default: 10, title: 'Limit' },
      },
      { name: 'page', in: 'query', required: false, schema: { type: 'integer', default: 1, title: 'Page' } },
    ])
  })
})

describe('app.dependencyOverrides', () => {
  function overridableApp() {
    const events: string[] = []
    const getSession = depends(async function* getSession() {
      events.push('real session')
      yield 'real'
    })
    const currentUser = depends({ session: getSession }, ({ session }) => `user from ${session}`)
    const app = createApp()
    app.get('/me', { params: { user: currentUser } }, ({ user }) => user)
    app.get('/session', { params: { session: getSession } }, ({ session }) => session)
    return { app, events, getSession, currentUser }
  }

  test('a plain function replaces the dependency everywhere, including inside sub-dependencies', async () => {
    const { app, events, getSession } = overridableApp()
    app.dependencyOverrides.set(getSession, () => 'test')
    assert.equal((await json(app, '/session')).body, 'test')
    assert.equal((await json(app, '/me')).body, 'user from test')
    assert.deepEqual(events, [], 'the real dependency never ran')
  })

  test('a generator function as the replacement is cleaned up like the original', async () => {
    const { app, getSession } = overridableApp()
    const events: string[] = []
    app.dependencyOverrides.set(getSession, async function* testSession() {
      yield 'test'
      events.push('test session closed')
    })
    assert.equal((await json(app, '/session')).body, 'test')
    await until(events, 'test session closed')
  })

  test('a depends() value with its own parameters: they are read from the request', async () => {
    const { app, currentUser } = overridableApp()
    app.dependencyOverrides.set(
      currentUser,
      depends({ as: query.string({ default: 'nobody' }) }, ({ as }) => `test user ${as}`),
    )
    assert.equal((await json(app, '/me?as=deadpond')).body, 'test user deadpond')
    assert.equal((await json(app, '/me')).body, 'test user nobody')
  })

  test('an override set after the app started applies to the next request', async () => {
    const { app, getSession } = overridableApp()
    assert.equal((await json(app, '/session')).body, 'real')
    app.dependencyOverrides.set(getSession, () => 'late')
    assert.equal((await json(app, '/session')).body, 'late')
  })

  test('.delete() restores the original, and .clear() restores them all', async () => {
    const { app, events, getSession, currentUser } = overridableApp()
    app.dependencyOverrides.set(getSession, () => 'test')
    assert.equal((await json(app, '/me')).body, 'user from test')
    assert.equal(app.dependencyOverrides.delete(getSession), true)
    assert.equal((await json(app, '/me')).body, 'user from real')
    assert.deepEqual(events, ['real session'])
    app.dependencyOverrides.set(getSession, () => 'a')
    app.dependencyOverrides.set(currentUser, () => 'b')
    assert.equal((await json(app, '/me')).body, 'b')
    app.dependencyOverrides.clear()
    assert.equal((await json(app, '/me')).body, 'user from real')
  })

  test('the OpenAPI document describes the declared dependencies, not the overrides', () => {
    const { app, currentUser } = overridableApp()
    app.dependencyOverrides.set(
      currentUser,
      depends({ as: query.string() }, ({ as }) => as),
    )
    const me = (app.openapi().paths as Record<string, { get: Record<string, unknown> }>)['/me']!.get
    assert.equal(me.parameters, undefined)
  })
})
