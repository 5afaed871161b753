/**
 * Nested loading paths on every dialect: `selectinload('team', 'heroes')` loads a level at a time, with
 * one query per level (per 500 keys) for all the rows the previous level reached, never one per row,
 * counted from the echoed SQL. Null many-to-ones, empty collections, relationships already loaded and
 * rows the Session holds cost no query.
 */
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import {
  createAll,
  createEngine,
  field,
  InvalidQueryError,
  Metadata,
  model,
  relationships,
  select,
  selectinload,
  Session,
  table,
} from 'onemodel-ts'
import { DIALECTS, type DialectUnderTest } from '../support/dialects.ts'
import { recordSql } from '../support/heroes.ts'

function declareTeams() {
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
          name: field.string(),
          team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
        }),
        { metadata },
      ),
      Power: table(
        'power',
        model('Power', {
          id: field.integer({ primaryKey: true }),
          name: field.string(),
          hero_id: field.integer({ foreignKey: 'hero.id' }),
        }),
        { metadata },
      ),
    },
    ({ one, many }) => ({
      Team: { heroes: many('Hero', { backPopulates: 'team' }) },
      Hero: {
        team: one('Team', { backPopulates: 'heroes' }),
        powers: many('Power', { backPopulates: 'hero' }),
      },
      Power: { hero: one('Hero', { backPopulates: 'powers' }) },
    }),
  )
}

/**
 * A fresh database of `dialect` with `teams` teams and `heroes` heroes dealt among them in turn (hero i
 * in team i % teams), every hero with one power; `log` starts empty.
 */
async function leagueDatabase(t: TestContext, dialect: DialectUnderTest, teams: number, heroes: number) {
  const models = declareTeams()
  const { Team, Hero, Power } = models
  const recorded = recordSql()
  const engine = createEngine(await dialect.isolatedUrl(), recorded.options)
  t.after(() => engine.dispose())
  await createAll(engine, { metadata: Team.metadata })
  await using session = new Session(engine)
  session.addAll(Array.from({ length: teams }, (_, i) => Team.create({ name: `Team ${i + 1}` })))
  await session.flush()
  session.addAll(
    Array.from({ length: heroes }, (_, i) =>
      Hero.create({ name: `Hero ${i + 1}`, team_id: (i % teams) + 1 }),
    ),
  )
  await session.flush()
  session.addAll(
    Array.from({ length: heroes }, (_, i) => Power.create({ name: `Power ${i + 1}`, hero_id: i + 1 })),
  )
  await session.commit()
  recorded.log.length = 0
  return { ...models, engine, log: recorded.log }
}

const selects = (log: readonly string[]) => log.filter((line) => /^select/i.test(line))
/** How many values a statement's `IN (…)` list binds. */
const inListSize = (line: string) =>
  (/ in \(([^)]*)\)/.exec(line)?.[1] ?? '').split(',').filter(Boolean).length

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: nested loading paths`, () => {
    test("50 heroes, their teams, and those teams' heroes are 3 queries, one per level", async (t) => {
      const { engine, Hero, log } = await leagueDatabase(t, dialect, 5, 50)
      await using session = new Session(engine)
      const heroes = await session
        .exec(select(Hero).orderBy(Hero.c.id).options(selectinload('team', 'heroes')))
        .all()
      const queries = selects(log)
      assert.equal(queries.length, 3, log.join('\n'))
      assert.equal(inListSize(queries[1]!), 5, 'the 5 teams, each asked for once')
      assert.equal(inListSize(queries[2]!), 5, "the 5 teams' heroes, each team once")
      assert.equal(heroes[0]!.team!.name, 'Team 1')
      assert.deepEqual(
        heroes[0]!.team!.heroes.map((hero) => hero.id),
        [1, 6, 11, 16, 21, 26, 31, 36, 41, 46],
      )
      assert.equal(heroes[0]!.team!.heroes[1], heroes[5], 'a teammate is the row the Session holds')
      assert.equal(heroes[5]!.team, heroes[0]!.team)
    })

    test('the chained spelling is the same path; options sharing a prefix load it once', async (t) => {
      const { engine, Hero, Team, log } = await leagueDatabase(t, dialect, 3, 9)
      await using session = new Session(engine)
      const chained = await session
        .exec(select(Hero).options(selectinload('team').selectinload('heroes')))
        .all()
      assert.equal(selects(log).length, 3, log.join('\n'))
      assert.equal(chained[0]!.team!.heroes.length, 3)

      log.length = 0
      await using other = new Session(engine)
      const teams = await other
        .exec(
          select(Team).options(
            selectinload('heroes'),
            selectinload('heroes', 'powers'),
            selectinload('heroes', 'team'),
          ),
        )
        .all()
      assert.equal(selects(log).length, 3, 'teams, heroes once, powers; the heroes’ team is known')
      assert.deepEqual(
        teams[0]!.heroes.map((hero) => [hero.name, hero.powers.map((power) => power.name), hero.team]),
        [
          ['Hero 1', ['Power 1'], teams[0]],
          ['Hero 4', ['Power 4'], teams[0]],
          ['Hero 7', ['Power 7'], teams[0]],
        ],
      )
    })

    test('three levels deep are 4 queries, whatever the number of rows', async (t) => {
      const { engine, Power, log } = await leagueDatabase(t, dialect, 4, 40)
      await using session = new Session(engine)
      const powers = await session
        .exec(
          select(Power)
            .orderBy(Power.c.id)
            .options(selectinload('hero', 'team', 'heroes')),
        )
        .all()
      assert.equal(selects(log).length, 4, log.join('\n'))
      assert.equal(powers.length, 40)
      assert.deepEqual(
        powers[0]!.hero!.team!.heroes.map((hero) => hero.name),
        [
          'Hero 1',
          'Hero 5',
          'Hero 9',
          'Hero 13',
          'Hero 17',
          'Hero 21',
          'Hero 25',
          'Hero 29',
          'Hero 33',
          'Hero 37',
        ],
      )
    })

    test('a path through a null team or an empty collection asks nothing for the next level', async (t) => {
      const { engine, Team, Hero, log } = await leagueDatabase(t, dialect, 2, 2)
      await using session = new Session(engine)
      session.add(Hero.create({ name: 'Loner' }))
      session.add(Team.create({ name: 'Empty' }))
      await session.commit()
      log.length = 0

      await using fresh = new Session(engine)
      const [loner] = await fresh
        .exec(select(Hero).where(Hero.c.name.eq('Loner')).options(selectinload('team', 'heroes')))
        .all()
      assert.equal(loner!.team, null)
      assert.equal(selects(log).length, 1, 'no team to ask for, so no teams and no heroes either')

      log.length = 0
      const [empty] = await fresh
        .exec(select(Team).where(Team.c.name.eq('Empty')).options(selectinload('heroes', 'powers')))
        .all()
      assert.deepEqual(empty!.heroes, [])
      assert.equal(selects(log).length, 2, 'the team, its heroes (none); no powers to ask for')
    })

    test('what the Session holds or has loaded costs no query at the levels below the first', async (t) => {
      const { engine, Team, Hero, log } = await leagueDatabase(t, dialect, 2, 4)
      await using session = new Session(engine)
      const team1 = (await session.get(Team, 1, { options: [selectinload('heroes')] }))!
      log.length = 0

      const heroes = await session
        .exec(select(Hero).orderBy(Hero.c.id).options(selectinload('team', 'heroes')))
        .all()
      const queries = selects(log)
      assert.equal(queries.length, 3, log.join('\n'))
      assert.equal(inListSize(queries[1]!), 1, 'team 1 is held: team 2 only')
      assert.equal(inListSize(queries[2]!), 1, "team 1's heroes are loaded: team 2's only")
      assert.equal(heroes[0]!.team, team1)
      assert.deepEqual(
        heroes.map((hero) => hero.team!.heroes.map((mate) => mate.id)),
        [
          [1, 3],
          [2, 4],
          [1, 3],
          [2, 4],
        ],
      )

      log.length = 0
      await session.exec(select(Hero).options(selectinload('team', 'heroes'))).all()
      assert.equal(selects(log).length, 1, 'the heroes; every team is held and its heroes loaded')
    })

    test('session.get() takes a path: the row, then one query per level', async (t) => {
      const { engine, Hero, log } = await leagueDatabase(t, dialect, 2, 6)
      await using session = new Session(engine)
      const hero = await session.get(Hero, 1, { options: [selectinload('team', 'heroes', 'powers')] })
      assert.equal(selects(log).length, 4, log.join('\n'))
      assert.deepEqual(
        hero!.team!.heroes.map((mate) => mate.powers[0]!.name),
        ['Power 1', 'Power 3', 'Power 5'],
      )
    })

    test('a level of more than 500 rows is asked for 500 keys at a time', async (t) => {
      const { engine, Hero, log } = await leagueDatabase(t, dialect, 600, 600)
      await using session = new Session(engine)
      const heroes = await session
        .exec(select(Hero).orderBy(Hero.c.id).options(selectinload('team', 'heroes')))
        .all()
      assert.deepEqual(selects(log).map(inListSize), [0, 500, 100, 500, 100])
      assert.equal(heroes[599]!.team!.heroes[0], heroes[599])
    })

    test('a name that is not a relationship of its level is refused, naming that table', async (t) => {
      const { engine, Hero, Team } = await leagueDatabase(t, dialect, 1, 1)
      await using session = new Session(engine)
      const wrong = selectinload('team', 'powers') as never
      assert.throws(
        () => select(Hero).options(wrong),
        (error: Error) =>
          error instanceof InvalidQueryError &&
          /Team has no relationship 'powers'\. Its relationships are: heroes\./.test(error.message),
      )
      await assert.rejects(
        session.get(Team, 1, { options: [wrong] }),
        (error: Error) =>
          error instanceof InvalidQueryError &&
          /^session\.get\(\): Team has no relationship 'team'\. Its relationships are: heroes\.$/.test(
            error.message,
          ),
      )
    })
  })
}
