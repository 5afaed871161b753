/**
 * The ceiling of the RealWorld bench: the endpoints of realworld-raw-api.ts on node:http, with hand-written
 * routing and JSON, and nothing else. Env: PORT (8000), HOST (127.0.0.1), DATABASE_URL (sqlite:///path),
 * JWT_SECRET.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
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

function send(res: ServerResponse, { status, body }: Answer): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** The request's JSON body, `undefined` when it is not JSON (a 422 then, as a missing body is). */
function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      } catch {
        resolve(undefined)
      }
    })
  })
}

/** A path segment decoded, or `undefined` when its escapes are malformed (then the path is not found). */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

async function handle(req: IncomingMessage): Promise<Answer> {
  const url = new URL(req.url ?? '/', 'http://x')
  const path = url.pathname
  const method = req.method
  const token = req.headers.authorization
  if (path === '/api/articles') {
    if (method === 'GET') return listArticles(token, (name) => url.searchParams.get(name))
    if (method === 'POST') return createArticle(token, await readJson(req))
  }
  const [, segment, favorite] = /^\/api\/articles\/([^/]+)(\/favorite)?$/.exec(path) ?? []
  const slug = segment === undefined ? undefined : decoded(segment)
  if (slug !== undefined) {
    if (!favorite && method === 'GET') return getArticle(token, slug)
    if (favorite && method === 'POST') return favoriteArticle(token, slug)
  }
  if (path === '/api/users' && method === 'POST') return register(await readJson(req))
  if (path === '/api/users/login' && method === 'POST') return login(await readJson(req))
  return NOT_FOUND_PATH
}

const server = createServer((req, res) => {
  // A failure of the endpoint, or of writing its answer, answers a bare 500, so a request never hangs.
  handle(req)
    .then((answer) => send(res, answer))
    .catch(() => send(res, FAILED))
})
server.listen(Number(process.env.PORT ?? 8000), process.env.HOST ?? '127.0.0.1')
process.on('SIGTERM', () => server.close(() => db.close()))
