/**
 * The first Heroes API of FastAPI's "SQL (Relational) Databases" tutorial, with a single model: `Hero` is
 * the table, the request body and the response. That is the point of this stage, and its flaw: a client
 * sees every hero's `secret_name` and may choose the `id`. examples/heroes/app.ts is the final version,
 * with HeroCreate, HeroPublic and HeroUpdate.
 */
import {
  body,
  createAll,
  createApp,
  createEngine,
  depends,
  field,
  HTTPError,
  list,
  Metadata,
  model,
  path,
  query,
  select,
  Session,
  table,
} from 'onemodel-ts'

// Its own Metadata, so this `hero` table and the one of app.ts can be loaded in one process.
export const metadata = new Metadata()

export const Hero = table(
  'hero',
  model('Hero', {
    id: field.integer({ primaryKey: true }),
    name: field.string({ index: true }),
    age: field.integer({ nullable: true, default: null, index: true }),
    secret_name: field.string(),
  }),
  { metadata },
)

/** Builds the app on a database: `sqlite:///database.db` unless `DATABASE_URL` says otherwise. */
export function singleModelHeroesApp(databaseUrl = process.env.DATABASE_URL ?? 'sqlite:///database.db') {
  const engine = createEngine(databaseUrl)

  const getSession = depends(async function* getSession() {
    await using session = new Session(engine)
    yield session
  })

  const app = createApp({
    title: 'Heroes API',
    lifespan: { startup: () => createAll(engine, { metadata }), shutdown: () => engine.dispose() },
  })

  app.post(
    '/heroes/',
    { params: { hero: body(Hero), session: getSession }, response: Hero },
    async function createHero({ hero, session }) {
      session.add(hero)
      await session.commit()
      await session.refresh(hero)
      return hero
    },
  )

  app.get(
    '/heroes/',
    {
      params: {
        session: getSession,
        offset: query.integer({ default: 0, ge: 0 }),
        limit: query.integer({ default: 100, ge: 0, le: 100 }),
      },
      response: list(Hero),
    },
    async function readHeroes({ session, offset, limit }) {
      return session.exec(select(Hero).orderBy(Hero.c.id).offset(offset).limit(limit)).all()
    },
  )

  app.get(
    '/heroes/{hero_id}',
    { params: { hero_id: path.integer(), session: getSession }, response: Hero },
    async function readHero({ hero_id, session }) {
      const hero = await session.get(Hero, hero_id)
      if (!hero) throw new HTTPError(404, 'Hero not found')
      return hero
    },
  )

  app.delete(
    '/heroes/{hero_id}',
    { params: { hero_id: path.integer(), session: getSession } },
    async function deleteHero({ hero_id, session }) {
      const hero = await session.get(Hero, hero_id)
      if (!hero) throw new HTTPError(404, 'Hero not found')
      await session.delete(hero)
      await session.commit()
      return { ok: true }
    },
  )

  return { app, engine, getSession }
}
