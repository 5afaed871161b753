/** The table the in-process benches use, and the operations onemodel runs on it through its public API. */
import { createAll, dropAll, field, model, select, Session, sql, table, type Engine } from 'onemodel-ts'

export const BenchTeam = table(
  'bench_team',
  model('BenchTeam', { id: field.integer({ primaryKey: true }), name: field.string() }),
)

export const BenchHero = table(
  'bench_hero',
  model('BenchHero', {
    id: field.integer({ primaryKey: true }),
    name: field.string(),
    secret_name: field.string(),
    age: field.integer({ nullable: true, default: null }),
    team_id: field.integer({ nullable: true, default: null, foreignKey: 'bench_team.id' }),
  }),
)

/** Heroes read by one join: a page of a list with each row's team. */
export const JOIN_ROWS = 100

/** Teams the seeded heroes are spread over. */
const TEAMS = 10

/** Adds the teams and puts every seeded hero in one; seeding is not measured. */
export async function seedTeams(engine: Engine): Promise<void> {
  const teams = Array.from({ length: TEAMS }, (_, i) => ({ id: i + 1, name: `Team ${i + 1}` }))
  await engine.db.insertInto('bench_team').values(teams).execute()
  await sql`update bench_hero set team_id = id % ${TEAMS} + 1`.execute(engine.db)
}

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
    /** `JOIN_ROWS` heroes from `first` on, each with its team: `[BenchHero, BenchTeam]` pairs. */
    async join(first: number): Promise<unknown[]> {
      await using session = new Session(engine)
      const page = select(BenchHero, BenchTeam)
        .join(BenchTeam)
        .where(BenchHero.c.id.gte(first))
        .orderBy(BenchHero.c.id)
        .limit(JOIN_ROWS)
      return await session.exec(page).all()
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
