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

const { Hero, Follow } = relationships(
  {
    Hero: table(
      'hero',
      model('Hero', {
        id: field.integer({ primaryKey: true }),
        name: field.string({ index: true }),
        mentor_id: field.integer({ nullable: true, default: null, foreignKey: 'hero.id' }),
      }),
    ),
    Follow: table(
      'follow',
      model('Follow', {
        follower_id: field.integer({ primaryKey: true, foreignKey: 'hero.id' }),
        followed_id: field.integer({ primaryKey: true, foreignKey: 'hero.id' }),
      }),
    ),
  },
  ({ one, many }) => ({
    Hero: {
      mentor: one('Hero', { backPopulates: 'apprentices' }),
      apprentices: many('Hero', { backPopulates: 'mentor', orderBy: 'name' }),
      following: many('Hero', { link: 'Follow', foreignKey: 'follower_id', backPopulates: 'followers' }),
      followers: many('Hero', { link: 'Follow', foreignKey: 'followed_id', backPopulates: 'following' }),
    },
  }),
)

const engine = createEngine(process.env.DATABASE_URL ?? 'sqlite:///database.db', {
  echo: true,
  logger: console.error,
})
await createAll(engine)

{
  await using session = new Session(engine)
  const professor = Hero.create({ name: 'Professor' })
  const deadpond = Hero.create({ name: 'Deadpond', mentor: professor })
  const spiderBoy = Hero.create({ name: 'Spider-Boy', mentor: professor })
  const tarantula = Hero.create({ name: 'Tarantula', mentor: spiderBoy })
  spiderBoy.following.push(deadpond, professor)
  tarantula.following.push(spiderBoy)
  session.add(tarantula)
  await session.commit()
  console.log(
    'Professor apprentices:',
    professor.apprentices.map((hero) => hero.name),
  )
  console.log(
    'Spider-Boy followers:',
    spiderBoy.followers.map((hero) => hero.name),
  )
}

{
  await using session = new Session(engine)
  const heroes = await session
    .exec(
      select(Hero)
        .options(selectinload('mentor'), selectinload('apprentices'), selectinload('followers'))
        .orderBy(Hero.c.name),
    )
    .all()
  for (const hero of heroes) {
    console.log(
      hero.name,
      '| mentor:',
      hero.mentor?.name ?? null,
      '| apprentices:',
      hero.apprentices.map((apprentice) => apprentice.name),
      '| followers:',
      hero.followers.map((follower) => follower.name),
    )
  }

  const mentors = await session
    .exec(select(Hero.c.name).where(Hero.rel.apprentices.any(Hero.c.name.startsWith('S'))))
    .all()
  console.log('Mentors of an S-hero:', mentors)

  const spiderBoy = heroes.find((hero) => hero.name === 'Spider-Boy')!
  await session.delete(spiderBoy)
  await session.commit()
  console.log('Follows left:', await session.exec(select(Follow)).all())
  console.log('Tarantula mentor:', heroes.find((hero) => hero.name === 'Tarantula')!.mentor)
}

await engine.dispose()
