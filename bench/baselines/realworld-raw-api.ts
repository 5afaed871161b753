/**
 * The endpoints of the RealWorld bench's ceilings, apart from HTTP: node:sqlite prepared statements,
 * hand-written validation and the answers' objects, and nothing else. realworld-raw.ts serves them on
 * node:http, realworld-fastify.ts on Fastify. The token is verified on every request that carries one.
 * Env: DATABASE_URL (sqlite:///path), JWT_SECRET.
 */
import { hashPassword, passwordMatches, slugOf, tokenFor, viewerOf } from './realworld-auth.ts'
import { openRealworld } from './realworld-schema.ts'

export const db = openRealworld()

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

/** What an endpoint answers: a status and the object its JSON body is written from. */
export class Answer {
  readonly status: number
  readonly body: unknown

  constructor(status: number, body: unknown) {
    this.status = status
    this.body = body
  }
}

/** A request's query parameter, `null` when it has none. */
export type QueryParam = (name: string) => string | null

const answer = (status: number, body: unknown): Answer => new Answer(status, body)

/** RealWorld's validation answer: `{"errors": {field: [messages]}}`. */
const invalid = (field: string, message: string): Answer => answer(422, { errors: { [field]: [message] } })
const unauthorized = (): Answer => answer(401, { errors: { body: ['Unauthorized'] } })
const notFound = (): Answer => answer(404, { errors: { body: ['Article not found'] } })

/**
 * The id of the user the request's token names: `undefined` without a token, `null` (a 401, where auth is
 * optional too) for a token that is not valid or names no user.
 */
async function signedIn(authorization: string | undefined): Promise<number | undefined | null> {
  const id = await viewerOf(authorization)
  if (id === undefined || id === null) return id
  return statements.user.get(id) ? id : null
}

/**
 * The object under `key` of a JSON body (`{"article": {...}}`) with `required` strings and `optional`
 * ones, or the 422 answer.
 */
function bodyOf(
  body: unknown,
  key: string,
  required: string[],
  optional: string[] = [],
): Record<string, unknown> | Answer {
  const inner = (body as Record<string, unknown> | undefined)?.[key] as Record<string, unknown> | undefined
  if (typeof inner !== 'object' || inner === null) return invalid(key, 'is required')
  for (const field of required) {
    if (typeof inner[field] !== 'string') return invalid(field, 'must be a string')
    if (inner[field] === '') return invalid(field, "can't be blank")
  }
  for (const field of optional)
    if (field in inner && typeof inner[field] !== 'string') return invalid(field, 'must be a string')
  return inner
}

/** A query parameter as an integer from `min` to `max`, or the 422 answer. */
function queryInteger(query: QueryParam, name: string, fallback: number, min: number, max: number) {
  const text = query(name)
  const value = text === null ? fallback : Number(text)
  if (Number.isSafeInteger(value) && value >= min && value <= max) return value
  return invalid(name, `must be an integer from ${min} to ${max}`)
}

/** GET /api/articles: a page of the newest articles, as the viewer of `authorization` sees them. */
export async function listArticles(authorization: string | undefined, query: QueryParam): Promise<Answer> {
  const viewer = await signedIn(authorization)
  if (viewer === null) return unauthorized()
  const limit = queryInteger(query, 'limit', 20, 1, 100)
  if (typeof limit !== 'number') return limit
  const offset = queryInteger(query, 'offset', 0, 0, Number.MAX_SAFE_INTEGER)
  if (typeof offset !== 'number') return offset
  const rows = statements.page.all({ viewer: viewer ?? null, limit, offset }) as unknown as ArticleRow[]
  const { n } = statements.count.get() as { n: number }
  return answer(200, { articles: rows.map((row) => articleJson(row, false)), articlesCount: n })
}

/** GET /api/articles/{slug}: one article, as the viewer sees it; 404 without one. */
export async function getArticle(authorization: string | undefined, slug: string): Promise<Answer> {
  const viewer = await signedIn(authorization)
  if (viewer === null) return unauthorized()
  const row = statements.bySlug.get({ viewer: viewer ?? null, slug }) as ArticleRow | undefined
  if (!row) return notFound()
  return answer(200, { article: articleJson(row, true) })
}

/** POST /api/articles: a new article of the signed-in user, with its tags. */
export async function createArticle(authorization: string | undefined, body: unknown): Promise<Answer> {
  const viewer = await signedIn(authorization)
  if (!viewer) return unauthorized()
  const input = bodyOf(body, 'article', ['title', 'description', 'body'])
  if (input instanceof Answer) return input
  const tags = input.tagList ?? []
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string' && tag !== ''))
    return invalid('tagList', 'must be a list of tags')
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
  return answer(201, { article: articleJson(row, true) })
}

/** POST /api/articles/{slug}/favorite: the signed-in user favours the article (again: nothing changes). */
export async function favoriteArticle(authorization: string | undefined, slug: string): Promise<Answer> {
  const viewer = await signedIn(authorization)
  if (!viewer) return unauthorized()
  const article = statements.articleId.get(slug) as { id: number } | undefined
  if (!article) return notFound()
  statements.favorite.run(viewer, article.id)
  const row = statements.bySlug.get({ viewer, slug }) as unknown as ArticleRow
  return answer(200, { article: articleJson(row, true) })
}

/** POST /api/users: a new user, and their token; 422 for a name or email taken. */
export async function register(body: unknown): Promise<Answer> {
  const input = bodyOf(body, 'user', ['username', 'email', 'password'])
  if (input instanceof Answer) return input
  const { username, email, password } = input as Record<string, string>
  try {
    const user = statements.insertUser.get(username, email, await hashPassword(password)) as Omit<
      UserRow,
      'password_hash'
    >
    return answer(201, await userJson(user))
  } catch (error) {
    const taken = /UNIQUE constraint failed: user\.(\w+)/.exec((error as Error).message)
    if (!taken) throw error
    return invalid(taken[1]!, 'has already been taken')
  }
}

/** POST /api/users/login: the user of an email and password, and a new token; 401 otherwise. */
export async function login(body: unknown): Promise<Answer> {
  const input = bodyOf(body, 'user', ['email', 'password'])
  if (input instanceof Answer) return input
  const user = statements.userByEmail.get(input.email as string) as UserRow | undefined
  if (!user || !(await passwordMatches(input.password as string, user.password_hash)))
    return answer(401, { errors: { 'email or password': ['is invalid'] } })
  return answer(200, await userJson(user))
}

/** The answer for a path and method none of the endpoints serves. */
export const NOT_FOUND_PATH: Answer = answer(404, { errors: { path: ['not found'] } })

/** The answer for a request that failed: a bare 500, so that a request never hangs. */
export const FAILED: Answer = answer(500, { errors: { server: ['internal error'] } })
