/**
 * How the app's route paths meet Fastify's router: the OpenAPI template `{name}` written as `:name`, the key
 * under which the router matches a path whatever its parameters are called, and the answers of a known path
 * to the methods it has no route for (`OPTIONS` with `Allow`, 405 for the others).
 */
import type { FastifyInstance } from 'fastify'

const ALL_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const

/** What the router matches of a path: `/heroes/{hero_id}/` → `/heroes/{}` (without the slash when it is ignored). */
export function routerKey(path: string, ignoreTrailingSlash: boolean): string {
  const shape = path.replace(/\{[^}]*\}/g, '{}')
  return ignoreTrailingSlash && shape.length > 1 ? shape.replace(/\/+$/, '') || '/' : shape
}

/** `/heroes/{hero_id}` → `/heroes/:hero_id`. */
export function fastifyPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ':$1')
}

/** OPTIONS answers with `Allow`; the other methods of a known path answer 405 with the same header. */
export function allowOnly(instance: FastifyInstance, url: string, methods: Set<string>): void {
  const allow = [...ALL_METHODS.filter((m) => methods.has(m)), 'OPTIONS'].join(', ')
  instance.route({
    method: 'OPTIONS',
    url,
    handler: (_request, reply) => void reply.code(204).header('allow', allow).send(),
  })
  const others = ALL_METHODS.filter((m) => !methods.has(m))
  if (others.length === 0) return
  instance.route({
    method: [...others],
    url,
    exposeHeadRoute: false,
    handler: (_request, reply) =>
      void reply.code(405).header('allow', allow).send({ detail: 'Method Not Allowed' }),
  })
}
