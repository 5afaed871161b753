/**
 * The peer of the RealWorld bench: the same endpoints as realworld-raw.ts, written the plain way with
 * Fastify and Drizzle: route JSON schemas for validation and serialization, Drizzle's relational queries
 * (`db.query.article.findMany({ with })`) per request. Drizzle 0.45 has no node:sqlite driver, so it runs
 * on its sqlite-proxy driver over node:sqlite, as Drizzle documents for custom drivers, with the statements
 * cached by SQL text in the proxy (which favours the peer). Env: PORT, HOST, DATABASE_URL (sqlite:///path),
 * JWT_SECRET.
 */
import type { StatementSync } from 'node:sqlite'
import { desc, eq, relations, sql } from 'drizzle-orm'
import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { drizzle } from 'drizzle-orm/sqlite-proxy'
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify'
import { hashPassword, passwordMatches, slugOf, tokenFor, viewerOf } from './realworld-auth.ts'
import { openRealworld } from './realworld-schema.ts'

const user = sqliteTable('user', {
  id: integer('id').primaryKey(),
  username: text('username').notNull().unique(),
  email: text('email').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  bio: text('bio'),
  image: text('image'),
})
const follow = sqliteTable(
  'follow',
  {
    followerId: integer('follower_id')
      .notNull()
      .references(() => user.id),
    followedId: integer('followed_id')
      .notNull()
      .references(() => user.id),
  },
  (t) => [primaryKey({ columns: [t.followerId, t.followedId] })],
)
const article = sqliteTable('article', {
  id: integer('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  description: text('description').notNull(),
  body: text('body').notNull(),
  authorId: integer('author_id')
    .notNull()
    .references(() => user.id),
  createdAt: text('created_at').notNull(),
  updatedAt: text('updated_at').notNull(),
})
const tag = sqliteTable('tag', { id: integer('id').primaryKey(), name: text('name').notNull().unique() })
const articleTag = sqliteTable(
  'article_tag',
  {
    articleId: integer('article_id')
      .notNull()
      .references(() => article.id),
    tagId: integer('tag_id')
      .notNull()
      .references(() => tag.id),
  },
  (t) => [primaryKey({ columns: [t.articleId, t.tagId] })],
)
const favorite = sqliteTable(
  'favorite',
  {
    userId: integer('user_id')
      .notNull()
      .references(() => user.id),
    articleId: integer('article_id')
      .notNull()
      .references(() => article.id),
  },
  (t) => [primaryKey({ columns: [t.userId, t.articleId] })],
)
const articleRelations = relations(article, ({ one, many }) => ({
  author: one(user, { fields: [article.authorId], references: [user.id] }),
  tags: many(articleTag),
}))
const articleTagRelations = relations(articleTag, ({ one }) => ({
  article: one(article, { fields: [articleTag.articleId], references: [article.id] }),
  tag: one(tag, { fields: [articleTag.tagId], references: [tag.id] }),
}))
const userRelations = relations(user, ({ many }) => ({ articles: many(article) }))
const schema = { user, follow, article, tag, articleTag, favorite }
const relationsOf = { articleRelations, articleTagRelations, userRelations }

const sqlite = openRealworld()
const statements = new Map<string, StatementSync>()
const db = drizzle(
  async (query, params, method) => {
    let statement = statements.get(query)
    if (!statement) {
      statement = sqlite.prepare(query)
      statement.setReturnArrays(true)
      statements.set(query, statement)
    }
    // The proxy hands the driver's parameters through untyped; node:sqlite takes them as they are.
    const values = params as never[]
    if (method === 'run') return { rows: [statement.run(...values)] as never }
    if (method === 'get') return { rows: (statement.get(...values) ?? undefined) as never }
    return { rows: statement.all(...values) as never }
  },
  { schema: { ...schema, ...relationsOf } },
)

/** An article as one viewer sees it, through one relational query. */
function findArticles(viewer: number | null, withBody: boolean) {
  return {
    columns: { slug: true, title: true, description: true, body: withBody, createdAt: true, updatedAt: true },
    with: {
      author: { columns: { username: true, bio: true, image: true } },
      tags: { columns: {}, with: { tag: { columns: { name: true } } } },
    },
    extras: {
      favoritesCount:
        sql<number>`(select count(*) from ${favorite} where ${favorite.articleId} = ${article.id})`.as(
          'favorites_count',
        ),
      favorited:
        sql<number>`exists (select 1 from ${favorite} where ${favorite.articleId} = ${article.id} and ${favorite.userId} = ${viewer})`.as(
          'favorited',
        ),
      following:
        sql<number>`exists (select 1 from ${follow} where ${follow.followerId} = ${viewer} and ${follow.followedId} = ${article.authorId})`.as(
          'following',
        ),
    },
  } as const
}

type Found = NonNullable<Awaited<ReturnType<typeof readArticle>>>

const readArticle = (viewer: number | null, slug: string) =>
  db.query.article.findFirst({ ...findArticles(viewer, true), where: eq(article.slug, slug) })

function articleJson({ tags, favorited, following, author, ...found }: Found) {
  return {
    ...found,
    tagList: tags.map((t) => t.tag.name).sort(),
    favorited: Boolean(favorited),
    author: { ...author, following: Boolean(following) },
  }
}

const profile = {
  type: 'object',
  properties: {
    username: { type: 'string' },
    bio: { type: ['string', 'null'] },
    image: { type: ['string', 'null'] },
    following: { type: 'boolean' },
  },
}
const articleProperties = {
  slug: { type: 'string' },
  title: { type: 'string' },
  description: { type: 'string' },
  tagList: { type: 'array', items: { type: 'string' } },
  createdAt: { type: 'string' },
  updatedAt: { type: 'string' },
  favorited: { type: 'boolean' },
  favoritesCount: { type: 'integer' },
  author: profile,
}
const singleArticle = {
  type: 'object',
  properties: {
    article: { type: 'object', properties: { ...articleProperties, body: { type: 'string' } } },
  },
}
const userResponse = {
  type: 'object',
  properties: {
    user: {
      type: 'object',
      properties: {
        email: { type: 'string' },
        token: { type: 'string' },
        username: { type: 'string' },
        bio: { type: ['string', 'null'] },
        image: { type: ['string', 'null'] },
      },
    },
  },
}
/** A body `{ [key]: { ...fields } }` whose `required` fields are non-empty strings. */
function wrapped(key: string, required: string[], extra: Record<string, unknown> = {}) {
  const fields = Object.fromEntries(required.map((field) => [field, { type: 'string', minLength: 1 }]))
  return {
    type: 'object',
    required: [key],
    properties: { [key]: { type: 'object', required, properties: { ...fields, ...extra } } },
  }
}

const app = Fastify()

class Unauthorized extends Error {}

/** The token's user id, `null` without a token; a 401 for a token that is not valid. */
async function optionalViewer(request: FastifyRequest): Promise<number | null> {
  const viewer = await viewerOf(request.headers.authorization)
  if (viewer === null) throw new Unauthorized()
  return viewer ?? null
}

async function requiredViewer(request: FastifyRequest): Promise<number> {
  const viewer = await optionalViewer(request)
  if (
    viewer === null ||
    !(await db.query.user.findFirst({ columns: { id: true }, where: eq(user.id, viewer) }))
  )
    throw new Unauthorized()
  return viewer
}

const notFound = (reply: FastifyReply) => reply.code(404).send({ errors: { article: ['not found'] } })

app.get<{ Querystring: { limit: number; offset: number } }>(
  '/api/articles',
  {
    schema: {
      querystring: {
        type: 'object',
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          offset: { type: 'integer', minimum: 0, default: 0 },
        },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            articles: { type: 'array', items: { type: 'object', properties: articleProperties } },
            articlesCount: { type: 'integer' },
          },
        },
      },
    },
  },
  async (request) => {
    const viewer = await optionalViewer(request)
    const { limit, offset } = request.query
    const [found, articlesCount] = await Promise.all([
      db.query.article.findMany({
        ...findArticles(viewer, false),
        orderBy: [desc(article.createdAt), desc(article.id)],
        limit,
        offset,
      }),
      db.$count(article),
    ])
    return { articles: found.map(articleJson), articlesCount }
  },
)

app.get<{ Params: { slug: string } }>(
  '/api/articles/:slug',
  { schema: { response: { 200: singleArticle } } },
  async (request, reply) => {
    const found = await readArticle(await optionalViewer(request), request.params.slug)
    return found ? { article: articleJson(found) } : notFound(reply)
  },
)

app.post<{ Body: { article: { title: string; description: string; body: string; tagList?: string[] } } }>(
  '/api/articles',
  {
    schema: {
      body: wrapped('article', ['title', 'description', 'body'], {
        tagList: { type: 'array', items: { type: 'string', minLength: 1 } },
      }),
      response: { 201: singleArticle },
    },
  },
  async (request, reply) => {
    const viewer = await requiredViewer(request)
    const { title, description, body, tagList = [] } = request.body.article
    const slug = slugOf(title)
    const now = new Date().toISOString()
    await db.transaction(async (tx) => {
      const [created] = await tx
        .insert(article)
        .values({ slug, title, description, body, authorId: viewer, createdAt: now, updatedAt: now })
        .returning({ id: article.id })
      for (const name of tagList) {
        const [{ id }] = await tx
          .insert(tag)
          .values({ name })
          .onConflictDoUpdate({ target: tag.name, set: { name } })
          .returning({ id: tag.id })
        await tx.insert(articleTag).values({ articleId: created!.id, tagId: id! }).onConflictDoNothing()
      }
    })
    return reply.code(201).send({ article: articleJson((await readArticle(viewer, slug))!) })
  },
)

app.post<{ Params: { slug: string } }>(
  '/api/articles/:slug/favorite',
  { schema: { response: { 200: singleArticle } } },
  async (request, reply) => {
    const viewer = await requiredViewer(request)
    const { slug } = request.params
    const found = await db.query.article.findFirst({ columns: { id: true }, where: eq(article.slug, slug) })
    if (!found) return notFound(reply)
    await db.insert(favorite).values({ userId: viewer, articleId: found.id }).onConflictDoNothing()
    return { article: articleJson((await readArticle(viewer, slug))!) }
  },
)

app.post<{ Body: { user: { username: string; email: string; password: string } } }>(
  '/api/users',
  { schema: { body: wrapped('user', ['username', 'email', 'password']), response: { 201: userResponse } } },
  async (request, reply) => {
    const { username, email, password } = request.body.user
    const [created] = await db
      .insert(user)
      .values({ username, email, passwordHash: await hashPassword(password) })
      .onConflictDoNothing()
      .returning()
    if (!created) {
      const taken = await db.query.user.findFirst({ where: eq(user.username, username) })
      return reply.code(422).send({ errors: { [taken ? 'username' : 'email']: ['has already been taken'] } })
    }
    const { passwordHash: _, id, ...shown } = created
    return reply.code(201).send({ user: { ...shown, token: await tokenFor(id) } })
  },
)

app.post<{ Body: { user: { email: string; password: string } } }>(
  '/api/users/login',
  { schema: { body: wrapped('user', ['email', 'password']), response: { 200: userResponse } } },
  async (request, reply) => {
    const { email, password } = request.body.user
    const found = await db.query.user.findFirst({ where: eq(user.email, email) })
    if (!found || !(await passwordMatches(password, found.passwordHash)))
      return reply.code(401).send({ errors: { 'email or password': ['is invalid'] } })
    const { passwordHash: _, id, ...shown } = found
    return { user: { ...shown, token: await tokenFor(id) } }
  },
)

// RealWorld's error answers: 422 `{"errors": {field: [messages]}}`, 401 for a missing or bad token.
app.setErrorHandler<FastifyError | Unauthorized>((error, _request, reply) => {
  if (error instanceof Unauthorized)
    return reply.code(401).send({ errors: { token: ['is missing or invalid'] } })
  if (error.validation) {
    const [first] = error.validation
    const field = first?.instancePath.split('/').pop() || 'body'
    return reply.code(422).send({ errors: { [field]: [first?.message ?? 'is invalid'] } })
  }
  const status = error.statusCode ?? 500
  if (status < 500) return reply.code(status).send({ errors: { body: [error.message] } })
  return reply.code(500).send({ errors: { server: ['internal error'] } })
})

await app.listen({ port: Number(process.env.PORT ?? 8000), host: process.env.HOST ?? '127.0.0.1' })
process.on('SIGTERM', () => void app.close().then(() => sqlite.close()))
