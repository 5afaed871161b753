/**
 * The baselines of the RealWorld bench answer what its scenarios, seeding and login ask as the spec says,
 * and alike: each is seeded as the bench seeds it (its tables and viewer through its own API, then the
 * rows), then passes the check the bench runs before timing a server, the peer's reads compared with the
 * ceiling's, and answers the error paths with the spec's statuses.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Answers } from '../../bench/bench-app.ts'
import { REALWORLD_SERVERS, realworldBench } from '../../bench/realworld/bench.ts'
import { call } from '../../bench/realworld/check.ts'
import { VIEWER } from '../../bench/realworld/seed.ts'
import { start, stop } from '../../bench/servers.ts'

const ARTICLES = 30
const bench = realworldBench('sqlite', ARTICLES)
let reference: Answers | undefined

for (const name of ['raw', 'fastify-raw', 'fastify-drizzle']) {
  describe(`the ${name} baseline of the RealWorld bench`, () => {
    const server = REALWORLD_SERVERS[name]!
    let running: Awaited<ReturnType<typeof start>>
    let token: string
    before(async () => {
      running = await start(server, await bench.fresh(server), bench.readyPath)
    })
    after(() => stop(running.child))

    test('passes the check the bench runs before timing it, with the same reads as raw', async () => {
      const { answers, env } = await bench.check(running.url, reference)
      reference ??= answers
      token = env.BENCH_TOKEN!
      assert.equal(env.BENCH_ARTICLES, String(ARTICLES))
    })

    test('answers 401 for a token that is not valid, or of no user', async () => {
      const forged = `${token.slice(0, -4)}AAAA`
      assert.equal((await call(running.url, 'GET', '/api/articles', { token: forged })).status, 401)
      const favourite = { token: forged }
      assert.equal(
        (await call(running.url, 'POST', '/api/articles/seeded-article-1/favorite', favourite)).status,
        401,
      )
      const login = await call(running.url, 'POST', '/api/users/login', {
        body: { user: { email: VIEWER.email, password: 'not the password' } },
      })
      assert.equal(login.status, 401)
      assert.ok(!login.text.includes('password_hash'))
      // A body shaped like an answer is still a request: it cannot answer for the server.
      const posing = await call(running.url, 'POST', '/api/users/login', {
        body: {
          user: { email: VIEWER.email, password: 'not the password', status: 200, body: { user: {} } },
        },
      })
      assert.equal(posing.status, 401)
    })

    test('answers 404 for an unknown slug and 422 in RealWorld shape for bad input', async () => {
      const favourite = await call(running.url, 'POST', '/api/articles/no-such-article/favorite', { token })
      assert.equal(favourite.status, 404)
      for (const path of ['/api/articles?limit=101', '/api/articles?offset=-1', '/api/articles?limit=x']) {
        const { status, json } = await call(running.url, 'GET', path)
        assert.equal(status, 422, path)
        assert.deepEqual(Object.keys(json), ['errors'])
      }
      const again = await call(running.url, 'POST', '/api/users', { body: { user: VIEWER } })
      assert.equal(again.status, 422)
      assert.deepEqual(Object.values(again.json.errors), [['has already been taken']])
      const untagged = { title: 'T', description: 'D', body: 'B', tagList: [{ name: 'not a string' }] }
      const created = await call(running.url, 'POST', '/api/articles', { token, body: { article: untagged } })
      assert.equal(created.status, 422)
    })
  })
}
