/**
 * Team and Hero with their relationships (team.heroes, hero.team), each declaration in a fresh Metadata,
 * and a fresh database of a dialect with them, every statement recorded in `log` (see heroes.ts).
 */
import type { TestContext } from 'node:test'
import { createAll, createEngine, field, Metadata, model, relationships, Session, table } from 'onemodel-ts'
import type { DialectUnderTest } from './dialects.ts'
import { recordSql } from './heroes.ts'

export function declareTeams() {
  const metadata = new Metadata()
  return relationships(
    {
      Team: table('team', model('Team', { id: field.integer({ primaryKey: true }), name: field.string() }), {
        metadata,
      }),
      Hero: table(
        'hero',
        model('Hero', {
          id: field.integer({ primaryKey: true }),
          name: field.string({ unique: true }),
          age: field.integer({ nullable: true, default: null }),
          team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
        }),
        { metadata },
      ),
    },
    ({ one, many }) => ({
      Team: { heroes: many('Hero', { backPopulates: 'team' }) },
      Hero: { team: one('Team', { backPopulates: 'heroes' }) },
    }),
  )
}

/**
 * A fresh database of `dialect` with Preventers (id 1: Deadpond, Rusty-Man) and Z-Force (id 2:
 * Spider-Boy); the engine is disposed when `t` ends, and `log` starts empty.
 */
export async function teamsDatabase(t: TestContext, dialect: DialectUnderTest) {
  const models = declareTeams()
  const { Team, Hero } = models
  const recorded = recordSql()
  const engine = createEngine(await dialect.isolatedUrl(), recorded.options)
  t.after(() => engine.dispose())
  await createAll(engine, { metadata: Team.metadata })
  await using session = new Session(engine)
  session.addAll([Team.create({ name: 'Preventers' }), Team.create({ name: 'Z-Force' })])
  await session.commit()
  session.addAll([
    Hero.create({ name: 'Deadpond', team_id: 1 }),
    Hero.create({ name: 'Rusty-Man', age: 48, team_id: 1 }),
    Hero.create({ name: 'Spider-Boy', age: 16, team_id: 2 }),
  ])
  await session.commit()
  recorded.log.length = 0
  return { ...models, engine, log: recorded.log }
}

/** An echoed statement without its ` -- 2 parameters` note. */
export const statement = (line: string) => line.replace(/ -- \d+ parameters?$/, '')
