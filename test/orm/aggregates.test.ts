/**
 * Aggregates on every dialect of DIALECTS: count, countDistinct, sum, avg, min and max and the JavaScript
 * values they come back as (numbers, never the strings PostgreSQL's bigint and numeric and MySQL's decimal
 * arrive as), labels, groupBy, having, distinct, ordering by expressions with nulls first or last (emulated
 * on MySQL, whose SQL is asserted apart), session.count() of grouped and distinct selects, and one
 * statement per shape.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  avg,
  count,
  countDistinct,
  InvalidQueryError,
  max,
  min,
  select,
  Session,
  sum,
  type OrderTerm,
} from 'onemodel-ts'
import { connectedDatabase, declareConnected, PATROL_DUE } from '../support/connected.ts'
import { DIALECTS } from '../support/dialects.ts'

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: aggregates`, () => {
    const db = connectedDatabase(dialect)

    test('count, countDistinct, sum, avg, min and max of every row, as numbers and values', async () => {
      const { Hero, engine, log } = db()
      await using session = new Session(engine)
      log.length = 0
      const totals = await session
        .exec(
          select(
            count(),
            count(Hero.c.age),
            countDistinct(Hero.c.team_id),
            sum(Hero.c.age),
            avg(Hero.c.age),
            min(Hero.c.name),
            max(Hero.c.age),
          ).selectFrom(Hero),
        )
        .one()
      // deepEqual is strict: '96' from a driver would not equal 96.
      assert.deepEqual(totals, [4, 3, 2, 96, 32, 'Deadpond', 48])
      assert.deepEqual(log, [
        'select count(*) as "count_1", count("hero"."age") as "count_2", count(distinct "hero"."team_id") as "count_3", sum("hero"."age") as "sum_4", avg("hero"."age") as "avg_5", min("hero"."name") as "min_6", max("hero"."age") as "max_7" from "hero"',
      ])
    })

    test('one aggregate alone gives its value, not a tuple', async () => {
      const { Hero, engine } = db()
      await using session = new Session(engine)
      assert.equal(await session.exec(select(count()).selectFrom(Hero)).one(), 4)
      assert.equal(await session.exec(select(max(Hero.c.age))).one(), 48)
    })

    test('of no row: count is 0, the others null', async () => {
      const { Hero, engine } = db()
      await using session = new Session(engine)
      const none = await session
        .exec(
          select(count(), sum(Hero.c.age), avg(Hero.c.age), min(Hero.c.name), max(Hero.c.age)).where(
            Hero.c.id.gt(100),
          ),
        )
        .one()
      assert.deepEqual(none, [0, null, null, null, null])
    })

    test('avg keeps its fraction, and min and max keep their column’s type: a date is a Date', async () => {
      const { Hero, Team, Mission, engine } = db()
      await using session = new Session(engine)
      const byTeam = await session
        .exec(select(Team.c.name, avg(Hero.c.id)).join(Hero).groupBy(Team.c.name).orderBy(Team.c.name))
        .all()
      assert.deepEqual(byTeam, [
        ['Preventers', 1.5],
        ['Z-Force', 3],
      ])
      const [first, last] = await session.exec(select(min(Mission.c.title), max(Mission.c.due))).one()
      assert.equal(first, 'Patrol')
      assert.ok(last instanceof Date)
      assert.deepEqual(last, PATROL_DUE)
    })

    test('groupBy with a labelled count: one row per group, an empty team counted 0 through a left join', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      const heroes = count(Hero.c.id).as('heroes')
      log.length = 0
      const rows = await session
        .exec(select(Team.c.name, heroes).leftJoin(Hero).groupBy(Team.c.id, Team.c.name).orderBy(Team.c.id))
        .all()
      assert.deepEqual(rows, [
        ['Preventers', 2],
        ['Z-Force', 1],
        ['Lonely Ones', 0],
      ])
      assert.deepEqual(log, [
        'select "team"."name", count("hero"."id") as "heroes" from "team" left join "hero" on "hero"."team_id" = "team"."id" group by "team"."id", "team"."name" order by "team"."id" asc',
      ])
    })

    test('having keeps the groups whose aggregate meets the condition, its value bound', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      log.length = 0
      const rows = await session
        .exec(select(Team.c.name).join(Hero).groupBy(Team.c.name).having(count(Hero.c.id).gt(1)))
        .all()
      assert.deepEqual(rows, ['Preventers'])
      assert.deepEqual(log, [
        'select "team"."name" from "team" inner join "hero" on "hero"."team_id" = "team"."id" group by "team"."name" having count("hero"."id") > ? -- 1 parameter',
      ])
    })

    test('ordering by a labelled aggregate, descending, with a tie-breaker', async () => {
      const { Hero, Team, engine } = db()
      await using session = new Session(engine)
      const heroes = count(Hero.c.id).as('heroes')
      const rows = await session
        .exec(
          select(Team.c.name, heroes).leftJoin(Hero).groupBy(Team.c.name).orderBy(heroes.desc(), Team.c.name),
        )
        .all()
      assert.deepEqual(rows, [
        ['Preventers', 2],
        ['Z-Force', 1],
        ['Lonely Ones', 0],
      ])
    })

    test('sum per group ignores nulls, and is null for a group with nothing to add', async () => {
      const { Hero, Team, engine } = db()
      await using session = new Session(engine)
      const ages = sum(Hero.c.age)
      const rows = await session
        .exec(select(Team.c.name, ages).leftJoin(Hero).groupBy(Team.c.name).orderBy(ages.desc().nullsLast()))
        .all()
      assert.deepEqual(rows, [
        ['Preventers', 48],
        ['Z-Force', 16],
        ['Lonely Ones', null],
      ])
    })

    test('distinct: each result row once', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      log.length = 0
      const teams = await session.exec(select(Team.c.name).join(Hero).distinct().orderBy(Team.c.name)).all()
      assert.deepEqual(teams, ['Preventers', 'Z-Force'])
      assert.deepEqual(log, [
        'select distinct "team"."name" from "team" inner join "hero" on "hero"."team_id" = "team"."id" order by "team"."name" asc',
      ])
    })

    test('session.count() counts the groups of a groupBy and the rows of a distinct select', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      log.length = 0
      assert.equal(await session.count(select(Hero.c.team_id, count()).groupBy(Hero.c.team_id)), 3)
      assert.equal(await session.count(select(Team.c.name).join(Hero).distinct()), 2)
      const crowded = select(Team.c.name).join(Hero).groupBy(Team.c.name).having(count().gte(2))
      assert.equal(await session.count(crowded), 1)
      assert.deepEqual(log, [
        'select count(*) as "count" from (select "hero"."team_id" as "c0", count(*) as "c1" from "hero" group by "hero"."team_id") as "counted"',
        'select count(*) as "count" from (select distinct "team"."name" as "c0" from "team" inner join "hero" on "hero"."team_id" = "team"."id") as "counted"',
        'select count(*) as "count" from (select "team"."name" as "c0" from "team" inner join "hero" on "hero"."team_id" = "team"."id" group by "team"."name" having count(*) >= ?) as "counted" -- 1 parameter',
      ])
    })

    test('nulls first or last, either direction; MySQL, without NULLS FIRST/LAST, sorts on `is null` first', async () => {
      const { Hero, engine, log } = db()
      await using session = new Session(engine)
      const names = (term: OrderTerm<'hero'>) =>
        session.exec(select(Hero.c.name).orderBy(term, Hero.c.id)).all()
      log.length = 0
      assert.deepEqual(await names(Hero.c.age.desc().nullsFirst()), [
        'Deadpond',
        'Rusty-Man',
        'Tarantula',
        'Spider-Boy',
      ])
      assert.deepEqual(await names(Hero.c.age.asc().nullsLast()), [
        'Spider-Boy',
        'Tarantula',
        'Rusty-Man',
        'Deadpond',
      ])
      assert.deepEqual(await names(Hero.c.age.asc().nullsFirst()), [
        'Deadpond',
        'Spider-Boy',
        'Tarantula',
        'Rusty-Man',
      ])
      assert.deepEqual(await names(Hero.c.age.desc().nullsLast()), [
        'Rusty-Man',
        'Tarantula',
        'Spider-Boy',
        'Deadpond',
      ])
      const orders =
        dialect.name === 'mysql'
          ? [
              'is null desc, "hero"."age" desc',
              'is null asc, "hero"."age" asc',
              'is null desc, "hero"."age" asc',
              'is null asc, "hero"."age" desc',
            ]
          : ['desc nulls first', 'asc nulls last', 'asc nulls first', 'desc nulls last']
      assert.deepEqual(
        log,
        orders.map(
          (order) => `select "hero"."name" from "hero" order by "hero"."age" ${order}, "hero"."id" asc`,
        ),
      )
    })

    test('an aggregate query of one shape is built once; a new label is a new statement', async (t) => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      const teamsWith = (heroes: number, label: string) =>
        select(Team.c.name, count(Hero.c.id).as(label))
          .join(Hero)
          .groupBy(Team.c.name)
          .having(count(Hero.c.id).gte(heroes))
          .orderBy(Team.c.name)
      assert.deepEqual(await session.exec(teamsWith(2, 'heroes')).all(), [['Preventers', 2]])
      const built = t.mock.method(engine.db, 'selectFrom')
      log.length = 0
      assert.deepEqual(await session.exec(teamsWith(1, 'heroes')).all(), [
        ['Preventers', 2],
        ['Z-Force', 1],
      ])
      assert.equal(built.mock.callCount(), 0, 'the same shape only binds its values')
      await session.exec(teamsWith(1, 'members')).all()
      assert.equal(built.mock.callCount(), 1, 'another label is another statement')
      assert.deepEqual(
        log.map((line) => line.match(/count\("hero"\."id"\) as "\w+"/)?.[0]),
        ['count("hero"."id") as "heroes"', 'count("hero"."id") as "members"'],
      )
    })
  })
}

describe('labels', () => {
  const { Hero } = declareConnected()

  test('a label is an identifier: anything else is refused before it reaches SQL', () => {
    assert.equal(count(Hero.c.id).as('heroes').label, 'heroes')
    for (const label of ['', '1st', 'two words', 'n"; drop table hero; --']) {
      assert.throws(() => count().as(label), InvalidQueryError, label)
    }
    assert.throws(() => count().as('a b'), {
      message: 'as("a b"): a label must be letters, digits and underscores, starting with a letter or _.',
    })
  })
})
