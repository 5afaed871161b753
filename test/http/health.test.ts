/**
 * The health endpoints of `createApp({ health })`: opt-in, liveness that checks nothing, readiness that
 * runs its checks with a timeout and says 503 when one fails, without an error's message, and out of the
 * OpenAPI document unless asked.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createApp, createEngine, RouteDefinitionError } from 'onemodel-ts'
import { tempSqliteUrl } from '../support/sqlite.ts'

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
