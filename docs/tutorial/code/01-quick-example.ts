import { createAll, createEngine, field, model, Session, table } from 'onemodel-ts'

const Hero = table(
  'hero',
  model('Hero', {
    id: field.integer({ primaryKey: true }),
    name: field.string(),
    secret_name: field.string(),
    age: field.integer({ nullable: true, default: null }),
  }),
)

const engine = createEngine(process.env.DATABASE_URL ?? 'sqlite:///heroes.db', { echo: false })
await createAll(engine)

{
  await using session = new Session(engine)
  const hero = Hero.create({ name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16 })
  session.add(hero)
  await session.commit()
  await session.refresh(hero)
  console.log(hero)
}

await engine.dispose()
