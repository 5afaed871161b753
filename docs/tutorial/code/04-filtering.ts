import { col, createAll, createEngine, field, model, select, Session, table } from 'onemodel-ts'

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

{
  await using session = new Session(engine)
  session.addAll([
    Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }),
    Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 }),
    Hero.create({ name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16 }),
  ])
  await session.commit()
}

{
  await using session = new Session(engine)
  // Multiple conditions (AND)
  let results = await session
    .exec(
      select(Hero)
        .where(Hero.c.age.gte(18))
        .where(Hero.c.age.lte(50))
        .orderBy(Hero.c.age)
        .limit(10)
        .offset(0),
    )
    .all()
  for (const h of results) {
    console.log(h.name, h.age)
  }

  // LIKE
  results = await session.exec(select(Hero).where(col(Hero.c.name).contains('Man'))).all()

  // IN
  results = await session.exec(select(Hero).where(col(Hero.c.id).in([1, 2]))).all()
}

await engine.dispose()
