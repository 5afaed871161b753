/**
 * Health endpoints for load balancers and orchestrators, opt-in with `createApp({ health: … })`. FastAPI
 * has none built in; these follow what Kubernetes probes expect:
 *
 * - liveness (`/livez`): 200 while the process answers HTTP at all. It checks nothing else, so a database
 *   outage never gets healthy processes restarted.
 * - readiness (`/readyz`): 200 when every check passes within its timeout, else 503, so traffic goes to
 *   the other processes. Once the app closes, Fastify answers 503 to any request still arriving
 *   (`return503OnClosing`), and the app stops listening and closes its idle connections.
 *
 * They run no dependencies of the app (a probe carries no credentials), are not logged below warnings,
 * are never cached, and are left out of the OpenAPI document unless `includeInSchema` says otherwise. The
 * answers name each check with `ok`, `failed` or `timeout`, never an error's message, which may name hosts
 * or users.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import { allowOnly } from './router.ts'

/**
 * Options of the health endpoints: `createApp({ health: { checks: { database: () => engine.ping() } } })`.
 *
 * @example
 * const app = createApp({
 *   health: { checks: { database: () => engine.ping() }, timeout: 1000 },
 *   lifespan: { shutdown: () => engine.dispose() },
 * })
 * // GET /livez  → 200 {"status":"ok"}
 * // GET /readyz → 200 {"status":"ready","checks":{"database":"ok"}}, or 503 {"status":"unavailable",…}
 */
export interface HealthOptions {
  /** The liveness path; default `/livez`. */
  live?: string
  /** The readiness path; default `/readyz`. */
  ready?: string
  /**
   * What readiness checks, run concurrently on each probe: a check passes when it returns or resolves,
   * and fails when it throws, rejects or takes longer than `timeout`. A check should not wait for what
   * requests use up under load: `engine.ping()` has a connection of its own, apart from the pool.
   */
  checks?: Record<string, () => unknown>
  /** How long each check may take, in ms; default 2000. */
  timeout?: number
  /** List the two endpoints in the OpenAPI document and `/docs`; default false. */
  includeInSchema?: boolean
}

type CheckResult = 'ok' | 'failed' | 'timeout'

const DEFAULT_TIMEOUT = 2000
const JSON_TYPE = 'application/json'

/** The liveness and readiness paths of `health` (`true` is the defaults), or none. */
export function healthPaths(health: HealthOptions | boolean | undefined): string[] {
  if (!health) return []
  const { live, ready } = pathsOf(health)
  return [live, ready]
}

function pathsOf(health: HealthOptions | true): { live: string; ready: string } {
  const { live = '/livez', ready = '/readyz' } = health === true ? {} : health
  return { live, ready }
}

/** Serves the health endpoints on `instance`. */
export function serveHealth(instance: FastifyInstance, health: HealthOptions | true): void {
  const options = health === true ? {} : health
  const { live, ready } = pathsOf(options)
  const checks = Object.entries(options.checks ?? {})
  const timeout = options.timeout ?? DEFAULT_TIMEOUT
  // Probes come every few seconds from every balancer: logged only when something goes wrong.
  const route = { logLevel: 'warn' } as const
  instance.get(live, route, (_request, reply) => answer(reply, 200, { status: 'ok' }))
  instance.get(ready, route, async (_request, reply) => {
    const results = await Promise.all(checks.map(([, check]) => run(check, timeout)))
    const named = Object.fromEntries(checks.map(([name], i) => [name, results[i]!]))
    const passed = results.every((result) => result === 'ok')
    return answer(reply, passed ? 200 : 503, { status: passed ? 'ready' : 'unavailable', checks: named })
  })
  for (const path of [live, ready]) allowOnly(instance, path, new Set(['GET', 'HEAD']))
}

/** The OpenAPI paths of the health endpoints, for `includeInSchema`. */
export function healthOpenApiPaths(health: HealthOptions | true): Record<string, unknown> {
  const { live, ready } = pathsOf(health)
  const status = (description: string) => ({
    description,
    content: { [JSON_TYPE]: { schema: { type: 'object' } } },
  })
  return {
    [live]: {
      get: {
        summary: 'Liveness',
        operationId: 'liveness',
        responses: { 200: status('The process answers') },
      },
    },
    [ready]: {
      get: {
        summary: 'Readiness',
        operationId: 'readiness',
        responses: {
          200: status('Every check passed'),
          503: status('A check failed or timed out'),
        },
      },
    },
  }
}

/** One check's outcome: never its error, whose message may name hosts or users. */
async function run(check: () => unknown, timeout: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<CheckResult>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeout)))
  const done = (async () => {
    await check()
    return 'ok' as const
  })().catch(() => 'failed' as const)
  try {
    return await Promise.race([done, late])
  } finally {
    clearTimeout(timer)
  }
}

function answer(reply: FastifyReply, status: number, body: object): FastifyReply {
  return reply.code(status).header('cache-control', 'no-store').type(JSON_TYPE).send(body)
}
