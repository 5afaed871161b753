import { createAll, createEngine, field, model, select, Session, table } from 'onemodel-ts'

const Hero = table(
  'hero',
  model('Hero', {
    id: field.integer({ primaryKey: true }),
    name: field.string(),
    secret_name: field.string(),
    age: field.integer({ nullable: true, default: null }),
  }),
)

const engine = createEngine(process.env.DATABASE_URL ?? 'sqlite:///heroes.db')
await createAll(engine)

// CREATE
{
  await using session = new Session(engine)
  const heroes = [
    Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }),
    Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 }),
    Hero.create({ name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16 }),
  ]
  session.addAll(heroes)
  await session.commit()
}

// READ: all
{
  await using session = new Session(engine)
  const result = await session.exec(select(Hero))
  for (const hero of result) {
    console.log(hero.id, hero.name)
  }
}

// READ: filtered
{
  await using session = new Session(engine)
  const young = await session.exec(select(Hero).where(Hero.c.age.lt(30))).all()
  console.log(young)
}

// UPDATE
{
  await using session = new Session(engine)
  const hero = await session.get(Hero, 1) // get by primary key
  if (!hero) throw new Error('Hero 1 not found')
  hero.age = 35
  session.add(hero)
  await session.commit()
  await session.refresh(hero)
  console.log(hero)
}

// DELETE
{
  await using session = new Session(engine)
  const hero = await session.get(Hero, 3)
  if (!hero) throw new Error('Hero 3 not found')
  await session.delete(hero)
  await session.commit()
  console.log(`Deleted: ${hero.name}`)
}

await engine.dispose()
