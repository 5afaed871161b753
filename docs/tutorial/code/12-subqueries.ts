import {
  avg,
  count,
  createAll,
  createEngine,
  dropAll,
  exists,
  field,
  model,
  not,
  relationships,
  select,
  Session,
  table,
} from 'onemodel-ts'

const { Team, Hero } = relationships(
  {
    Team: table(
      'team',
      model('Team', {
        id: field.integer({ primaryKey: true }),
        name: field.string(),
        headquarters: field.string(),
      }),
    ),
    Hero: table(
      'hero',
      model('Hero', {
        id: field.integer({ primaryKey: true }),
        name: field.string(),
        secret_name: field.string(),
        age: field.integer({ nullable: true, default: null }),
        team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
      }),
    ),
  },
  ({ one, many }) => ({
    Team: { heroes: many('Hero', { backPopulates: 'team' }) },
    Hero: { team: one('Team', { backPopulates: 'heroes' }) },
  }),
)

const engine = createEngine(process.env.DATABASE_URL ?? 'sqlite:///teams.db', {
  echo: true,
  logger: console.error,
})
// Start from empty tables, so the program prints the same every time it runs.
await dropAll(engine)
await createAll(engine)

{
  await using session = new Session(engine)
  const preventers = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })
  const zForce = Team.create({ name: 'Z-Force', headquarters: "Sister Margaret's Bar" })
  const wakaland = Team.create({ name: 'Wakaland', headquarters: 'Wakaland Capital City' })
  zForce.heroes.push(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
  preventers.heroes.push(
    Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 }),
    Hero.create({ name: 'Tarantula', secret_name: 'Natalia Roman-on', age: 32 }),
    Hero.create({ name: 'Dr. Weird', secret_name: 'Steve Weird', age: 36 }),
    Hero.create({ name: 'Captain North America', secret_name: 'Esteban Rogelios', age: 93 }),
  )
  wakaland.heroes.push(
    Hero.create({ name: 'Black Lion', secret_name: 'Trevor Challa', age: 35 }),
    Hero.create({ name: 'Princess Sure-E', secret_name: 'Sure-E' }),
  )
  const spiderBoy = Hero.create({ name: 'Spider-Boy', secret_name: 'Pedro Parqueador' })
  session.addAll([preventers, zForce, wakaland, spiderBoy])
  await session.commit()
}

{
  await using session = new Session(engine)
  const hasVeteran = exists(
    select(Hero).correlate(Team).where(Hero.c.team_id.eq(Team.c.id), Hero.c.age.gt(40)),
  )
  const withVeteran = await session.exec(select(Team).where(hasVeteran).orderBy(Team.c.name)).all()
  const withoutVeteran = await session.exec(select(Team).where(not(hasVeteran)).orderBy(Team.c.name)).all()
  console.log(
    withVeteran.map((team) => team.name),
    withoutVeteran.map((team) => team.name),
  )
}

{
  await using session = new Session(engine)
  const inCities = select(Team.c.id).where(Team.c.headquarters.contains('City'))
  const heroes = await session
    .exec(select(Hero.c.name).where(Hero.c.team_id.in(inCities)).orderBy(Hero.c.name))
    .all()
  console.log(heroes)
}

{
  await using session = new Session(engine)
  const heroCount = select(count())
    .selectFrom(Hero)
    .correlate(Team)
    .where(Hero.c.team_id.eq(Team.c.id))
    .scalarSubquery()
  const teams = await session.exec(select(Team.c.name, heroCount.as('heroes')).orderBy(Team.c.name)).all()
  console.log(teams)

  const averageAge = select(avg(Hero.c.age)).scalarSubquery()
  const younger = await session
    .exec(select(Hero.c.name).where(Hero.c.age.lt(averageAge)).orderBy(Hero.c.name))
    .all()
  console.log(younger)
}

{
  await using session = new Session(engine)
  const heroNames = select(Hero.c.name)
    .correlate(Team)
    .where(Hero.c.team_id.eq(Team.c.id))
    .orderBy(Hero.c.name)
    .arraySubquery()
  const teams = await session.exec(select(Team.c.name, heroNames.as('heroes')).orderBy(Team.c.name)).all()
  console.log(teams)
}

{
  await using session = new Session(engine)
  const teams = await session
    .exec(
      select(Team)
        .where(Team.rel.heroes.any(Hero.c.age.gt(40)))
        .orderBy(Team.c.name),
    )
    .all()
  const heroes = await session
    .exec(
      select(Hero)
        .where(Hero.rel.team.has(Team.c.headquarters.contains('City')))
        .orderBy(Hero.c.name),
    )
    .all()
  const teamless = await session.exec(select(Hero).where(not(Hero.rel.team.has())).orderBy(Hero.c.name)).all()
  console.log(
    teams.map((team) => team.name),
    heroes.map((hero) => hero.name),
    teamless.map((hero) => hero.name),
  )
}

await engine.dispose()
