import {
  createAll,
  createEngine,
  dropAll,
  field,
  model,
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
  const deadpond = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
  const rustyMan = Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 })
  const spiderBoy = Hero.create({ name: 'Spider-Boy', secret_name: 'Pedro Parqueador' })
  deadpond.team = zForce
  rustyMan.team = preventers
  session.addAll([preventers, zForce, deadpond, rustyMan, spiderBoy])
  await session.commit()
}

{
  await using session = new Session(engine)
  const results = await session.exec(select(Hero, Team).join(Team).orderBy(Hero.c.id)).all()
  for (const [hero, team] of results) {
    console.log('Hero:', hero, 'Team:', team)
  }
}

{
  await using session = new Session(engine)
  const results = await session.exec(select(Hero, Team).leftJoin(Team).orderBy(Hero.c.id)).all()
  for (const [hero, team] of results) {
    console.log('Hero:', hero, 'Team:', team)
  }
}

{
  await using session = new Session(engine)
  const heroes = await session
    .exec(select(Hero).join(Team).where(Team.c.name.eq('Preventers')).orderBy(Hero.c.id))
    .all()
  for (const hero of heroes) {
    console.log('Preventer Hero:', hero)
  }

  const pairs = await session
    .exec(select(Hero, Team).join(Team).where(Team.c.name.eq('Preventers')).orderBy(Hero.c.id))
    .all()
  for (const [hero, team] of pairs) {
    console.log('Preventer Hero:', hero, 'Team:', team)
  }
}

{
  await using session = new Session(engine)
  const byRelationship = await session
    .exec(select(Team.c.name, Hero.c.name).join(Team.rel.heroes).orderBy(Team.c.name, Hero.c.name))
    .all()
  console.log(byRelationship)

  const byCondition = await session
    .exec(select(Hero.c.name, Team.c.name).leftJoin(Team, Hero.c.team_id.eq(Team.c.id)).orderBy(Hero.c.name))
    .all()
  console.log(byCondition)
}

try {
  select(Hero).join(Hero)
} catch (error) {
  console.log((error as Error).message)
}

await engine.dispose()
