/**
 * The floor of the RealWorld bench: the ceiling's endpoints (realworld-raw-api.ts, with its statements,
 * validation and answers) served by Fastify 5 the way onemodel serves its app: Fastify's routing, JSON body
 * parsing and `reply.send`. onemodel's HTTP layer is built on Fastify, so no onemodel app can be faster
 * than this server: onemodel ÷ this is what onemodel's own layers (validation, dependencies, the Session,
 * the ORM, the response model) cost, apart from its HTTP framework's. Env: PORT (8000), HOST (127.0.0.1),
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

const query = (request: FastifyRequest) => {
  const params = request.query as Record<string, string | undefined>
  return (name: string) => params[name] ?? null
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
// A body that is not JSON is a 422, as the ceiling answers it; any other failure a bare 500.
app.setErrorHandler((error: { statusCode?: number }, _request, reply) => {
  const { status, body } =
    error.statusCode === 400 ? { status: 422, body: { errors: { body: ['is invalid'] } } } : FAILED
  return reply.code(status).send(body)
})

await app.listen({ port: Number(process.env.PORT ?? 8000), host: process.env.HOST ?? '127.0.0.1' })
process.on('SIGTERM', () => void app.close().then(() => db.close()))
