/**
 * Subqueries on every dialect of DIALECTS: exists() and not(exists()), correlated or not; column.in() and
 * notIn() of a select; scalar subqueries as columns (decoded as their column is) and in comparisons; the
 * relationship predicates any() and has(), compiled to EXISTS; counting a query that has them; and one
 * statement per shape, with the values of the subqueries and of the enclosing query bound in order.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  alias,
  avg,
  count,
  exists,
  InvalidQueryError,
  max,
  not,
  select,
  Session,
  type Select,
} from 'onemodel-ts'
import { connectedDatabase, declareConnected, RESCUE_DUE, PATROL_DUE } from '../support/connected.ts'
import { DIALECTS } from '../support/dialects.ts'

const HERO_COLUMNS = '"hero"."id", "hero"."name", "hero"."age", "hero"."team_id"'

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: subqueries`, () => {
    const db = connectedDatabase(dialect)

    test('exists() of a correlated select, and not(exists())', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      const hasOlder = (age: number) =>
        exists(select(Hero).correlate(Team).where(Hero.c.team_id.eq(Team.c.id), Hero.c.age.gt(age)))
      log.length = 0
      assert.deepEqual(await session.exec(select(Team.c.name).where(hasOlder(20))).all(), ['Preventers'])
      const teams = await session
        .exec(
          select(Team.c.name)
            .where(not(hasOlder(20)))
            .orderBy(Team.c.id),
        )
        .all()
      assert.deepEqual(teams, ['Z-Force', 'Lonely Ones'])
      assert.deepEqual(log, [
        `select "team"."name" from "team" where exists (select ${HERO_COLUMNS} from "hero" where ("hero"."team_id" = "team"."id" and "hero"."age" > ?)) -- 1 parameter`,
        `select "team"."name" from "team" where not exists (select ${HERO_COLUMNS} from "hero" where ("hero"."team_id" = "team"."id" and "hero"."age" > ?)) order by "team"."id" asc -- 1 parameter`,
      ])
    })

    test('exists() of an uncorrelated select holds for every row or for none', async () => {
      const { Team, Mission, engine } = db()
      await using session = new Session(engine)
      const anyDone = (done: boolean, title: string) =>
        exists(select(Mission.c.id).where(Mission.c.done.eq(done), Mission.c.title.eq(title)))
      assert.equal(await session.count(select(Team).where(anyDone(true, 'Rescue'))), 3)
      assert.equal(await session.count(select(Team).where(anyDone(true, 'Patrol'))), 0)
    })

    test('in() and notIn() of a one-column select; notIn keeps SQL’s answer for a null key', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      const zForce = select(Team.c.id).where(Team.c.name.eq('Z-Force'))
      log.length = 0
      assert.deepEqual(await session.exec(select(Hero.c.name).where(Hero.c.team_id.in(zForce))).all(), [
        'Spider-Boy',
      ])
      const others = await session
        .exec(select(Hero.c.name).where(Hero.c.team_id.notIn(zForce)).orderBy(Hero.c.id))
        .all()
      assert.deepEqual(others, ['Deadpond', 'Rusty-Man'], 'Tarantula, with no team, is neither in nor not in')
      assert.deepEqual(log, [
        'select "hero"."name" from "hero" where "hero"."team_id" in (select "team"."id" from "team" where "team"."name" = ?) -- 1 parameter',
        'select "hero"."name" from "hero" where "hero"."team_id" not in (select "team"."id" from "team" where "team"."name" = ?) order by "hero"."id" asc -- 1 parameter',
      ])
    })

    test('a scalar subquery as a labelled column: a count per row, a number on every dialect', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      const heroes = select(count()).selectFrom(Hero).correlate(Team).where(Hero.c.team_id.eq(Team.c.id))
      log.length = 0
      const rows = await session
        .exec(select(Team.c.name, heroes.scalarSubquery().as('heroes')).orderBy(Team.c.id))
        .all()
      assert.deepEqual(rows, [
        ['Preventers', 2],
        ['Z-Force', 1],
        ['Lonely Ones', 0],
      ])
      assert.deepEqual(log, [
        'select "team"."name", (select count(*) as "count_1" from "hero" where "hero"."team_id" = "team"."id") as "heroes" from "team" order by "team"."id" asc',
      ])
    })

    test('a scalar subquery of a column is decoded as the column, and null where it finds no row', async () => {
      const { Hero, Mission, engine } = db()
      await using session = new Session(engine)
      const mission = select(Mission.c.done).correlate(Hero).where(Mission.c.hero_id.eq(Hero.c.id))
      const due = select(max(Mission.c.due)).correlate(Hero).where(Mission.c.hero_id.eq(Hero.c.id))
      const rows = await session
        .exec(select(Hero.c.name, mission.scalarSubquery(), due.scalarSubquery()).orderBy(Hero.c.id))
        .all()
      assert.deepEqual(rows, [
        ['Deadpond', null, null],
        ['Rusty-Man', true, RESCUE_DUE],
        ['Spider-Boy', false, PATROL_DUE],
        ['Tarantula', null, null],
      ])
    })

    test('a scalar subquery in a comparison, correlated or not', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      const heroes = select(count()).selectFrom(Hero).correlate(Team).where(Hero.c.team_id.eq(Team.c.id))
      assert.deepEqual(await session.exec(select(Team.c.name).where(heroes.scalarSubquery().gt(1))).all(), [
        'Preventers',
      ])
      log.length = 0
      const averageAge = select(avg(Hero.c.age)).scalarSubquery()
      const older = await session.exec(select(Hero.c.name).where(Hero.c.age.gt(averageAge))).all()
      assert.deepEqual(older, ['Rusty-Man'])
      assert.deepEqual(log, [
        'select "hero"."name" from "hero" where "hero"."age" > (select avg("hero"."age") as "avg_1" from "hero")',
      ])
    })

    test('a correlated scalar subquery as an item reads its correlated table, as its type says', async () => {
      const { Hero, Team, engine } = db()
      await using session = new Session(engine)
      const heroes = select(count()).selectFrom(Hero).correlate(Team).where(Hero.c.team_id.eq(Team.c.id))
      const rows = await session
        .exec(select(heroes.scalarSubquery()).where(Team.c.name.eq('Preventers')))
        .all()
      assert.deepEqual(rows, [2])
    })

    test('a grouped count as a scalar subquery is 0 where it finds no group, as its type says', async () => {
      const { Hero, Team, engine } = db()
      await using session = new Session(engine)
      const heroes = select(count())
        .selectFrom(Hero)
        .correlate(Team)
        .where(Hero.c.team_id.eq(Team.c.id))
        .groupBy(Hero.c.team_id)
      const rows = await session.exec(select(Team.c.name, heroes.scalarSubquery()).orderBy(Team.c.id)).all()
      assert.deepEqual(rows, [
        ['Preventers', 2],
        ['Z-Force', 1],
        ['Lonely Ones', 0],
      ])
    })

    test('in() of a paged select, which MySQL takes only through a derived table', async () => {
      const { Hero, Team, engine } = db()
      await using session = new Session(engine)
      const firstTeam = select(Team.c.id).orderBy(Team.c.id).limit(1)
      const names = await session
        .exec(select(Hero.c.name).where(Hero.c.team_id.in(firstTeam)).orderBy(Hero.c.id))
        .all()
      assert.deepEqual(names, ['Deadpond', 'Rusty-Man'])
    })

    test('a correlated select run on its own is refused, naming where it can run', async () => {
      const { Hero, Team, engine } = db()
      await using session = new Session(engine)
      const heroes = select(count()).selectFrom(Hero).correlate(Team).where(Hero.c.team_id.eq(Team.c.id))
      const refused =
        /select\(…\)\.correlate\(Team\): a correlated select refers to a table of an enclosing query, so it runs only inside one: exists\(query\), column\.in\(query\) or query\.scalarSubquery\(\)\./
      // @ts-expect-error: the types refuse it too
      await assert.rejects(session.exec(heroes).all(), refused)
      // @ts-expect-error: and its count
      await assert.rejects(session.count(heroes), refused)
    })

    test('a scalar subquery over an alias of the enclosing table: teammates per hero', async () => {
      const { Hero, engine } = db()
      await using session = new Session(engine)
      const Mate = alias(Hero, 'mate')
      const teammates = select(count())
        .selectFrom(Mate)
        .correlate(Hero)
        .where(Mate.c.team_id.eq(Hero.c.team_id))
      const rows = await session
        .exec(select(Hero.c.name, teammates.scalarSubquery()).orderBy(Hero.c.id))
        .all()
      assert.deepEqual(rows, [
        ['Deadpond', 2],
        ['Rusty-Man', 2],
        ['Spider-Boy', 1],
        ['Tarantula', 0],
      ])
    })

    test('any() of a collection, with and without a condition, is EXISTS', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      const teams = (query: Select<typeof Team>) =>
        session
          .exec(query.orderBy(Team.c.id))
          .all()
          .then((rows) => rows.map((team) => team.name))
      log.length = 0
      assert.deepEqual(await teams(select(Team).where(Team.rel.heroes.any())), ['Preventers', 'Z-Force'])
      assert.deepEqual(await teams(select(Team).where(Team.rel.heroes.any(Hero.c.age.gt(40)))), [
        'Preventers',
      ])
      assert.deepEqual(await teams(select(Team).where(not(Team.rel.heroes.any()))), ['Lonely Ones'])
      assert.deepEqual(log, [
        'select "team"."id", "team"."name" from "team" where exists (select 1 as "one" from "hero" where "hero"."team_id" = "team"."id") order by "team"."id" asc',
        'select "team"."id", "team"."name" from "team" where exists (select 1 as "one" from "hero" where ("hero"."team_id" = "team"."id" and "hero"."age" > ?)) order by "team"."id" asc -- 1 parameter',
        'select "team"."id", "team"."name" from "team" where not exists (select 1 as "one" from "hero" where "hero"."team_id" = "team"."id") order by "team"."id" asc',
      ])
    })

    test('has() of a many-to-one, with and without a condition, is EXISTS', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      const names = (query: Select<typeof Hero>) =>
        session
          .exec(query.orderBy(Hero.c.id))
          .all()
          .then((rows) => rows.map((hero) => hero.name))
      log.length = 0
      assert.deepEqual(await names(select(Hero).where(Hero.rel.team.has())), [
        'Deadpond',
        'Rusty-Man',
        'Spider-Boy',
      ])
      assert.deepEqual(await names(select(Hero).where(Hero.rel.team.has(Team.c.name.eq('Z-Force')))), [
        'Spider-Boy',
      ])
      assert.deepEqual(log, [
        `select ${HERO_COLUMNS} from "hero" where exists (select 1 as "one" from "team" where "hero"."team_id" = "team"."id") order by "hero"."id" asc`,
        `select ${HERO_COLUMNS} from "hero" where exists (select 1 as "one" from "team" where ("hero"."team_id" = "team"."id" and "team"."name" = ?)) order by "hero"."id" asc -- 1 parameter`,
      ])
    })

    test("any() in a query that joins the collection's table reads its own rows, not the joined one", async () => {
      const { Hero, Team, engine } = db()
      await using session = new Session(engine)
      const rows = await session
        .exec(
          select(Team.c.name, Hero.c.name)
            .join(Hero)
            .where(Team.rel.heroes.any(Hero.c.age.gt(40)))
            .orderBy(Hero.c.id),
        )
        .all()
      assert.deepEqual(rows, [
        ['Preventers', 'Deadpond'],
        ['Preventers', 'Rusty-Man'],
      ])
    })

    test('session.count() counts a query filtered by a subquery', async () => {
      const { Hero, Team, engine } = db()
      await using session = new Session(engine)
      assert.equal(await session.count(select(Team).where(Team.rel.heroes.any())), 2)
      assert.equal(await session.count(select(Hero).where(Hero.c.team_id.notIn(select(Team.c.id)))), 0)
    })

    test('subqueries of one shape are built once; their values bind in order with the outer query’s', async (t) => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      const olderThan = (age: number, without: string) =>
        select(
          Team.c.name,
          select(count())
            .selectFrom(Hero)
            .correlate(Team)
            .where(Hero.c.team_id.eq(Team.c.id), Hero.c.age.gt(age))
            .scalarSubquery()
            .as('older'),
        )
          .where(Team.c.name.ne(without), Team.rel.heroes.any(Hero.c.age.lt(age + 100)))
          .orderBy(Team.c.id)
      assert.deepEqual(await session.exec(olderThan(20, 'Z-Force')).all(), [['Preventers', 1]])
      const built = t.mock.method(engine.db, 'selectFrom')
      log.length = 0
      assert.deepEqual(await session.exec(olderThan(10, 'Preventers')).all(), [['Z-Force', 1]])
      assert.deepEqual(await session.exec(olderThan(10, 'Lonely Ones')).all(), [
        ['Preventers', 1],
        ['Z-Force', 1],
      ])
      assert.equal(built.mock.callCount(), 0, 'later queries of the shape only bind their values')
      assert.deepEqual(log.length, 2)
      assert.deepEqual(new Set(log).size, 1, 'one statement text')
      assert.match(log[0]!, / -- 3 parameters$/)
    })

    test('ordering by a subquery with a value, nulls last, is built once on every dialect', async (t) => {
      const { Hero, Mission, engine } = db()
      await using session = new Session(engine)
      const byMissions = (after: number) =>
        select(Hero.c.name).orderBy(
          select(count())
            .selectFrom(Mission)
            .correlate(Hero)
            .where(Mission.c.hero_id.eq(Hero.c.id), Mission.c.hero_id.gt(after))
            .scalarSubquery()
            .desc()
            .nullsLast(),
          Hero.c.id,
        )
      assert.deepEqual(await session.exec(byMissions(0)).all(), [
        'Rusty-Man',
        'Spider-Boy',
        'Deadpond',
        'Tarantula',
      ])
      const built = t.mock.method(engine.db, 'selectFrom')
      assert.deepEqual(await session.exec(byMissions(2)).all(), [
        'Spider-Boy',
        'Deadpond',
        'Rusty-Man',
        'Tarantula',
      ])
      assert.equal(built.mock.callCount(), 0)
    })
  })
}

describe('a subquery used as a value has one column', () => {
  const { Hero, Team } = declareConnected()

  test('a select of rows or of several items cannot be a scalar subquery', () => {
    const message =
      'select(…).scalarSubquery(): a scalar subquery selects one column or expression, as select(count()) or select(Hero.c.name).'
    assert.throws(() => select(Hero).scalarSubquery(), { name: 'InvalidQueryError', message })
    assert.throws(() => select(Hero.c.name, Hero.c.age).scalarSubquery(), InvalidQueryError)
    assert.throws(() => select(Hero, Team).scalarSubquery(), InvalidQueryError)
  })

  test('in() and notIn() of a select of rows or of several columns are refused, as scalarSubquery() refuses them', () => {
    // The types refuse both; a caller the types do not reach gets the error at once, not from the database.
    // @ts-expect-error: a select of rows is not a list of values
    assert.throws(() => Hero.c.team_id.in(select(Team)), InvalidQueryError)
    // @ts-expect-error: nor is a select of two columns
    assert.throws(() => Hero.c.team_id.notIn(select(Team.c.id, Team.c.name)), InvalidQueryError)
  })
})
