/**
 * Exception handlers by error class (FastAPI's `@app.exception_handler`) on a real listening server: an
 * app's own class, the nearest class winning, the built-in answers of HTTPError and the 422s replaced, a
 * handler of `Error` for what would be a 500, and a handler that fails answered 500 and logged without
 * the secrets of the error it was given.
 */
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, test, type TestContext } from 'node:test'
import {
  body,
  createApp,
  DeadlockError,
  SerializationError,
  field,
  HTTPError,
  IntegrityError,
  model,
  OnemodelError,
  path,
  REDACTED,
  RequestValidationError,
  ValidationError,
  type App,
} from 'onemodel-ts'
import { captureOutput } from '../support/captured-output.ts'

const UserCreate = model('UserCreate', {
  username: field.string({ minLength: 3 }),
  email: field.string(),
  password: field.string({ secret: true, minLength: 8 }),
})

class UnicornError extends Error {
  readonly unicorn: string
  constructor(unicorn: string) {
    super(`${unicorn} did something`)
    this.unicorn = unicorn
  }
}

/** An app whose routes throw the errors under test. */
function throwingApp(): App {
  const app = createApp()
  app.get('/unicorns/{name}', { params: { name: path.string() } }, ({ name }) => {
    throw new UnicornError(name)
  })
  app.get('/conflict', {}, () => {
    throw new IntegrityError('UNIQUE constraint failed: user.email', 'unique', 'user.email', undefined)
  })
  app.get('/deadlock', {}, () => {
    throw new DeadlockError('Deadlock found when trying to get lock; try restarting transaction: …')
  })
  app.get('/serialization', {}, () => {
    throw new SerializationError(
      'could not serialize access due to read/write dependencies among transactions: …',
    )
  })
  app.get('/missing', {}, () => HTTPError.raise(404, 'User not found', { 'x-reason': 'gone' }))
  app.get('/bug', {}, () => {
    throw new TypeError('undefined is not a function')
  })
  app.post('/users', { params: { user: body(UserCreate) } }, ({ user }) => ({ username: user.username }))
  return app
}

async function serve(t: TestContext, app: App) {
  const base = await app.listen({ port: 0, signals: false })
  t.after(() => app.close())
  return async (url: string, init: RequestInit = {}) => {
    const response = await fetch(`${base}${url}`, init)
    return { status: response.status, headers: response.headers, body: await response.json() }
  }
}

const postJson = (value: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
})

describe('exception handlers', () => {
  test("an app's own error class gets its own answer, with headers; a handler may be async", async (t) => {
    const app = throwingApp()
    app.exceptionHandler(UnicornError, async (error, request) => ({
      status: 418,
      headers: { 'x-unicorn': error.unicorn },
      body: { message: `Oops! ${error.unicorn} did something. There goes a rainbow...`, path: request.url },
    }))
    const call = await serve(t, app)
    const answer = await call('/unicorns/yolo')
    assert.equal(answer.status, 418)
    assert.equal(answer.headers.get('x-unicorn'), 'yolo')
    assert.match(answer.headers.get('content-type') ?? '', /^application\/json/)
    assert.deepEqual(answer.body, {
      message: 'Oops! yolo did something. There goes a rainbow...',
      path: '/unicorns/yolo',
    })
  })

  test('an IntegrityError as a custom 409; the handler of the nearest class wins', async (t) => {
    const app = throwingApp()
    app.exceptionHandler(OnemodelError, (error) => ({ status: 500, body: { code: error.code } }))
    app.exceptionHandler(IntegrityError, (error) => ({
      status: 409,
      body: { errors: { [error.target ?? 'row']: ['has already been taken'] } },
    }))
    const call = await serve(t, app)
    const answer = await call('/conflict')
    assert.deepEqual(
      [answer.status, answer.body],
      [409, { errors: { 'user.email': ['has already been taken'] } }],
    )
  })

  test("a handler of HTTPError replaces its answers, but the 422s keep RequestValidationError's", async (t) => {
    const app = throwingApp()
    app.exceptionHandler(HTTPError, (error) => ({
      status: error.status,
      headers: error.headers,
      body: { error: { status: error.status, message: error.detail } },
    }))
    const call = await serve(t, app)
    const missing = await call('/missing')
    assert.deepEqual(
      [missing.status, missing.headers.get('x-reason'), missing.body],
      [404, 'gone', { error: { status: 404, message: 'User not found' } }],
    )
    const invalid = await call('/users', postJson({ username: 'jake' }))
    assert.equal(invalid.status, 422)
    assert.equal((invalid.body as { detail: { type: string }[] }).detail[0]!.type, 'missing')
  })

  test("RequestValidationError's handler shapes the 422s as RealWorld's {errors: {field: [messages]}}", async (t) => {
    const app = throwingApp()
    app.exceptionHandler(RequestValidationError, (error) => {
      const errors: Record<string, string[]> = {}
      for (const issue of error.issues) (errors[String(issue.loc.at(-1))] ??= []).push(issue.msg)
      return { status: 422, body: { errors } }
    })
    const call = await serve(t, app)
    const answer = await call('/users', postJson({ username: 'jk', password: 'short' }))
    assert.deepEqual(
      [answer.status, answer.body],
      [
        422,
        {
          errors: {
            username: ['String should have at least 3 characters'],
            email: ['Field required'],
            password: ['String should have at least 8 characters'],
          },
        },
      ],
    )
  })

  for (const [route, what] of [
    ['/deadlock', 'a deadlock'],
    ['/serialization', 'a serialization failure'],
  ]) {
    test(`${what} a route let escape is a 503 with Retry-After, as a lock not taken is: running again is the fix`, async (t) => {
      const call = await serve(t, throwingApp())
      const answer = await call(route)
      assert.equal(answer.status, 503)
      assert.equal(answer.headers.get('retry-after'), '1')
      assert.deepEqual(answer.body, { detail: 'Service Unavailable: the database is busy or unreachable' })
    })
  }

  test('a handler of Error answers what would be a 500, and only that', async (t) => {
    const app = throwingApp()
    const seen: string[] = []
    app.exceptionHandler(Error, (error) => {
      seen.push(error.name)
      return { status: 500, body: { message: 'Something broke, we are on it' } }
    })
    const call = await serve(t, app)
    assert.deepEqual((await call('/bug')).body, { message: 'Something broke, we are on it' })
    assert.equal((await call('/missing')).status, 404)
    assert.equal((await call('/conflict')).status, 409)
    assert.equal((await call('/users', postJson({}))).status, 422)
    assert.deepEqual(seen, ['TypeError'])
  })

  test('a handler that throws is a 500 {"detail"}, logged without the secret values it was given', async (t) => {
    const lines: string[] = []
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk))
        done()
      },
    })
    const app = createApp({ logger: { level: 'error', stream } })
    app.post('/users', { params: { user: body(UserCreate) } }, ({ user }) => ({ username: user.username }))
    app.exceptionHandler(RequestValidationError, (_error, request) => {
      // A buggy handler: validates the body again without its email, which fails with the whole body.
      const sent = JSON.parse(String(request.body)) as Record<string, unknown>
      UserCreate.validate({ ...sent, email: undefined })
      return { status: 422, body: {} }
    })
    const call = await serve(t, app)
    const answer = await call(
      '/users',
      postJson({ username: 'jk', email: 'jake@jake.jake', password: 'hunter2-secret' }),
    )
    assert.deepEqual([answer.status, answer.body], [500, { detail: 'Internal Server Error' }])
    const logged = lines.join('')
    assert.match(logged, /an exception handler failed/)
    // The whole input is logged, as the `missing` item echoes it, with the password redacted.
    assert.ok(logged.includes(`"password":"${REDACTED}"`), logged)
    assert.ok(!logged.includes('hunter2-secret'), logged)
  })

  test('a handler that answers a status HTTP has not is a 500, logged', async (t) => {
    const app = throwingApp()
    app.exceptionHandler(UnicornError, () => ({ status: 1000, body: {} }))
    const call = await serve(t, app)
    const output = captureOutput()
    let answer
    try {
      answer = await call('/unicorns/yolo')
    } finally {
      output.restore()
    }
    assert.deepEqual([answer.status, answer.body], [500, { detail: 'Internal Server Error' }])
    assert.match(output.text(), /An exception handler answered status 1000; use one from 100 to 599\./)
  })

  test('a ValidationError thrown by a handler goes to a handler of ValidationError', async (t) => {
    const app = createApp()
    app.get('/validate', {}, () => UserCreate.validate({ username: 'jake' }))
    app.exceptionHandler(ValidationError, (error) => ({ status: 400, body: { count: error.issues.length } }))
    const call = await serve(t, app)
    assert.deepEqual(await call('/validate').then((a) => [a.status, a.body]), [400, { count: 2 }])
  })

  test('a body that is a string or a number is JSON; none is an empty answer', async (t) => {
    class Teapot extends Error {}
    class Gone extends Error {}
    const app = createApp()
    app.get('/teapot', {}, () => {
      throw new Teapot()
    })
    app.get('/gone', {}, () => {
      throw new Gone()
    })
    app.exceptionHandler(Teapot, () => ({ status: 418, body: 'short and stout' }))
    app.exceptionHandler(Gone, () => ({ status: 410 }))
    const base = await app.listen({ port: 0, signals: false })
    t.after(() => app.close())
    const teapot = await fetch(`${base}/teapot`)
    assert.match(teapot.headers.get('content-type') ?? '', /^application\/json/)
    assert.equal(await teapot.text(), '"short and stout"')
    const gone = await fetch(`${base}/gone`)
    assert.deepEqual([gone.status, await gone.text()], [410, ''])
  })

  test('exception handlers are added before the app starts', async () => {
    const app = throwingApp()
    await app.ready()
    assert.throws(() => app.exceptionHandler(UnicornError, () => ({ status: 418 })), {
      message: 'exception handlers must be added before the app starts.',
    })
    await app.close()
  })
})
