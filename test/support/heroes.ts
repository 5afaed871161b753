/**
 * The tutorial's Hero table in a fresh Metadata, on a fresh database of a dialect (a SQLite file by
 * default), with every SQL statement the engine runs recorded in `log` (echo), so tests can assert what a
 * Session sends.
 */
import {
  createAll,
  createEngine,
  field,
  Metadata,
  model,
  Session,
  table,
  type EngineOptions,
} from 'onemodel-ts'
import type { DialectUnderTest } from './dialects.ts'
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

/**
 * A statement as SQLite spells it, whatever the dialect: identifiers in `"` (MySQL writes backticks) and
 * `?` placeholders (PostgreSQL writes `$1`, `$2`). An UPDATE or DELETE by key returns the key where the
 * dialect can (SQLite, PostgreSQL; not MySQL), which is left out here. Echo logs no values, so nothing
 * else differs.
 */
export function neutralSql(line: string): string {
  return line
    .replaceAll('`', '"')
    .replace(/\$\d+/g, '?')
    .replace(/^((?:update|delete) .*?) returning "\w+"/, '$1')
}

/** Engine options that echo every statement into `log`, in the {@link neutralSql} spelling. */
export function recordSql(): { log: string[]; options: EngineOptions } {
  const log: string[] = []
  return { log, options: { echo: true, logger: (line) => log.push(neutralSql(line)) } }
}

export interface HeroesDatabaseOptions extends EngineOptions {
  /** The database to use; by default a fresh one of `dialect`. */
  url?: string
  /** Where the fresh database comes from; a temporary SQLite file by default. */
  dialect?: Pick<DialectUnderTest, 'isolatedUrl'>
}

/**
 * A fresh database with the hero and team tables. `log` starts empty after createAll and holds each
 * statement in the {@link neutralSql} spelling, so one assertion serves every dialect.
 */
export async function heroesDatabase(options: HeroesDatabaseOptions = {}) {
  const { url, dialect, ...engineOptions } = options
  const models = declareHeroes()
  const recorded = recordSql()
  const engine = createEngine(url ?? (dialect ? await dialect.isolatedUrl() : tempSqliteUrl()), {
    ...recorded.options,
    ...engineOptions,
  })
  await createAll(engine, { metadata: models.metadata })
  recorded.log.length = 0
  return { ...models, engine, log: recorded.log }
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
