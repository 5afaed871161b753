/**
 * The Heroes & Teams API of SQLModel's "FastAPI > Relationships" tutorial: heroes belong to a team, a hero
 * is read with its team and a team with its heroes, through response models that nest them
 * (HeroPublicWithTeam, TeamPublicWithHeroes). As in SQLModel, the handlers return the rows and reading
 * `hero.team` in the response just works: the route loads what its response model nests, one query per
 * level for all the rows, never one per row.
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
  relationships,
  select,
  Session,
  type EngineOptions,
  table,
} from 'onemodel-ts'

export const TeamBase = model('TeamBase', {
  name: field.string({ index: true }),
  headquarters: field.string(),
})

export const HeroBase = model('HeroBase', {
  name: field.string({ index: true }),
  secret_name: field.string(),
  age: field.integer({ nullable: true, default: null, index: true }),
  team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
})

// Its own set of tables, so this app and the Heroes example can be loaded in one process.
export const metadata = new Metadata()

// The tables first, then their relationships: Team.heroes and Hero.team populate each other.
export const { Team, Hero } = relationships(
  {
    Team: table('team', TeamBase.extend('Team', { id: field.integer({ primaryKey: true }) }), { metadata }),
    Hero: table('hero', HeroBase.extend('Hero', { id: field.integer({ primaryKey: true }) }), { metadata }),
  },
  ({ one, many }) => ({
    Team: { heroes: many('Hero', { backPopulates: 'team' }) },
    Hero: { team: one('Team', { backPopulates: 'heroes' }) },
  }),
)
export type Team = typeof Team.Type
export type Hero = typeof Hero.Type

export const TeamCreate = TeamBase.extend('TeamCreate', {})
export const TeamPublic = TeamBase.extend('TeamPublic', { id: field.integer() })
export const TeamUpdate = TeamBase.partial('TeamUpdate')

export const HeroPublic = HeroBase.extend('HeroPublic', { id: field.integer() })
export const HeroCreate = HeroBase.extend('HeroCreate', {})
export const HeroUpdate = HeroBase.partial('HeroUpdate')

export const HeroPublicWithTeam = HeroPublic.extend('HeroPublicWithTeam', {
  team: field.model(TeamPublic, { nullable: true, default: null }),
})
export const TeamPublicWithHeroes = TeamPublic.extend('TeamPublicWithHeroes', {
  heroes: field.list(HeroPublic, { default: [] }),
})

/**
 * Builds the app on a database: `sqlite:///database.db` unless `DATABASE_URL` says otherwise, with the
 * engine's `options` (`{ echo: true }` prints every statement), by default the PostgreSQL read replicas
 * of `DATABASE_REPLICA_URLS` (comma-separated).
 */
export function teamsApp(
  databaseUrl = process.env.DATABASE_URL ?? 'sqlite:///database.db',
  options: EngineOptions = {},
) {
  const engine = createEngine(databaseUrl, { replicas: process.env.DATABASE_REPLICA_URLS, ...options })

  const getSession = depends(async function* getSession() {
    await using session = new Session(engine)
    yield session
  })

  // The lists may be a second stale: with replicas they are read from one. A row just created or changed
  // is read by id from the primary, so a client always finds what it wrote.
  const getReadSession =
    engine.replicas === undefined
      ? getSession
      : depends(async function* getReadSession() {
          await using session = new Session(engine, { reads: 'replica' })
          yield session
        })

  const app = createApp({
    title: 'Heroes & Teams API',
    lifespan: {
      startup: () => createAll(engine, { metadata }),
      shutdown: () => engine.dispose(),
    },
  })

  const offset = query.integer({ default: 0, ge: 0 })
  const limit = query.integer({ default: 100, ge: 0, le: 100 })

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
    { params: { session: getReadSession, offset, limit }, response: list(HeroPublic) },
    async function readHeroes({ session, offset, limit }) {
      return session.exec(select(Hero).orderBy(Hero.c.id).offset(offset).limit(limit)).all()
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

  app.patch(
    '/heroes/{hero_id}',
    {
      params: { hero_id: path.integer(), hero: body(HeroUpdate), session: getSession },
      response: HeroPublic,
    },
    async function updateHero({ hero_id, hero, session }) {
      const dbHero = await session.get(Hero, hero_id)
      if (!dbHero) throw new HTTPError(404, 'Hero not found')
      const heroData = HeroUpdate.dump(hero, { excludeUnset: true })
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

  app.get(
    '/teams/',
    { params: { session: getReadSession, offset, limit }, response: list(TeamPublic) },
    async function readTeams({ session, offset, limit }) {
      return session.exec(select(Team).orderBy(Team.c.id).offset(offset).limit(limit)).all()
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

  app.patch(
    '/teams/{team_id}',
    {
      params: { team_id: path.integer(), team: body(TeamUpdate), session: getSession },
      response: TeamPublic,
    },
    async function updateTeam({ team_id, team, session }) {
      const dbTeam = await session.get(Team, team_id)
      if (!dbTeam) throw new HTTPError(404, 'Team not found')
      const teamData = TeamUpdate.dump(team, { excludeUnset: true })
      Team.update(dbTeam, teamData)
      session.add(dbTeam)
      await session.commit()
      await session.refresh(dbTeam)
      return dbTeam
    },
  )

  app.delete(
    '/teams/{team_id}',
    { params: { team_id: path.integer(), session: getSession } },
    async function deleteTeam({ team_id, session }) {
      const team = await session.get(Team, team_id)
      if (!team) throw new HTTPError(404, 'Team not found')
      // Its heroes stay, with team_id set to null (SQLModel's default without a cascade).
      await session.delete(team)
      await session.commit()
      return { ok: true }
    },
  )

  return { app, engine, getSession, getReadSession }
}
