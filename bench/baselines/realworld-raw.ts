/**
 * The ceiling of the RealWorld bench: the endpoints its scenarios, seeding and login use, on node:http and
 * node:sqlite prepared statements with hand-written routing, validation and JSON, and nothing else. The
 * token is verified on every request that carries one. Env: PORT (8000), HOST (127.0.0.1), DATABASE_URL
 * (sqlite:///path), JWT_SECRET.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { hashPassword, passwordMatches, slugOf, tokenFor, viewerOf } from './realworld-auth.ts'
import { openRealworld } from './realworld-schema.ts'

const db = openRealworld()

// An article as the API shows it to one viewer (:viewer, null for nobody), with its tags, favourites and
// author in one statement.
const ARTICLE_VIEW = `
select a.slug, a.title, a.description, a.body, a.created_at, a.updated_at,
  (select json_group_array(name) from (
    select t.name from article_tag x join tag t on t.id = x.tag_id where x.article_id = a.id order by t.name
  )) as tag_list,
  (select count(*) from favorite f where f.article_id = a.id) as favorites_count,
  exists (select 1 from favorite f where f.article_id = a.id and f.user_id = :viewer) as favorited,
  u.username, u.bio, u.image,
  exists (select 1 from follow w where w.follower_id = :viewer and w.followed_id = a.author_id) as following
from article a join user u on u.id = a.author_id`

const statements = {
  page: db.prepare(`${ARTICLE_VIEW} order by a.created_at desc, a.id desc limit :limit offset :offset`),
  count: db.prepare('select count(*) as n from article'),
  bySlug: db.prepare(`${ARTICLE_VIEW} where a.slug = :slug`),
  articleId: db.prepare('select id from article where slug = ?'),
  insertArticle: db.prepare(
    `insert into article (slug, title, description, body, author_id, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?) returning id`,
  ),
  // `do update` rather than `do nothing`, so that an existing tag returns its id too.
  tag: db.prepare(
    'insert into tag (name) values (?) on conflict (name) do update set name = name returning id',
  ),
  tagArticle: db.prepare('insert into article_tag (article_id, tag_id) values (?, ?) on conflict do nothing'),
  favorite: db.prepare('insert into favorite (user_id, article_id) values (?, ?) on conflict do nothing'),
  user: db.prepare('select id, username, email, bio, image, password_hash from user where id = ?'),
  userByEmail: db.prepare('select id, username, email, bio, image, password_hash from user where email = ?'),
  insertUser: db.prepare(
    'insert into user (username, email, password_hash) values (?, ?, ?) returning id, username, email, bio, image',
  ),
}

interface ArticleRow {
  slug: string
  title: string
  description: string
  body: string
  created_at: string
  updated_at: string
  tag_list: string
  favorites_count: number
  favorited: number
  username: string
  bio: string | null
  image: string | null
  following: number
}

interface UserRow {
  id: number
  username: string
  email: string
  bio: string | null
  image: string | null
  password_hash: string
}

/** The spec's Article; the list leaves out `body`. */
function articleJson(row: ArticleRow, withBody: boolean) {
  return {
    slug: row.slug,
    title: row.title,
    description: row.description,
    ...(withBody && { body: row.body }),
    tagList: JSON.parse(row.tag_list) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    favorited: row.favorited === 1,
    favoritesCount: row.favorites_count,
    author: { username: row.username, bio: row.bio, image: row.image, following: row.following === 1 },
  }
}

async function userJson(user: Omit<UserRow, 'password_hash'>) {
  const { email, username, bio, image } = user
  return { user: { email, token: await tokenFor(user.id), username, bio, image } }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** RealWorld's validation answer: `{"errors": {field: [messages]}}`. */
const invalid = (res: ServerResponse, field: string, message: string): void =>
  send(res, 422, { errors: { [field]: [message] } })
const unauthorized = (res: ServerResponse): void => send(res, 401, { errors: { body: ['Unauthorized'] } })
const notFound = (res: ServerResponse): void => send(res, 404, { errors: { body: ['Article not found'] } })

/**
 * The id of the user the request's token names: `undefined` without a token, `null` (a 401, where auth is
 * optional too) for a token that is not valid or names no user.
 */
async function signedIn(req: IncomingMessage): Promise<number | undefined | null> {
  const id = await viewerOf(req.headers.authorization)
  if (id === undefined || id === null) return id
  return statements.user.get(id) ? id : null
}

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

/**
 * The object under `key` of a JSON body (`{"article": {...}}`) with `required` strings and `optional`
 * ones, or `undefined` after answering the 422.
 */
async function bodyOf(
  req: IncomingMessage,
  res: ServerResponse,
  key: string,
  required: string[],
  optional: string[] = [],
): Promise<Record<string, unknown> | undefined> {
  const body = (await readJson(req)) as Record<string, unknown> | undefined
  const inner = body?.[key] as Record<string, unknown> | undefined
  if (typeof inner !== 'object' || inner === null) return void invalid(res, key, 'is required')
  for (const field of required) {
    if (typeof inner[field] !== 'string') return void invalid(res, field, 'must be a string')
    if (inner[field] === '') return void invalid(res, field, "can't be blank")
  }
  for (const field of optional)
    if (field in inner && typeof inner[field] !== 'string')
      return void invalid(res, field, 'must be a string')
  return inner
}

/** A query parameter as an integer from `min` to `max`, or `undefined` after answering the 422. */
function queryInteger(
  res: ServerResponse,
  url: URL,
  name: string,
  fallback: number,
  min: number,
  max: number,
) {
  const text = url.searchParams.get(name)
  const value = text === null ? fallback : Number(text)
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value
  return void invalid(res, name, `must be an integer from ${min} to ${max}`)
}

async function listArticles(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const viewer = await signedIn(req)
  if (viewer === null) return unauthorized(res)
  const limit = queryInteger(res, url, 'limit', 20, 1, 100)
  if (limit === undefined) return
  const offset = queryInteger(res, url, 'offset', 0, 0, Number.MAX_SAFE_INTEGER)
  if (offset === undefined) return
  const rows = statements.page.all({ viewer: viewer ?? null, limit, offset }) as unknown as ArticleRow[]
  const { n } = statements.count.get() as { n: number }
  send(res, 200, { articles: rows.map((row) => articleJson(row, false)), articlesCount: n })
}

async function getArticle(req: IncomingMessage, res: ServerResponse, slug: string): Promise<void> {
  const viewer = await signedIn(req)
  if (viewer === null) return unauthorized(res)
  const row = statements.bySlug.get({ viewer: viewer ?? null, slug }) as ArticleRow | undefined
  if (!row) return notFound(res)
  send(res, 200, { article: articleJson(row, true) })
}

async function createArticle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const viewer = await signedIn(req)
  if (!viewer) return unauthorized(res)
  const input = await bodyOf(req, res, 'article', ['title', 'description', 'body'])
  if (!input) return
  const tags = input.tagList ?? []
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string' && tag !== ''))
    return invalid(res, 'tagList', 'must be a list of tags')
  const slug = slugOf(input.title as string)
  const now = new Date().toISOString()
  db.exec('begin')
  try {
    const { id } = statements.insertArticle.get(
      slug,
      input.title as string,
      input.description as string,
      input.body as string,
      viewer,
      now,
      now,
    ) as { id: number }
    for (const tag of tags) statements.tagArticle.run(id, (statements.tag.get(tag) as { id: number }).id)
    db.exec('commit')
  } catch (error) {
    db.exec('rollback')
    throw error
  }
  const row = statements.bySlug.get({ viewer, slug }) as unknown as ArticleRow
  send(res, 201, { article: articleJson(row, true) })
}

async function favoriteArticle(req: IncomingMessage, res: ServerResponse, slug: string): Promise<void> {
  const viewer = await signedIn(req)
  if (!viewer) return unauthorized(res)
  const article = statements.articleId.get(slug) as { id: number } | undefined
  if (!article) return notFound(res)
  statements.favorite.run(viewer, article.id)
  const row = statements.bySlug.get({ viewer, slug }) as unknown as ArticleRow
  send(res, 200, { article: articleJson(row, true) })
}

async function register(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const input = await bodyOf(req, res, 'user', ['username', 'email', 'password'])
  if (!input) return
  const { username, email, password } = input as Record<string, string>
  try {
    const user = statements.insertUser.get(username, email, await hashPassword(password)) as Omit<
      UserRow,
      'password_hash'
    >
    send(res, 201, await userJson(user))
  } catch (error) {
    const taken = /UNIQUE constraint failed: user\.(\w+)/.exec((error as Error).message)
    if (!taken) throw error
    invalid(res, taken[1]!, 'has already been taken')
  }
}

async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const input = await bodyOf(req, res, 'user', ['email', 'password'])
  if (!input) return
  const user = statements.userByEmail.get(input.email as string) as UserRow | undefined
  if (!user || !(await passwordMatches(input.password as string, user.password_hash)))
    return send(res, 401, { errors: { 'email or password': ['is invalid'] } })
  send(res, 200, await userJson(user))
}

/** A path segment decoded, or `undefined` when its escapes are malformed (then the path is not found). */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x')
  const path = url.pathname
  const method = req.method
  if (path === '/api/articles') {
    if (method === 'GET') return listArticles(req, res, url)
    if (method === 'POST') return createArticle(req, res)
  }
  const [, segment, favorite] = /^\/api\/articles\/([^/]+)(\/favorite)?$/.exec(path) ?? []
  const slug = segment === undefined ? undefined : decoded(segment)
  if (slug !== undefined) {
    if (!favorite && method === 'GET') return getArticle(req, res, slug)
    if (favorite && method === 'POST') return favoriteArticle(req, res, slug)
  }
  if (path === '/api/users' && method === 'POST') return register(req, res)
  if (path === '/api/users/login' && method === 'POST') return login(req, res)
  send(res, 404, { errors: { path: ['not found'] } })
}

const server = createServer((req, res) => {
  // A failing statement answers a bare 500, so a request never hangs.
  handle(req, res).catch(() => send(res, 500, { errors: { server: ['internal error'] } }))
})
server.listen(Number(process.env.PORT ?? 8000), process.env.HOST ?? '127.0.0.1')
process.on('SIGTERM', () => server.close(() => db.close()))
