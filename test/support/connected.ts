/**
 * Connected data for the query tests (joins, aggregates, subqueries): teams.ts's Team and Hero, plus a
 * mission table with a boolean and a datetime (decoded values in column selects) and a match table with two
 * foreign keys to team (an ambiguous join), in a fresh database of a dialect shared by a describe block.
 */
import { after, before } from 'node:test'
import { createAll, createEngine, field, model, Session, table, type Engine } from 'onemodel-ts'
import type { DialectUnderTest } from './dialects.ts'
import { recordSql } from './heroes.ts'
import { declareTeams } from './teams.ts'

/** When mission 1 is due: a datetime with seconds, so a decoding that drops them shows. */
export const RESCUE_DUE = new Date('2026-01-02T03:04:05Z')
export const PATROL_DUE = new Date('2026-02-03T00:00:00Z')

export function declareConnected() {
  const { Team, Hero } = declareTeams()
  const { metadata } = Team
  const Mission = table(
    'mission',
    model('Mission', {
      id: field.integer({ primaryKey: true }),
      title: field.string(),
      done: field.boolean(),
      due: field.datetime(),
      hero_id: field.integer({ foreignKey: 'hero.id' }),
    }),
    { metadata },
  )
  const Match = table(
    'match',
    model('Match', {
      id: field.integer({ primaryKey: true }),
      home_id: field.integer({ foreignKey: 'team.id' }),
      away_id: field.integer({ foreignKey: 'team.id' }),
    }),
    { metadata },
  )
  return { Team, Hero, Mission, Match }
}

export type Connected = ReturnType<typeof declareConnected> & { engine: Engine; log: string[] }

/**
 * Registers, in the enclosing describe, a fresh database of `dialect` that its tests only read, and returns
 * a getter for it (the database exists once `before` has run):
 *
 * - teams 1 Preventers (Deadpond, Rusty-Man), 2 Z-Force (Spider-Boy), 3 Lonely Ones (no hero);
 * - heroes 1 Deadpond (age null, team 1), 2 Rusty-Man (48, team 1), 3 Spider-Boy (16, team 2),
 *   4 Tarantula (32, no team);
 * - missions 1 Rescue (Rusty-Man, done, due {@link RESCUE_DUE}), 2 Patrol (Spider-Boy, not done, due
 *   {@link PATROL_DUE});
 * - match 1: Preventers at home to Z-Force.
 *
 * `log` holds each statement in the neutral spelling of heroes.ts; tests clear it before they look at it.
 */
export function connectedDatabase(dialect: DialectUnderTest): () => Connected {
  let db: Connected | undefined
  before(async () => {
    const models = declareConnected()
    const { Team, Hero, Mission, Match } = models
    const recorded = recordSql()
    const engine = createEngine(await dialect.isolatedUrl(), recorded.options)
    db = { ...models, engine, log: recorded.log }
    await createAll(engine, { metadata: Team.metadata })
    await using session = new Session(engine)
    session.addAll(['Preventers', 'Z-Force', 'Lonely Ones'].map((name) => Team.create({ name })))
    await session.flush()
    session.addAll([
      Hero.create({ name: 'Deadpond', team_id: 1 }),
      Hero.create({ name: 'Rusty-Man', age: 48, team_id: 1 }),
      Hero.create({ name: 'Spider-Boy', age: 16, team_id: 2 }),
      Hero.create({ name: 'Tarantula', age: 32 }),
    ])
    await session.flush()
    session.addAll([
      Mission.create({ title: 'Rescue', done: true, due: RESCUE_DUE, hero_id: 2 }),
      Mission.create({ title: 'Patrol', done: false, due: PATROL_DUE, hero_id: 3 }),
      Match.create({ home_id: 1, away_id: 2 }),
    ])
    await session.commit()
  })
  after(() => db?.engine.dispose())
  return () => {
    if (db === undefined) throw new Error('connectedDatabase(): the database is made in before()')
    return db
  }
}
