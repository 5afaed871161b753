/**
 * The health endpoints of `createApp({ health })`: opt-in, liveness that checks nothing, readiness that
 * runs its checks with a timeout and says 503 when one fails, without an error's message, and out of the
 * OpenAPI document unless asked.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  ConnectionError,
  createApp,
  createEngine,
  RouteDefinitionError,
  sql,
  type App,
  type Engine,
} from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { THROUGH_PGBOUNCER } from '../support/scale-out.ts'
import { becomesTrue, settlesWithin } from '../support/settles.ts'
import { tempSqliteUrl } from '../support/sqlite.ts'
import { TcpRelay } from '../support/tcp-relay.ts'
import { socketsHeldTo } from '../support/tcp-table.ts'

describe('health endpoints', () => {
  test('are off by default', async () => {
    const app = createApp()
    assert.equal((await app.inject('/livez')).statusCode, 404)
    assert.equal((await app.inject('/readyz')).statusCode, 404)
    await app.close()
  })

  test('health: true answers liveness and readiness, HEAD too, uncached, out of the OpenAPI document', async () => {
    const app = createApp({ health: true })
    try {
      for (const [url, body] of [
        ['/livez', { status: 'ok' }],
        ['/readyz', { status: 'ready', checks: {} }],
      ] as const) {
        const answer = await app.inject(url)
        assert.equal(answer.statusCode, 200, url)
        assert.deepEqual(answer.json(), body)
        assert.equal(answer.headers['cache-control'], 'no-store')
        assert.equal((await app.inject({ method: 'HEAD', url })).statusCode, 200)
        const post = await app.inject({ method: 'POST', url })
        assert.equal(post.statusCode, 405)
        assert.equal(post.headers.allow, 'GET, HEAD, OPTIONS')
      }
      assert.deepEqual(Object.keys(app.openapi().paths as object), [])
    } finally {
      await app.close()
    }
  })

  test('readiness runs every check: 503 names the failed and timed out ones, without their messages', async () => {
    const app = createApp({
      health: {
        live: '/health/live',
        ready: '/health/ready',
        timeout: 100,
        checks: {
          database: () => undefined,
          cache: async () => {
            throw new Error('redis://admin:hunter2@cache:6379 refused')
          },
          queue: () => new Promise(() => {}),
        },
      },
    })
    try {
      const started = Date.now()
      const answer = await app.inject('/health/ready')
      assert.ok(Date.now() - started < 1000, 'a check that never answers times out')
      assert.equal(answer.statusCode, 503)
      assert.deepEqual(answer.json(), {
        status: 'unavailable',
        checks: { database: 'ok', cache: 'failed', queue: 'timeout' },
      })
      assert.doesNotMatch(answer.body, /hunter2|redis/)
      assert.equal((await app.inject('/health/live')).statusCode, 200, 'liveness checks nothing')
    } finally {
      await app.close()
    }
  })

  test('engine.ping() as the database check: ready, then 503 once the engine is gone', async () => {
    const engine = createEngine(tempSqliteUrl())
    const app = createApp({ health: { checks: { database: () => engine.ping() } } })
    try {
      assert.deepEqual((await app.inject('/readyz')).json(), { status: 'ready', checks: { database: 'ok' } })
      await engine.dispose()
      const answer = await app.inject('/readyz')
      assert.equal(answer.statusCode, 503)
      assert.deepEqual(answer.json(), { status: 'unavailable', checks: { database: 'failed' } })
    } finally {
      await app.close()
    }
  })

  test('includeInSchema lists them in the OpenAPI document; a route on their paths is refused', () => {
    const app = createApp({ health: { includeInSchema: true } })
    const paths = app.openapi().paths as Record<string, { get: { operationId: string } }>
    assert.deepEqual(
      Object.entries(paths).map(([path, item]) => [path, item.get.operationId]),
      [
        ['/livez', 'liveness'],
        ['/readyz', 'readiness'],
      ],
    )
    assert.throws(() => app.get('/readyz', {}, () => null), RouteDefinitionError)
  })
})

/** `/readyz` of an app listening on a port, as a load balancer asks it: status, body and how long it took. */
async function probe(app: App): Promise<{ status: number; body: string; took: number }> {
  const origin = await app.listen({ port: 0, signals: false })
  const started = Date.now()
  const answer = await fetch(`${origin}/readyz`)
  return { status: answer.status, body: await answer.text(), took: Date.now() - started }
}

/** Holds every connection of `engine`'s pool of `size` in an open transaction until `release()`. */
async function saturate(engine: Engine, size: number): Promise<{ release: () => Promise<void> }> {
  let end!: () => void
  const ended = new Promise<void>((resolve) => (end = resolve))
  let begun = 0
  const transactions = Promise.all(
    Array.from({ length: size }, () =>
      engine.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx)
        begun++
        await ended
      }),
    ),
  )
  while (begun < size) await new Promise((resolve) => setTimeout(resolve, 10))
  return {
    release: async () => {
      end()
      await transactions
    },
  }
}

/** A relay in front of the server `url` names, which a test can turn into a blackhole. */
async function relayTo(url: string): Promise<TcpRelay> {
  const { hostname, port } = new URL(url)
  return TcpRelay.start({ host: hostname, port: Number(port) })
}

const SERVERS = [...DIALECTS.filter((d) => d.name !== 'sqlite'), ...THROUGH_PGBOUNCER]

for (const dialect of SERVERS) {
  describe(`readiness with engine.ping(), ${dialect.label ?? dialect.name}`, () => {
    test('answers 200 at once while requests hold every connection of the pool', async () => {
      await using engine = createEngine(await dialect.isolatedUrl(), { pool: { size: 2 } })
      const app = createApp({ health: { checks: { database: () => engine.ping() }, timeout: 1000 } })
      // The ping's own connection is opened first: logging in is not what this bound is about, and may take
      // a while on a busy machine.
      await engine.ping()
      const held = await saturate(engine, 2)
      const request = engine.db.selectNoFrom(sql<number>`1`.as('one')).execute()
      try {
        const waited = await Promise.race([
          request.then(() => 'answered'),
          new Promise((resolve) => setTimeout(() => resolve('waiting'), 300)),
        ])
        assert.equal(waited, 'waiting', 'a request waits for a connection of the pool')
        const answer = await probe(app)
        assert.equal(answer.status, 200)
        assert.deepEqual(JSON.parse(answer.body), { status: 'ready', checks: { database: 'ok' } })
        assert.ok(answer.took < 1000, `answered within the check's timeout (${answer.took} ms)`)
      } finally {
        await held.release()
        await request
        await app.close()
      }
    })

    test('answers 503 without the error when the database cannot be reached, and once the engine is gone', async () => {
      const url = new URL(await dialect.isolatedUrl())
      url.password = 's3cret-password'
      url.port = '1' // nothing listens there
      await using unreachable = createEngine(url.href, { pool: { connectTimeout: 500 } })
      const app = createApp({ health: { checks: { database: () => unreachable.ping() }, timeout: 1000 } })
      try {
        const answer = await probe(app)
        assert.equal(answer.status, 503)
        assert.deepEqual(JSON.parse(answer.body), { status: 'unavailable', checks: { database: 'failed' } })
        assert.doesNotMatch(answer.body, /s3cret|127\.0\.0\.1|ECONNREFUSED|postgres|root/)
      } finally {
        await app.close()
      }
      const engine = createEngine(await dialect.isolatedUrl())
      await engine.ping()
      await engine.dispose()
      await assert.rejects(engine.ping(), { code: 'OM_ENGINE_DISPOSED' }, 'a disposed engine pings no more')
    })

    test(
      'a ping the database leaves unanswered fails with a ConnectionError, and so does the next, which cannot log in; dispose() returns and closes every socket',
      { timeout: 60_000 },
      async () => {
        const url = await dialect.isolatedUrl()
        await using relay = await relayTo(url)
        const engine = createEngine(relay.in(url))
        await engine.ping() // its connection is open
        relay.blackhole()
        // Bounds far past the ping's deadline: only a ping or a dispose() that waits for good reaches them.
        await assert.rejects(settlesWithin(engine.ping(), 20_000, 'the unanswered ping'), ConnectionError)
        await assert.rejects(
          settlesWithin(engine.ping(), 20_000, 'the next ping, which cannot log in'),
          ConnectionError,
        )
        await settlesWithin(engine.dispose(), 20_000, 'engine.dispose()')
        // The server never answers a goodbye: a socket that waited for its end would keep the process alive.
        await becomesTrue(
          () => socketsHeldTo(relay.port) === 0,
          5000,
          'no socket to the silent server is left',
        )
      },
    )
  })
}

test(
  'engine.ping() keeps its connection while idle: two pings 11 s apart log in once',
  { timeout: 60_000 },
  async () => {
    // The dialects at once, so that the wait is paid once.
    await Promise.all(
      SERVERS.map(async (dialect) => {
        const url = await dialect.isolatedUrl()
        await using relay = await relayTo(url)
        // The app's pool closes idle connections after 5 s (MySQL's would keep them by default): the ping's
        // own connection must not.
        await using engine = createEngine(relay.in(url), { pool: { idleTimeout: 5000 } })
        await engine.ping()
        // Past pg's default idle timeout (10 s), which would close the connection and log in again.
        await new Promise((resolve) => setTimeout(resolve, 11_000))
        await engine.ping()
        assert.equal(relay.accepted, 1, `${dialect.label ?? dialect.name}: one connection`)
      }),
    )
  },
)
