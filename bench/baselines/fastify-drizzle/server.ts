/**
 * The peer: the Heroes API as a TypeScript user writes it with Fastify and Drizzle, the plain way (route
 * JSON schemas for validation, Drizzle's query builder per request, no hand-prepared queries). Drizzle has
 * no node:sqlite driver, so it runs on its sqlite-proxy driver over node:sqlite, with the statements cached
 * by SQL text in the proxy (which favours the peer). Env: PORT, HOST, DATABASE_URL (sqlite:///path).
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { asc, eq } from 'drizzle-orm'
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { drizzle } from 'drizzle-orm/sqlite-proxy'
import Fastify from 'fastify'

const file = (process.env.DATABASE_URL ?? 'sqlite:///database.db').replace(/^sqlite:\/\/\//, '')
const sqlite = new DatabaseSync(file)
sqlite.exec('pragma journal_mode = wal; pragma synchronous = normal; pragma busy_timeout = 5000')
sqlite.exec(`create table if not exists hero (
  name varchar not null, age integer, id integer not null primary key, secret_name varchar not null)`)

const statements = new Map<string, StatementSync>()
const db = drizzle(async (sql, params, method) => {
  let statement = statements.get(sql)
  if (!statement) {
    statement = sqlite.prepare(sql)
    statement.setReturnArrays(true)
    statements.set(sql, statement)
  }
  if (method === 'run') {
    statement.run(...(params as never[]))
    return { rows: [] }
  }
  if (method === 'get') return { rows: (statement.get(...(params as never[])) ?? undefined) as never }
  return { rows: statement.all(...(params as never[])) as never }
})

const hero = sqliteTable('hero', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  secret_name: text('secret_name').notNull(),
  age: integer('age'),
})

const publicColumns = { name: hero.name, age: hero.age, id: hero.id }
const heroPublic = {
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: ['integer', 'null'] }, id: { type: 'integer' } },
}
const idParams = { type: 'object', properties: { hero_id: { type: 'integer' } }, required: ['hero_id'] }

const app = Fastify()

app.post<{ Body: { name: string; secret_name: string; age?: number | null } }>(
  '/heroes/',
  {
    schema: {
      body: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          secret_name: { type: 'string' },
          age: { type: ['integer', 'null'] },
        },
        required: ['name', 'secret_name'],
      },
      response: { 200: heroPublic },
    },
  },
  async (request) => {
    const { name, secret_name, age = null } = request.body
    const [created] = await db.insert(hero).values({ name, secret_name, age }).returning(publicColumns)
    return created
  },
)

app.get<{ Querystring: { offset: number; limit: number } }>(
  '/heroes/',
  {
    schema: {
      querystring: {
        type: 'object',
        properties: {
          offset: { type: 'integer', default: 0 },
          limit: { type: 'integer', default: 100, maximum: 100 },
        },
      },
      response: { 200: { type: 'array', items: heroPublic } },
    },
  },
  async (request) =>
    db
      .select(publicColumns)
      .from(hero)
      .orderBy(asc(hero.id))
      .limit(request.query.limit)
      .offset(request.query.offset),
)

app.get<{ Params: { hero_id: number } }>(
  '/heroes/:hero_id',
  { schema: { params: idParams, response: { 200: heroPublic } } },
  async (request, reply) => {
    const [found] = await db.select(publicColumns).from(hero).where(eq(hero.id, request.params.hero_id))
    return found ?? reply.code(404).send({ detail: 'Hero not found' })
  },
)

app.patch<{
  Params: { hero_id: number }
  Body: { name?: string; secret_name?: string; age?: number | null }
}>(
  '/heroes/:hero_id',
  {
    schema: {
      params: idParams,
      body: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          secret_name: { type: 'string' },
          age: { type: ['integer', 'null'] },
        },
      },
      response: { 200: heroPublic },
    },
  },
  async (request, reply) => {
    const changes = request.body
    const [updated] =
      Object.keys(changes).length > 0
        ? await db
            .update(hero)
            .set(changes)
            .where(eq(hero.id, request.params.hero_id))
            .returning(publicColumns)
        : await db.select(publicColumns).from(hero).where(eq(hero.id, request.params.hero_id))
    return updated ?? reply.code(404).send({ detail: 'Hero not found' })
  },
)

app.delete<{ Params: { hero_id: number } }>(
  '/heroes/:hero_id',
  { schema: { params: idParams } },
  async (request, reply) => {
    const deleted = await db
      .delete(hero)
      .where(eq(hero.id, request.params.hero_id))
      .returning({ id: hero.id })
    return deleted.length > 0 ? { ok: true } : reply.code(404).send({ detail: 'Hero not found' })
  },
)

// FastAPI-shaped 422 for limit > 100, so the smoke check compares like with like.
app.setErrorHandler((error, _request, reply) => {
  if ((error as { validation?: unknown }).validation) {
    const context = (error as { validationContext?: string }).validationContext
    return reply.code(422).send({
      detail: [{ loc: [context === 'querystring' ? 'query' : context], msg: (error as Error).message }],
    })
  }
  return reply.code(500).send({ detail: 'Internal Server Error' })
})

await app.listen({ port: Number(process.env.PORT ?? 8000), host: process.env.HOST ?? '127.0.0.1' })
process.on('SIGTERM', () => void app.close().then(() => sqlite.close()))
