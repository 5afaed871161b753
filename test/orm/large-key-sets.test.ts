/**
 * selectinload over 100,000 rows: the keys go in `IN` lists of 500, well below every dialect's limit on
 * bound values (SQLite 32,766, PostgreSQL 65,535, MySQL 65,535), so loading never fails for the number of
 * rows, and costs one query per 500 rows, never one per row.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  createAll,
  createEngine,
  select,
  selectinload,
  Session,
  sql,
  type DialectName,
  type Engine,
} from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { recordSql } from '../support/heroes.ts'
import { declareTeams } from '../support/teams.ts'

const ROWS = 100_000
/** The queries of a select and its load: the select, then one per 500 keys. */
const QUERIES = 1 + ROWS / 500

const DIGITS = Array.from({ length: 10 }, (_, d) => `select ${d} as d`).join(' union all ')
const PLACES = ['a', 'b', 'c', 'd', 'e'] // 10^5 = ROWS

/** The numbers 1…ROWS as a column `i`, in one statement. */
const NUMBERS: Record<DialectName, string> = {
  sqlite: `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${ROWS}) select i from n`,
  postgres: `select i from generate_series(1, ${ROWS}) as n(i)`,
  // Cross-joined digits: MySQL 8 caps recursive CTEs at 1000 rows unless told otherwise.
  mysql: `select 1 + ${PLACES.map((place, power) => `${10 ** power} * ${place}.d`).join(' + ')} as i from ${PLACES.map((place) => `(${DIGITS}) as ${place}`).join(', ')}`,
}

/** `'<prefix> ' || i` in the dialect's spelling. */
const named = (dialect: DialectName, prefix: string) =>
  dialect === 'mysql' ? `concat('${prefix} ', i)` : `'${prefix} ' || i`

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: selectinload of ${ROWS} rows`, { timeout: 120_000 }, () => {
    const models = declareTeams()
    const { Team, Hero } = models
    const recorded = recordSql()
    let engine: Engine
    before(async () => {
      engine = createEngine(await dialect.isolatedUrl(), recorded.options)
      await createAll(engine, { metadata: Team.metadata })
      // Team i has hero i.
      const numbers = NUMBERS[dialect.name]
      await sql
        .raw(
          `insert into team (id, name) select i, ${named(dialect.name, 'Team')} from (${numbers}) as numbers`,
        )
        .execute(engine.db)
      await sql
        .raw(
          `insert into hero (id, name, age, team_id) select i, ${named(dialect.name, 'Hero')}, null, i from (${numbers}) as numbers`,
        )
        .execute(engine.db)
    })
    after(() => engine?.dispose())

    test('the heroes of every team: one query per 500 teams', async () => {
      await using session = new Session(engine)
      recorded.log.length = 0
      const teams = await session.exec(select(Team).orderBy(Team.c.id).options(selectinload('heroes'))).all()
      assert.equal(teams.length, ROWS)
      assert.equal(recorded.log.length, QUERIES)
      assert.deepEqual(
        [teams[0]!, teams[ROWS - 1]!].map((team) => team.heroes.map((hero) => hero.name)),
        [['Hero 1'], [`Hero ${ROWS}`]],
      )
      assert.equal(teams[ROWS - 1]!.heroes[0]!.team, teams[ROWS - 1], 'each hero points back at its team')
    })

    test('the team of every hero: one query per 500 keys', async () => {
      await using session = new Session(engine)
      recorded.log.length = 0
      const heroes = await session.exec(select(Hero).orderBy(Hero.c.id).options(selectinload('team'))).all()
      assert.equal(heroes.length, ROWS)
      assert.equal(recorded.log.length, QUERIES)
      assert.equal(heroes[ROWS - 1]!.team?.name, `Team ${ROWS}`)
    })
  })
}
