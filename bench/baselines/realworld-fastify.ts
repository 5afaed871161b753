/**
 * The floor of the RealWorld bench: the ceiling's endpoints (realworld-raw-api.ts, with its statements,
 * validation and answers) served by Fastify 5 the way onemodel serves its app: Fastify's routing, JSON body
 * parsing and `reply.send`. onemodel's HTTP layer is built on Fastify, so no onemodel app can be faster
 * than this server: onemodel ÷ this is what onemodel's own layers (validation, dependencies, the Session,
 * the ORM, the response model) cost, apart from its HTTP framework's. The scenarios' requests get the
 * ceiling's answers; a malformed request (a body that is not JSON or has no content type, one past
 * Fastify's 1 MB limit, a bad escape in the path, a repeated query key) gets Fastify's own refusal where
 * the ceiling parses on, and Fastify answers HEAD as GET. Env: PORT (8000), HOST (127.0.0.1),
 * DATABASE_URL (sqlite:///path), JWT_SECRET.
 */
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify'
import {
  type Answer,
  createArticle,
  db,
  FAILED,
  favoriteArticle,
  getArticle,
  listArticles,
  login,
  NOT_FOUND_PATH,
  register,
} from './realworld-raw-api.ts'

const app = Fastify()

type Endpoint = (request: FastifyRequest<{ Params: { slug: string } }>) => Promise<Answer>

/** A route answering what `endpoint` answers. */
function route(endpoint: Endpoint) {
  return async (request: FastifyRequest<{ Params: { slug: string } }>, reply: FastifyReply) => {
    const { status, body } = await endpoint(request)
    return reply.code(status).send(body)
  }
}

/** A query parameter's first value, as the ceiling's `URLSearchParams.get` reads it. */
const query = (request: FastifyRequest) => {
  const params = request.query as Record<string, string | string[] | undefined>
  return (name: string) => {
    const value = params[name]
    return (Array.isArray(value) ? value[0] : value) ?? null
  }
}

app.get(
  '/api/articles',
  route((request) => listArticles(request.headers.authorization, query(request))),
)
app.post(
  '/api/articles',
  route((request) => createArticle(request.headers.authorization, request.body)),
)
app.get(
  '/api/articles/:slug',
  route((request) => getArticle(request.headers.authorization, request.params.slug)),
)
app.post(
  '/api/articles/:slug/favorite',
  route((request) => favoriteArticle(request.headers.authorization, request.params.slug)),
)
app.post(
  '/api/users',
  route((request) => register(request.body)),
)
app.post(
  '/api/users/login',
  route((request) => login(request.body)),
)
app.setNotFoundHandler((_request, reply) => reply.code(NOT_FOUND_PATH.status).send(NOT_FOUND_PATH.body))
// Fastify's refusals in RealWorld's shape: a body that is not JSON is a 422 (the ceiling reads it as a
// missing body), any other 4xx keeps its status; any other failure is a bare 500.
app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
  const status = error.statusCode ?? 500
  if (status === 400) return reply.code(422).send({ errors: { body: ['is invalid'] } })
  if (status > 400 && status < 500) return reply.code(status).send({ errors: { body: [error.message] } })
  return reply.code(FAILED.status).send(FAILED.body)
})

await app.listen({ port: Number(process.env.PORT ?? 8000), host: process.env.HOST ?? '127.0.0.1' })
process.on('SIGTERM', () => void app.close().then(() => db.close()))
