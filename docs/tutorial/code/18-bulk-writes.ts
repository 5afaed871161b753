import {
  createAll,
  createEngine,
  deleteFrom,
  dropAll,
  field,
  insert,
  model,
  relationships,
  select,
  Session,
  table,
  update,
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
        name: field.string({ unique: true }),
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
  const roster = [
    { name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16 },
    { name: 'Tarantula', secret_name: 'Natalia Roman-on', age: 32 },
    { name: 'Dr. Weird', secret_name: 'Steve Weird', age: 36 },
    { name: 'Captain North America', secret_name: 'Esteban Rogelios', age: 93 },
  ]
  await session.exec(insert(Hero).values(roster).onConflict({ target: 'name' }).doUpdate(['age']))
  const heroes = await session.exec(select(Hero.c.name, Hero.c.age).orderBy(Hero.c.id)).all()
  console.log(heroes)
}

{
  await using session = new Session(engine)
  const captain = await session.exec(select(Hero).where(Hero.c.name.eq('Captain North America'))).one()
  const preventers = await session.exec(select(Team).where(Team.c.name.eq('Preventers'))).one()
  await session.begin()
  const recruited = await session.exec(
    update(Hero).where(Hero.c.team_id.isNull(), Hero.c.age.gte(18)).values({ team_id: preventers.id }),
  )
  console.log(recruited.affected, 'recruited; the Captain is in team', captain.team_id)

  const retired = await session.exec(deleteFrom(Hero).where(Hero.c.age.gt(90)))
  console.log(retired.affected, 'retired;', await session.get(Hero, captain.id))
  await session.commit()
}

{
  await using session = new Session(engine)
  const heroes = await session
    .exec(select(Hero.c.name, Hero.c.age, Team.c.name).leftJoin(Team).orderBy(Hero.c.id))
    .all()
  console.log(heroes)
}

await engine.dispose()
