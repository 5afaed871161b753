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

const { HeroTeamLink, Team, Hero } = relationships(
  {
    HeroTeamLink: table(
      'heroteamlink',
      model('HeroTeamLink', {
        team_id: field.integer({ primaryKey: true, foreignKey: 'team.id' }),
        hero_id: field.integer({ primaryKey: true, foreignKey: 'hero.id' }),
        is_training: field.boolean({ default: false }),
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
  ({ one, many }) => ({
    HeroTeamLink: {
      team: one('Team', { backPopulates: 'hero_links' }),
      hero: one('Hero', { backPopulates: 'team_links' }),
    },
    Team: { hero_links: many('HeroTeamLink', { backPopulates: 'team' }) },
    Hero: { team_links: many('HeroTeamLink', { backPopulates: 'hero' }) },
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

  const heroDeadpond = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
  const heroRustyMan = Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 })
  const heroSpiderBoy = Hero.create({ name: 'Spider-Boy', secret_name: 'Pedro Parqueador' })

  const deadpondTeamZLink = HeroTeamLink.create({ team: teamZForce, hero: heroDeadpond })
  const deadpondPreventersLink = HeroTeamLink.create({
    team: teamPreventers,
    hero: heroDeadpond,
    is_training: true,
  })
  const spiderBoyPreventersLink = HeroTeamLink.create({
    team: teamPreventers,
    hero: heroSpiderBoy,
    is_training: true,
  })
  const rustyManPreventersLink = HeroTeamLink.create({ team: teamPreventers, hero: heroRustyMan })

  session.add(deadpondTeamZLink)
  session.add(deadpondPreventersLink)
  session.add(spiderBoyPreventersLink)
  session.add(rustyManPreventersLink)
  await session.commit()

  for (const link of teamZForce.hero_links) {
    console.log('Z-Force hero:', link.hero, 'is training:', link.is_training)
  }
  for (const link of teamPreventers.hero_links) {
    console.log('Preventers hero:', link.hero, 'is training:', link.is_training)
  }
}

{
  await using session = new Session(engine)
  const heroSpiderBoy = await session
    .exec(select(Hero).where(Hero.c.name.eq('Spider-Boy')).options(selectinload('team_links', 'team')))
    .one()
  const teamZForce = await session
    .exec(select(Team).where(Team.c.name.eq('Z-Force')).options(selectinload('hero_links')))
    .one()

  const spiderBoyZForceLink = HeroTeamLink.create({
    team: teamZForce,
    hero: heroSpiderBoy,
    is_training: true,
  })
  teamZForce.hero_links.push(spiderBoyZForceLink)
  session.add(teamZForce)
  await session.commit()

  console.log("Updated Spider-Boy's Teams:", heroSpiderBoy.team_links)
  console.log('Z-Force heroes:', teamZForce.hero_links)

  for (const link of heroSpiderBoy.team_links) {
    if (link.team?.name === 'Preventers') link.is_training = false
  }
  session.add(heroSpiderBoy)
  await session.commit()

  for (const link of heroSpiderBoy.team_links) {
    console.log('Spider-Boy team:', link.team, 'is training:', link.is_training)
  }
}

await engine.dispose()
