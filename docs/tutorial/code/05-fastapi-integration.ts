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

const engine = createEngine(process.env.DATABASE_URL ?? 'sqlite:///app.db')

const HeroCreate = model('HeroCreate', {
  name: field.string(),
  secret_name: field.string(),
  age: field.integer({ nullable: true, default: null }),
})

const Hero = table('hero', HeroCreate.extend('Hero', { id: field.integer({ primaryKey: true }) }))

const HeroPublic = model('HeroPublic', {
  id: field.integer(),
  name: field.string(),
  age: field.integer({ nullable: true, default: null }),
})

const getSession = depends(async function* getSession() {
  await using session = new Session(engine)
  yield session
})

const app = createApp({
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
      offset: query.integer({ default: 0 }),
      limit: query.integer({ default: 10 }),
      session: getSession,
    },
    response: list(HeroPublic),
  },
  async function readHeroes({ offset, limit, session }) {
    const heroes = await session.exec(select(Hero).orderBy(Hero.c.id).offset(offset).limit(limit)).all()
    return heroes
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
    params: { hero_id: path.integer(), hero: body(HeroCreate), session: getSession },
    response: HeroPublic,
  },
  async function updateHero({ hero_id, hero, session }) {
    const dbHero = await session.get(Hero, hero_id)
    if (!dbHero) throw new HTTPError(404, 'Hero not found')
    const heroData = HeroCreate.dump(hero, { excludeUnset: true })
    Hero.update(dbHero, heroData)
    session.add(dbHero)
    await session.commit()
    await session.refresh(dbHero)
    return dbHero
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

const address = await app.listen({ port: 0, signals: false })

async function call(method: string, url: string, json?: object): Promise<void> {
  const response = await fetch(address + url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  })
  console.log(method, url, response.status, JSON.stringify(await response.json()))
}

await call('POST', '/heroes/', { name: 'Deadpond', secret_name: 'Dive Wilson' })
await call('POST', '/heroes/', { name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16 })
await call('GET', '/heroes/')
await call('GET', '/heroes/2')
await call('PATCH', '/heroes/2', { name: 'Spider-Youngster', secret_name: 'Pedro Parqueador' })
await call('DELETE', '/heroes/1')
await call('GET', '/heroes/1')
await call('GET', '/heroes/?limit=-1')

await app.close()
