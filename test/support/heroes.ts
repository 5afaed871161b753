/**
 * The tutorial's Hero table in a fresh Metadata, on a fresh SQLite file, with every SQL statement the
 * engine runs recorded in `log` (echo), so tests can assert what a Session sends.
 */
import { createAll, createEngine, field, Metadata, model, Session, table, type EngineOptions } from 'onemodel'
import { tempSqliteUrl } from './sqlite.ts'

export function declareHeroes() {
  const metadata = new Metadata()
  const Team = table(
    'team',
    model('Team', {
      id: field.integer({ primaryKey: true }),
      name: field.string({ unique: true }),
      headquarters: field.string(),
    }),
    { metadata },
  )
  const Hero = table(
    'hero',
    model('Hero', {
      id: field.integer({ primaryKey: true }),
      name: field.string({ index: true }),
      secret_name: field.string({ secret: true }),
      age: field.integer({ nullable: true, default: null, index: true }),
      team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
    }),
    { metadata },
  )
  return { metadata, Team, Hero }
}

/** A fresh database with the hero and team tables. `log` starts empty after createAll. */
export async function heroesDatabase(options: EngineOptions & { url?: string } = {}) {
  const models = declareHeroes()
  const log: string[] = []
  const engine = createEngine(options.url ?? tempSqliteUrl(), {
    echo: true,
    logger: (line) => log.push(line),
    ...options,
  })
  await createAll(engine, { metadata: models.metadata })
  log.length = 0
  return { ...models, engine, log }
}

/** Inserts the tutorial's three heroes (ids 1, 2, 3) and clears the log. */
export async function addTutorialHeroes(db: Awaited<ReturnType<typeof heroesDatabase>>): Promise<void> {
  const { engine, Hero, log } = db
  await using session = new Session(engine)
  session.addAll([
    Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }),
    Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 }),
    Hero.create({ name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16 }),
  ])
  await session.commit()
  log.length = 0
}
