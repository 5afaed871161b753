/** The table the in-process benches use, and the operations onemodel runs on it through its public API. */
import { createAll, dropAll, field, model, Session, table, type Engine } from 'onemodel-ts'

export const BenchHero = table(
  'bench_hero',
  model('BenchHero', {
    id: field.integer({ primaryKey: true }),
    name: field.string(),
    secret_name: field.string(),
    age: field.integer({ nullable: true, default: null }),
  }),
)

/** A new hero's values, from its number. */
export const heroData = (n: number) => ({ name: `Hero ${n}`, secret_name: `Secret ${n}`, age: n % 90 })

/** Creates the bench table empty, dropping what a previous run left. */
export async function recreateTable(engine: Engine): Promise<void> {
  await dropAll(engine)
  await createAll(engine)
}

/** The three operations, each as one request would run it: in a Session of its own. */
export function onemodelOperations(engine: Engine) {
  return {
    async get(id: number): Promise<unknown> {
      await using session = new Session(engine)
      return await session.get(BenchHero, id)
    },
    async insert(n: number): Promise<void> {
      await using session = new Session(engine)
      session.add(BenchHero.create(heroData(n)))
      await session.commit()
    },
    async update(id: number, age: number): Promise<void> {
      await using session = new Session(engine)
      const hero = await session.get(BenchHero, id)
      if (!hero) throw new Error(`no bench_hero ${id}`)
      hero.age = age
      await session.commit()
    },
  }
}
