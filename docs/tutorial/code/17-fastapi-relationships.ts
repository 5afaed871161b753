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
  relationships,
  select,
  selectinload,
  Session,
  table,
} from 'onemodel-ts'

const engine = createEngine(process.env.DATABASE_URL ?? 'sqlite:///teams.db', {
  echo: true,
  logger: console.error,
})

const TeamBase = model('TeamBase', {
  name: field.string({ index: true }),
  headquarters: field.string(),
})

const HeroBase = model('HeroBase', {
  name: field.string({ index: true }),
  secret_name: field.string(),
  age: field.integer({ nullable: true, default: null, index: true }),
  team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
})

const { Team, Hero } = relationships(
  {
    Team: table('team', TeamBase.extend('Team', { id: field.integer({ primaryKey: true }) })),
    Hero: table('hero', HeroBase.extend('Hero', { id: field.integer({ primaryKey: true }) })),
  },
  ({ one, many }) => ({
    Team: { heroes: many('Hero', { backPopulates: 'team' }) },
    Hero: { team: one('Team', { backPopulates: 'heroes' }) },
  }),
)

const TeamCreate = TeamBase.extend('TeamCreate', {})
const TeamPublic = TeamBase.extend('TeamPublic', { id: field.integer() })
const HeroCreate = HeroBase.extend('HeroCreate', {})
const HeroPublic = HeroBase.extend('HeroPublic', { id: field.integer() })

const HeroPublicWithTeam = HeroPublic.extend('HeroPublicWithTeam', {
  team: field.model(TeamPublic, { nullable: true, default: null }),
})
const TeamPublicWithHeroes = TeamPublic.extend('TeamPublicWithHeroes', {
  heroes: field.list(HeroPublic, { default: [] }),
})

const getSession = depends(async function* getSession() {
  await using session = new Session(engine)
  yield session
})

const app = createApp({
  lifespan: { startup: () => createAll(engine), shutdown: () => engine.dispose() },
})

app.post(
  '/teams/',
  { params: { team: body(TeamCreate), session: getSession }, response: TeamPublic },
  async function createTeam({ team, session }) {
    const dbTeam = Team.validate(team)
    session.add(dbTeam)
    await session.commit()
    await session.refresh(dbTeam)
    return dbTeam
  },
)

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
  '/heroes/{hero_id}',
  { params: { hero_id: path.integer(), session: getSession }, response: HeroPublicWithTeam },
  async function readHero({ hero_id, session }) {
    const hero = await session.get(Hero, hero_id)
    if (!hero) throw new HTTPError(404, 'Hero not found')
    return hero
  },
)

app.get(
  '/teams/{team_id}',
  { params: { team_id: path.integer(), session: getSession }, response: TeamPublicWithHeroes },
  async function readTeam({ team_id, session }) {
    const team = await session.get(Team, team_id)
    if (!team) throw new HTTPError(404, 'Team not found')
    return team
  },
)

app.get(
  '/teams/',
  { params: { session: getSession }, response: list(TeamPublicWithHeroes) },
  async function readTeams({ session }) {
    return session.exec(select(Team).orderBy(Team.c.id)).all()
  },
)

app.get(
  '/heroes/{hero_id}/teammates',
  { params: { hero_id: path.integer(), session: getSession }, response: list(HeroPublic) },
  async function readTeammates({ hero_id, session }) {
    const hero = await session.get(Hero, hero_id, { options: [selectinload('team', 'heroes')] })
    if (!hero) throw new HTTPError(404, 'Hero not found')
    return hero.team ? hero.team.heroes.filter((teammate) => teammate !== hero) : []
  },
)

const address = await app.listen({ port: 0, signals: false })

async function call(method: string, url: string, json?: object): Promise<void> {
  console.error(`-- ${method} ${url}`)
  const response = await fetch(address + url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  })
  console.log(method, url, response.status, JSON.stringify(await response.json()))
}

await call('POST', '/teams/', { name: 'Preventers', headquarters: 'Sharp Tower' })
await call('POST', '/teams/', { name: 'Z-Force', headquarters: "Sister Margaret's Bar" })
await call('POST', '/heroes/', { name: 'Deadpond', secret_name: 'Dive Wilson', team_id: 2 })
await call('POST', '/heroes/', { name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48, team_id: 1 })
await call('POST', '/heroes/', { name: 'Spider-Boy', secret_name: 'Pedro Parqueador' })
await call('POST', '/heroes/', { name: 'Black Lion', secret_name: 'Trevor Challa', age: 35, team_id: 1 })
await call('GET', '/heroes/2')
await call('GET', '/heroes/3')
await call('GET', '/teams/1')
await call('GET', '/teams/')
await call('GET', '/heroes/2/teammates')

await app.close()
