/**
 * CORS configured in `createApp({ cors })` with FastAPI's CORSMiddleware options and defaults, answered by
 * @fastify/cors on a real listening server: preflights answered, allowed origins echoed on every answer
 * (errors too), and an origin not allowed given no CORS header at all.
 */
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import { body, createApp, field, model, type CorsOptions } from 'onemodel-ts'

const Hero = model('Hero', { name: field.string() })

const FRONTEND = 'https://heroes.example'
const ELSEWHERE = 'https://evil.example'

async function serve(t: TestContext, cors: CorsOptions) {
  const app = createApp({ cors })
  app.get('/heroes/', {}, (_args, { reply }) => {
    void reply.header('x-total-count', '3')
    return []
  })
  app.post('/heroes/', { params: { hero: body(Hero) } }, ({ hero }) => hero)
  const base = await app.listen({ port: 0, signals: false })
  t.after(() => app.close())
  return async (method: string, path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, { method, headers })
    const cors = Object.fromEntries(
      [...response.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary'),
    )
    return {
      status: response.status,
      cors,
      allow: response.headers.get('allow'),
      text: await response.text(),
    }
  }
}

const preflight = (origin: string, method = 'POST', requestHeaders?: string) => ({
  origin,
  'access-control-request-method': method,
  ...(requestHeaders === undefined ? {} : { 'access-control-request-headers': requestHeaders }),
})

describe('CORS', () => {
  test("a preflight from an allowed origin is answered with FastAPI's headers", async (t) => {
    const call = await serve(t, {
      allowOrigins: [FRONTEND],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['Authorization'],
      allowCredentials: true,
    })
    const answer = await call('OPTIONS', '/heroes/', preflight(FRONTEND, 'POST', 'authorization'))
    assert.equal(answer.status, 204)
    assert.deepEqual(answer.cors, {
      'access-control-allow-origin': FRONTEND,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers':
        'Accept, Accept-Language, Authorization, Content-Language, Content-Type',
      'access-control-max-age': '600',
      vary: 'Origin',
    })
  })

  test('an origin not allowed gets no CORS header, its preflight neither', async (t) => {
    const call = await serve(t, { allowOrigins: [FRONTEND], allowMethods: ['*'] })
    const refused = await call('OPTIONS', '/heroes/', preflight(ELSEWHERE))
    assert.deepEqual(
      Object.keys(refused.cors).filter((name) => name.startsWith('access-control-')),
      [],
    )
    const simple = await call('GET', '/heroes/', { origin: ELSEWHERE })
    assert.equal(simple.status, 200)
    assert.deepEqual(
      Object.keys(simple.cors).filter((name) => name.startsWith('access-control-')),
      [],
    )
    // Nor does a request without an Origin (not a cross-origin one).
    const local = await call('GET', '/heroes/')
    assert.equal(local.cors['access-control-allow-origin'], undefined)
  })

  test('an allowed origin is echoed on answers and errors, with the exposed headers', async (t) => {
    const call = await serve(t, { allowOrigins: [FRONTEND], exposeHeaders: ['X-Total-Count'] })
    for (const [method, path, status] of [
      ['GET', '/heroes/', 200],
      ['GET', '/nowhere', 404],
      ['POST', '/heroes/', 422],
    ] as const) {
      const answer = await call(method, path, { origin: FRONTEND })
      assert.equal(answer.status, status)
      assert.equal(answer.cors['access-control-allow-origin'], FRONTEND, `${method} ${path}`)
      assert.equal(answer.cors['access-control-expose-headers'], 'X-Total-Count')
    }
  })

  test("FastAPI's defaults: GET only, no credentials, the safelisted headers", async (t) => {
    const call = await serve(t, { allowOrigins: [FRONTEND] })
    const answer = await call('OPTIONS', '/heroes/', preflight(FRONTEND, 'GET', 'x-custom'))
    assert.deepEqual(answer.cors, {
      'access-control-allow-origin': FRONTEND,
      'access-control-allow-methods': 'GET',
      'access-control-allow-headers': 'Accept, Accept-Language, Content-Language, Content-Type',
      'access-control-max-age': '600',
      vary: 'Origin',
    })
  })

  test("['*'] allows any origin as '*', or echoes it when credentials are allowed", async (t) => {
    const any = await serve(t, { allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'], maxAge: 60 })
    const answer = await any('OPTIONS', '/heroes/', preflight(ELSEWHERE, 'DELETE', 'x-token, content-type'))
    assert.equal(answer.status, 204)
    assert.equal(answer.cors['access-control-allow-origin'], '*')
    assert.equal(answer.cors['access-control-allow-methods'], 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT')
    assert.equal(answer.cors['access-control-allow-headers'], 'x-token, content-type')
    assert.equal(answer.cors['access-control-max-age'], '60')

    const credentialed = await serve(t, { allowOrigins: ['*'], allowCredentials: true })
    const echoed = await credentialed('GET', '/heroes/', { origin: ELSEWHERE })
    assert.equal(echoed.cors['access-control-allow-origin'], ELSEWHERE)
    assert.equal(echoed.cors['access-control-allow-credentials'], 'true')
  })

  test('allowOriginRegex matches the whole origin', async (t) => {
    const call = await serve(t, { allowOriginRegex: /https:\/\/.*\.heroes\.example/ })
    const preview = await call('GET', '/heroes/', { origin: 'https://pr-12.heroes.example' })
    assert.equal(preview.cors['access-control-allow-origin'], 'https://pr-12.heroes.example')
    const suffixed = await call('GET', '/heroes/', { origin: 'https://pr-12.heroes.example.evil.example' })
    assert.equal(suffixed.cors['access-control-allow-origin'], undefined)
  })

  test('an OPTIONS that is not a preflight still answers with Allow', async (t) => {
    const call = await serve(t, { allowOrigins: [FRONTEND] })
    const answer = await call('OPTIONS', '/heroes/')
    assert.equal(answer.status, 204)
    assert.equal(answer.allow, 'GET, HEAD, POST, OPTIONS')
    assert.deepEqual(answer.cors, { vary: 'Origin' })
  })
})
