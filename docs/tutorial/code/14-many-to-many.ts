import {
  createAll,
  createEngine,
  field,
  model,
  relationships,
  select,
  selectinload,
  Session,
  table,
} from 'onemodel-ts'

const { Team, Hero } = relationships(
  {
    HeroTeamLink: table(
      'heroteamlink',
      model('HeroTeamLink', {
        team_id: field.integer({ primaryKey: true, foreignKey: 'team.id' }),
        hero_id: field.integer({ primaryKey: true, foreignKey: 'hero.id' }),
      }),
    ),
    Team: table(
      'team',
      model('Team', {
        id: field.integer({ primaryKey: true }),
        name: field.string({ index: true }),
        headquarters: field.string(),
      }),
    ),
    Hero: table(
      'hero',
      model('Hero', {
        id: field.integer({ primaryKey: true }),
        name: field.string({ index: true }),
        secret_name: field.string(),
        age: field.integer({ nullable: true, default: null, index: true }),
      }),
    ),
  },
  ({ many }) => ({
    Team: { heroes: many('Hero', { link: 'HeroTeamLink', backPopulates: 'teams' }) },
    Hero: { teams: many('Team', { link: 'HeroTeamLink', backPopulates: 'heroes' }) },
  }),
)

const engine = createEngine(process.env.DATABASE_URL ?? 'sqlite:///database.db', {
  echo: true,
  logger: console.error,
})
await createAll(engine)

{
  await using session = new Session(engine)
  const teamPreventers = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })
  const teamZForce = Team.create({ name: 'Z-Force', headquarters: 'Sister Margaret’s Bar' })

  const heroDeadpond = Hero.create({
    name: 'Deadpond',
    secret_name: 'Dive Wilson',
    teams: [teamZForce, teamPreventers],
  })
  const heroRustyMan = Hero.create({
    name: 'Rusty-Man',
    secret_name: 'Tommy Sharp',
    age: 48,
    teams: [teamPreventers],
  })
  const heroSpiderBoy = Hero.create({
    name: 'Spider-Boy',
    secret_name: 'Pedro Parqueador',
    teams: [teamPreventers],
  })
  session.add(heroDeadpond)
  session.add(heroRustyMan)
  session.add(heroSpiderBoy)
  await session.commit()

  console.log('Deadpond:', heroDeadpond)
  console.log('Deadpond teams:', heroDeadpond.teams)
  console.log('Rusty-Man:', heroRustyMan)
  console.log('Rusty-Man Teams:', heroRustyMan.teams)
  console.log('Spider-Boy:', heroSpiderBoy)
  console.log('Spider-Boy Teams:', heroSpiderBoy.teams)
}

{
  await using session = new Session(engine)
  const heroSpiderBoy = await session
    .exec(select(Hero).where(Hero.c.name.eq('Spider-Boy')).options(selectinload('teams')))
    .one()
  const teamZForce = await session
    .exec(select(Team).where(Team.c.name.eq('Z-Force')).options(selectinload('heroes')))
    .one()

  teamZForce.heroes.push(heroSpiderBoy)
  session.add(teamZForce)
  await session.commit()

  console.log("Updated Spider-Boy's Teams:", heroSpiderBoy.teams)
  console.log('Z-Force heroes:', teamZForce.heroes)

  heroSpiderBoy.teams.splice(heroSpiderBoy.teams.indexOf(teamZForce), 1)
  session.add(teamZForce)
  await session.commit()

  console.log("Reverted Z-Force's heroes:", teamZForce.heroes)
  console.log("Reverted Spider-Boy's teams:", heroSpiderBoy.teams)
}

await engine.dispose()
