/**
 * Background tasks and graceful shutdown on a real listening server, on SQLite, PostgreSQL and MySQL: a
 * task's row is written after the answer, with the request's Session (closed after the tasks); tasks run
 * in order, a failing one is logged without its arguments or secret values and never changes the answer;
 * and closing the app waits for requests in flight and their tasks before it disposes the engine, up to
 * `shutdownTimeout`.
 */
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import {
  backgroundTasks,
  createAll,
  createApp,
  createEngine,
  depends,
  field,
  HTTPError,
  model,
  path,
  select,
  Session,
  table,
  type AppOptions,
} from 'onemodel-ts'
import { captureOutput } from '../support/captured-output.ts'
import { DIALECTS } from '../support/dialects.ts'

const Notification = table(
  'notification',
  model('Notification', {
    id: field.integer({ primaryKey: true }),
    email: field.string({ maxLength: 100 }),
    message: field.string({ maxLength: 200 }),
  }),
)

const Signup = model('Signup', { email: field.string(), password: field.string({ secret: true }) })

/** A promise and the function that resolves it, to hold a task until the test lets it go. */
function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { open, opened }
}

/** Resolves once `check` holds, or fails after three seconds. */
async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3000
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what} never happened`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: background tasks and graceful shutdown`, () => {
    /**
     * A fresh database with the notification table, a Session dependency that records its close, and an
     * app whose lifespan shutdown disposes the engine (recorded too). Start it with `serve()`.
     */
    async function notifications(t: TestContext, options: AppOptions = {}) {
      const url = await dialect.isolatedUrl()
      const engine = createEngine(url)
      // Rows are read with an engine of their own: the app's is disposed when it closes.
      const reader = createEngine(url)
      t.after(() => reader.dispose())
      await createAll(reader)
      const events: string[] = []
      const getSession = depends(async function* getSession() {
        await using session = new Session(engine)
        try {
          yield session
        } finally {
          events.push('session closed')
        }
      })
      const app = createApp({
        ...options,
        lifespan: {
          shutdown: async () => {
            events.push('engine disposed')
            await engine.dispose()
          },
        },
      })
      const serve = async () => {
        const base = await app.listen({ port: 0, signals: false })
        t.after(() => app.close())
        return base
      }
      const rows = async () => {
        await using session = new Session(reader)
        return (await session.exec(select(Notification).orderBy(Notification.c.id))).all()
      }
      return { app, serve, events, getSession, rows }
    }

    test("a task's row is written after the answer, with the request's Session, closed after it", async (t) => {
      const held = gate()
      const { app, serve, events, getSession, rows } = await notifications(t)
      async function writeNotification(session: Session, email: string, message: string) {
        await held.opened
        session.add(Notification.create({ email, message }))
        await session.commit()
        events.push('task done')
      }
      app.post(
        '/send-notification/{email}',
        { params: { email: path.string(), background: backgroundTasks, session: getSession } },
        ({ email, background, session }) => {
          background.add(writeNotification, session, email, 'some notification')
          return { message: 'Notification sent in the background' }
        },
      )
      const base = await serve()
      const answer = await fetch(`${base}/send-notification/deadpond@example.com`, { method: 'POST' })
      assert.deepEqual(
        [answer.status, await answer.json()],
        [200, { message: 'Notification sent in the background' }],
      )
      assert.deepEqual(await rows(), [], 'the task waits: nothing is written yet')
      assert.equal(events.length, 0)
      held.open()
      await until(() => events.includes('session closed'), 'the cleanup')
      assert.deepEqual(events, ['task done', 'session closed'])
      assert.deepEqual(
        (await rows()).map((row) => [row.email, row.message]),
        [['deadpond@example.com', 'some notification']],
      )
    })

    test('tasks run in order; a failing one is logged without its arguments, and the later ones do not run', async (t) => {
      const { app, serve, events } = await notifications(t)
      function audit(step: string) {
        events.push(step)
      }
      async function signUp(email: string, password: string) {
        events.push('sign up')
        // Fails (the email is not a string), and the error carries the input, password included.
        Signup.validate({ email: email.length, password })
      }
      app.post('/signup', { params: { background: backgroundTasks } }, ({ background }) => {
        background.add(audit, 'first')
        background.add(signUp, 'rusty@example.com', 'hunter2-secret')
        background.add(audit, 'never')
        return { ok: true }
      })
      const base = await serve()
      const output = captureOutput()
      try {
        const answer = await fetch(`${base}/signup`, { method: 'POST' })
        assert.deepEqual([answer.status, await answer.json()], [200, { ok: true }])
        await until(() => output.text().includes('background task'), 'the report')
      } finally {
        output.restore()
      }
      assert.deepEqual(events, ['first', 'sign up'])
      const logged = output.text()
      assert.match(logged, /background task signUp failed \(1 later task not run\)/)
      assert.match(logged, /email: Input should be a valid string/)
      assert.ok(!logged.includes('hunter2-secret'), logged)
      assert.ok(!logged.includes('rusty@example.com'), logged)
    })

    test('a handler that fails runs none of its tasks', async (t) => {
      const { app, serve, events, getSession } = await notifications(t)
      app.post(
        '/fails',
        { params: { background: backgroundTasks, session: getSession } },
        ({ background }) => {
          background.add(() => void events.push('task'))
          throw new HTTPError(400, 'No')
        },
      )
      const base = await serve()
      assert.equal((await fetch(`${base}/fails`, { method: 'POST' })).status, 400)
      await until(() => events.includes('session closed'), 'the cleanup')
      assert.deepEqual(events, ['session closed'])
    })

    test('closing waits for the request in flight and its task, then disposes the engine', async (t) => {
      const { app, serve, events, getSession, rows } = await notifications(t)
      const arrived = gate()
      app.post(
        '/welcome/{email}',
        { params: { email: path.string(), background: backgroundTasks, session: getSession } },
        async ({ email, background, session }) => {
          arrived.open()
          await new Promise((resolve) => setTimeout(resolve, 150))
          events.push('handler done')
          background.add(async (address: string) => {
            await new Promise((resolve) => setTimeout(resolve, 150))
            session.add(Notification.create({ email: address, message: 'welcome' }))
            await session.commit()
            events.push('task done')
          }, email)
          return { queued: true }
        },
      )
      const base = await serve()
      const answer = fetch(`${base}/welcome/spider@example.com`, { method: 'POST' }).then((r) => r.status)
      await arrived.opened
      await app.close()
      events.push('closed')
      assert.equal(await answer, 200)
      assert.deepEqual(events, ['handler done', 'task done', 'session closed', 'engine disposed', 'closed'])
      assert.deepEqual(
        (await rows()).map((row) => row.email),
        ['spider@example.com'],
      )
    })

    test('closing waits no longer than shutdownTimeout for a task that never ends', async (t) => {
      const { app, serve, events } = await notifications(t, { shutdownTimeout: 100 })
      const started = gate()
      app.post('/stuck', { params: { background: backgroundTasks } }, ({ background }) => {
        background.add(async function neverEnds() {
          started.open()
          await new Promise(() => {})
        })
        return null
      })
      const base = await serve()
      assert.equal((await fetch(`${base}/stuck`, { method: 'POST' })).status, 200)
      await started.opened
      const output = captureOutput()
      const begun = Date.now()
      try {
        await app.close()
      } finally {
        output.restore()
      }
      assert.ok(Date.now() - begun < 2000, `closed after ${Date.now() - begun} ms`)
      assert.deepEqual(events, ['engine disposed'])
      assert.match(output.text(), /closing after 100 ms with 1 requests or background tasks still running/)
    })
  })
}
