import {
  createAll,
  createEngine,
  field,
  model,
  relationships,
  selectinload,
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
        team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
      }),
    ),
  },
  ({ one, many }) => ({
    Team: { heroes: many('Hero', { backPopulates: 'team' }) },
    Hero: { team: one('Team', { backPopulates: 'heroes' }) },
  }),
)

const engine = createEngine(process.env.DATABASE_URL ?? 'sqlite:///teams.db')
await createAll(engine)

{
  await using session = new Session(engine)
  const preventers = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })
  session.add(preventers)
  await session.commit()
  const team = await session.refresh(preventers)

  const hero = Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp', team_id: team.id })
  session.add(hero)
  await session.commit()
  await session.refresh(hero)

  // Load with relationship
  const teamDb = await session.get(Team, team.id, { options: [selectinload('heroes')] })
  console.log(
    teamDb!.name,
    teamDb!.heroes.map((h) => h.name),
  )
}

{
  await using session = new Session(engine)
  const team = await session.get(Team, 1)
  try {
    console.log(team!.heroes)
  } catch (error) {
    console.log((error as Error).message)
  }
  const heroes = await session.load(team!, 'heroes')
  console.log(heroes)
}

{
  await using session = new Session(engine)
  const zForce = Team.create({ name: 'Z-Force', headquarters: "Sister Margaret's Bar" })
  const deadpond = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
  zForce.heroes.push(deadpond)
  session.add(zForce)
  await session.commit()
  console.log(deadpond.team_id, deadpond.team === zForce)

  await session.delete(zForce)
  await session.commit()
  console.log(deadpond)
}

{
  await using session = new Session(engine)
  const wakaland = Team.create({
    name: 'Wakaland',
    headquarters: 'Wakaland Capital City',
    heroes: [
      Hero.create({ name: 'Black Lion', secret_name: 'Trevor Challa' }),
      Hero.create({ name: 'Princess Sure-E', secret_name: 'Sure-E' }),
    ],
  })
  const tarantula = Hero.create({ name: 'Tarantula', secret_name: 'Natalia Roman-on', team: wakaland })
  session.add(tarantula)
  await session.commit()
  console.log(
    wakaland.id,
    wakaland.heroes.map((hero) => `${hero.name} (team ${hero.team_id})`),
  )
}

await engine.dispose()
