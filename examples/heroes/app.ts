/**
 * The Heroes API of FastAPI's "SQL (Relational) Databases" tutorial, in its final form with multiple
 * models: HeroCreate in, HeroPublic out (so `secret_name` never leaves the server), HeroUpdate for PATCH.
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
  model,
  path,
  query,
  select,
  Session,
  table,
} from 'onemodel-ts'

export const HeroBase = model('HeroBase', {
  name: field.string({ index: true }),
  age: field.integer({ nullable: true, default: null, index: true }),
})

export const Hero = table(
  'hero',
  HeroBase.extend('Hero', {
    id: field.integer({ primaryKey: true }),
    secret_name: field.string({ secret: true }),
  }),
)

export const HeroPublic = HeroBase.extend('HeroPublic', { id: field.integer() })

export const HeroCreate = HeroBase.extend('HeroCreate', { secret_name: field.string({ secret: true }) })

export const HeroUpdate = HeroCreate.partial('HeroUpdate')

/**
 * Builds the app on a database: `sqlite:///database.db` unless `DATABASE_URL` says otherwise, with the
 * PostgreSQL read replicas of `DATABASE_REPLICA_URLS` (comma-separated), if any.
 */
export function heroesApp(
  databaseUrl = process.env.DATABASE_URL ?? 'sqlite:///database.db',
  replicas = process.env.DATABASE_REPLICA_URLS,
) {
  const engine = createEngine(databaseUrl, { replicas })

  // One Session per request, closed after the response is sent (seed 004).
  const getSession = depends(async function* getSession() {
    await using session = new Session(engine)
    yield session
  })

  // The hero list may be a second stale: with replicas, it is read from one. A hero just created is read
  // by id from the primary, so a client always finds what it wrote. Without replicas, this is getSession.
  const getReadSession =
    engine.replicas === undefined
      ? getSession
      : depends(async function* getReadSession() {
          await using session = new Session(engine, { reads: 'replica' })
          yield session
        })

  const app = createApp({
    title: 'Heroes API',
    lifespan: { startup: () => createAll(engine), shutdown: () => engine.dispose() },
  })

  app.post(
    '/heroes/',
    { params: { hero: body(HeroCreate), session: getSession }, response: HeroPublic },
    async function createHero({ hero, session }) {
      const dbHero = Hero.validate(hero)
      session.add(dbHero)
      await session.commit()
      await session.refresh(dbHero)
      return dbHero
    },
  )

  app.get(
    '/heroes/',
    {
      params: {
        session: getReadSession,
        // ge: 0 beyond the tutorial's Query(le=100): a negative offset or limit is a 422, not a database error.
        offset: query.integer({ default: 0, ge: 0 }),
        limit: query.integer({ default: 100, ge: 0, le: 100 }),
      },
      response: list(HeroPublic),
    },
    async function readHeroes({ session, offset, limit }) {
      return session.exec(select(Hero).orderBy(Hero.c.id).offset(offset).limit(limit)).all()
    },
  )

  app.get(
    '/heroes/{hero_id}',
    { params: { hero_id: path.integer(), session: getSession }, response: HeroPublic },
    async function readHero({ hero_id, session }) {
      const hero = await session.get(Hero, hero_id)
      if (!hero) throw new HTTPError(404, 'Hero not found')
      return hero
    },
  )

  app.patch(
    '/heroes/{hero_id}',
    {
      params: { hero_id: path.integer(), hero: body(HeroUpdate), session: getSession },
      response: HeroPublic,
    },
    async function updateHero({ hero_id, hero, session }) {
      const heroDb = await session.get(Hero, hero_id)
      if (!heroDb) throw new HTTPError(404, 'Hero not found')
      const heroData = HeroUpdate.dump(hero, { excludeUnset: true })
      Hero.update(heroDb, heroData)
      session.add(heroDb)
      await session.commit()
      await session.refresh(heroDb)
      return heroDb
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

  return { app, engine, getSession, getReadSession }
}
