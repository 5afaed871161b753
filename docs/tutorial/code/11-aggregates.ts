import {
  avg,
  count,
  countDistinct,
  createAll,
  createEngine,
  dropAll,
  field,
  max,
  min,
  model,
  relationships,
  select,
  Session,
  sum,
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
  const [heroes, withAge, teams] = await session
    .exec(select(count(), count(Hero.c.age), countDistinct(Hero.c.team_id)))
    .one()
  console.log(heroes, 'heroes,', withAge, 'with a known age, in', teams, 'teams')

  const [total, average, youngest, oldest] = await session
    .exec(select(sum(Hero.c.age), avg(Hero.c.age), min(Hero.c.age), max(Hero.c.age)))
    .one()
  console.log({ total, average, youngest, oldest })
}

{
  await using session = new Session(engine)
  const perTeam = await session
    .exec(
      select(Team.c.name, count(Hero.c.id).as('heroes'), avg(Hero.c.age).as('average_age'))
        .join(Hero)
        .groupBy(Team.c.name)
        .orderBy(Team.c.name),
    )
    .all()
  for (const [team, heroes, averageAge] of perTeam) {
    console.log(team, heroes, averageAge)
  }

  const heroes = count(Hero.c.id).as('heroes')
  const bigTeams = await session
    .exec(
      select(Team.c.name, heroes)
        .join(Hero)
        .groupBy(Team.c.name)
        .having(heroes.gt(1))
        .orderBy(heroes.desc(), Team.c.name),
    )
    .all()
  console.log(bigTeams)
}

{
  await using session = new Session(engine)
  const byAge = await session
    .exec(select(Hero.c.name, Hero.c.age).orderBy(Hero.c.age.desc().nullsLast(), Hero.c.name))
    .all()
  for (const [name, age] of byAge) {
    console.log(name, age)
  }
}

{
  await using session = new Session(engine)
  const adults = select(Hero).where(Hero.c.age.gte(18))
  const total = await session.count(adults)
  const pageSize = 2
  const firstPage = await session.exec(adults.orderBy(Hero.c.name).limit(pageSize).offset(0)).all()
  console.log(
    `Page 1 of ${Math.ceil(total / pageSize)} (${total} adults):`,
    firstPage.map((hero) => hero.name),
  )
}

await engine.dispose()
