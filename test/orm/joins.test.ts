/**
 * Reading connected data (SQLModel's "Read connected data" and "Joins") on every dialect of DIALECTS:
 * tuples of rows and of columns, joins by foreign key, by ON condition and by relationship, left joins and
 * their nulls, aliases for self-joins and for a table joined twice, the rows a tuple holds in the Session's
 * identity map, counting a join, one statement per shape, and the errors a join that cannot be resolved
 * gives, naming the tables and what to write instead.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { alias, and, count, InvalidQueryError, select, Session } from 'onemodel-ts'
import { connectedDatabase, declareConnected, PATROL_DUE, RESCUE_DUE } from '../support/connected.ts'
import { DIALECTS } from '../support/dialects.ts'

const HERO_COLUMNS = '"hero"."id", "hero"."name", "hero"."age", "hero"."team_id"'
const HERO_AND_TEAM = `${HERO_COLUMNS}, "team"."id", "team"."name"`

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: joins`, () => {
    const db = connectedDatabase(dialect)

    /** `[hero name, team name]` of each pair, to compare results at a glance. */
    const names = (pairs: readonly [{ name: string }, { name: string } | null][]) =>
      pairs.map(([hero, team]) => [hero.name, team?.name ?? null])

    test('select(Hero, Team) with a where reads both tables, as SQLModel reads connected data', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      log.length = 0
      const pairs = await session
        .exec(select(Hero, Team).where(Hero.c.team_id.eq(Team.c.id)).orderBy(Hero.c.id))
        .all()
      assert.deepEqual(names(pairs), [
        ['Deadpond', 'Preventers'],
        ['Rusty-Man', 'Preventers'],
        ['Spider-Boy', 'Z-Force'],
      ])
      assert.deepEqual(log, [
        `select ${HERO_AND_TEAM} from "hero", "team" where "hero"."team_id" = "team"."id" order by "hero"."id" asc`,
      ])
    })

    test('a join after two tables read without one: every ON condition sees the tables before it', async () => {
      const { Hero, Team, Mission, engine, log } = db()
      await using session = new Session(engine)
      log.length = 0
      const rows = await session
        .exec(
          select(Hero.c.name, Team.c.name, Mission.c.title)
            .join(Mission)
            .where(Hero.c.team_id.eq(Team.c.id))
            .orderBy(Mission.c.id),
        )
        .all()
      assert.deepEqual(rows, [
        ['Rusty-Man', 'Preventers', 'Rescue'],
        ['Spider-Boy', 'Z-Force', 'Patrol'],
      ])
      assert.deepEqual(log, [
        'select "hero"."name", "team"."name", "mission"."title" from "hero" cross join "team" inner join "mission" on "mission"."hero_id" = "hero"."id" where "hero"."team_id" = "team"."id" order by "mission"."id" asc',
      ])
    })

    test('an alias named as another table of the query is refused, not read as that table', async () => {
      const { Hero, Team, engine } = db()
      await using session = new Session(engine)
      const Fake = alias(Team, 'hero')
      const clash =
        /Hero and alias\(Team, 'hero'\) both go by 'hero' in the query\. Give the alias a name no other table of the query has\./
      await assert.rejects(session.exec(select(Hero, Fake).where(Hero.c.id.eq(4))).all(), clash)
      assert.throws(() => select(Hero).join(Fake, Hero.c.team_id.eq(Fake.c.id)), /both go by 'hero'/)
      assert.equal(await session.get(Team, 4), undefined, 'no team row was made from a hero')
    })

    test('forUpdate() on aggregates or a left join is refused on every dialect, naming what to lock', async () => {
      const { Hero, Team, engine } = db()
      await using session = new Session(engine)
      await assert.rejects(
        session.exec(select(count()).selectFrom(Hero).forUpdate()).all(),
        /a query of aggregates, groups or distinct rows reads no single row to lock/,
      )
      await assert.rejects(
        session.exec(select(Hero, Team).leftJoin(Team).forUpdate()).all(),
        /a left join may find no row of its table to lock/,
      )
      await session.rollback()
    })

    test('join(Team) takes its ON condition from the foreign key, and drops the hero with no team', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      log.length = 0
      const pairs = await session.exec(select(Hero, Team).join(Team).orderBy(Hero.c.id)).all()
      assert.deepEqual(names(pairs), [
        ['Deadpond', 'Preventers'],
        ['Rusty-Man', 'Preventers'],
        ['Spider-Boy', 'Z-Force'],
      ])
      assert.deepEqual(log, [
        `select ${HERO_AND_TEAM} from "hero" inner join "team" on "hero"."team_id" = "team"."id" order by "hero"."id" asc`,
      ])
    })

    test('the foreign key is found from either side, whichever table the query reads first', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      log.length = 0
      const rows = await session.exec(select(Team.c.name, Hero.c.name).join(Hero).orderBy(Hero.c.id)).all()
      assert.deepEqual(rows, [
        ['Preventers', 'Deadpond'],
        ['Preventers', 'Rusty-Man'],
        ['Z-Force', 'Spider-Boy'],
      ])
      assert.deepEqual(log, [
        'select "team"."name", "hero"."name" from "team" inner join "hero" on "hero"."team_id" = "team"."id" order by "hero"."id" asc',
      ])
    })

    test('an explicit ON condition is used as written, its values bound', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      log.length = 0
      const onPreventers = and(Hero.c.team_id.eq(Team.c.id), Team.c.name.eq('Preventers'))
      const rows = await session.exec(select(Hero.c.name).join(Team, onPreventers).orderBy(Hero.c.id)).all()
      assert.deepEqual(rows, ['Deadpond', 'Rusty-Man'])
      assert.deepEqual(log, [
        'select "hero"."name" from "hero" inner join "team" on ("hero"."team_id" = "team"."id" and "team"."name" = ?) order by "hero"."id" asc -- 1 parameter',
      ])
    })

    test('a join follows a declared relationship, from either side', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      log.length = 0
      const preventers = await session
        .exec(select(Hero).join(Hero.rel.team).where(Team.c.name.eq('Preventers')).orderBy(Hero.c.id))
        .all()
      assert.deepEqual(
        preventers.map((hero) => hero.name),
        ['Deadpond', 'Rusty-Man'],
      )
      const withAdults = await session.exec(select(Team).join(Team.rel.heroes).where(Hero.c.age.gt(40))).all()
      assert.deepEqual(
        withAdults.map((team) => team.name),
        ['Preventers'],
      )
      assert.deepEqual(log, [
        `select ${HERO_COLUMNS} from "hero" inner join "team" on "hero"."team_id" = "team"."id" where "team"."name" = ? order by "hero"."id" asc -- 1 parameter`,
        'select "team"."id", "team"."name" from "team" inner join "hero" on "hero"."team_id" = "team"."id" where "hero"."age" > ? -- 1 parameter',
      ])
    })

    test('a selected table may come first: joining it moves it from FROM into the join', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      log.length = 0
      const pairs = await session.exec(select(Team, Hero).join(Hero.rel.team).orderBy(Hero.c.id)).all()
      assert.deepEqual(
        pairs.map(([team, hero]) => [team.name, hero.name]),
        [
          ['Preventers', 'Deadpond'],
          ['Preventers', 'Rusty-Man'],
          ['Z-Force', 'Spider-Boy'],
        ],
      )
      assert.deepEqual(log, [
        `select "team"."id", "team"."name", ${HERO_COLUMNS} from "hero" inner join "team" on "hero"."team_id" = "team"."id" order by "hero"."id" asc`,
      ])
    })

    test('leftJoin keeps every row, with null for the table where no row meets the ON condition', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      log.length = 0
      const pairs = await session.exec(select(Hero, Team).leftJoin(Team).orderBy(Hero.c.id)).all()
      assert.deepEqual(names(pairs), [
        ['Deadpond', 'Preventers'],
        ['Rusty-Man', 'Preventers'],
        ['Spider-Boy', 'Z-Force'],
        ['Tarantula', null],
      ])
      assert.equal(pairs[3]![1], null, 'null itself, not an empty row')
      const teams = await session
        .exec(select(Team.c.name, Hero.c.name).leftJoin(Team.rel.heroes).orderBy(Team.c.id, Hero.c.id))
        .all()
      assert.deepEqual(teams, [
        ['Preventers', 'Deadpond'],
        ['Preventers', 'Rusty-Man'],
        ['Z-Force', 'Spider-Boy'],
        ['Lonely Ones', null],
      ])
      assert.deepEqual(log, [
        `select ${HERO_AND_TEAM} from "hero" left join "team" on "hero"."team_id" = "team"."id" order by "hero"."id" asc`,
        'select "team"."name", "hero"."name" from "team" left join "hero" on "hero"."team_id" = "team"."id" order by "team"."id" asc, "hero"."id" asc',
      ])
    })

    test("a left join's ON condition filters the joined table, not the rows kept", async () => {
      const { Hero, Team, engine } = db()
      await using session = new Session(engine)
      const notZForce = and(Hero.c.team_id.eq(Team.c.id), Team.c.name.ne('Z-Force'))
      const rows = await session
        .exec(select(Hero.c.name, Team.c.name).leftJoin(Team, notZForce).orderBy(Hero.c.id))
        .all()
      assert.deepEqual(rows, [
        ['Deadpond', 'Preventers'],
        ['Rusty-Man', 'Preventers'],
        ['Spider-Boy', null],
        ['Tarantula', null],
      ])
    })

    test('the rows of a tuple are the Session’s: one object per row, the one get() answers', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      const held = await session.get(Hero, 3)
      const pairs = await session.exec(select(Hero, Team).join(Team).orderBy(Hero.c.id)).all()
      const [[deadpond, preventers], [rustyMan, preventersAgain], [spiderBoy]] = pairs
      assert.equal(preventers, preventersAgain, 'a team read twice is one object')
      assert.equal(spiderBoy, held, 'a row the Session held before the query is the one in the tuple')
      log.length = 0
      assert.equal(await session.get(Hero, 1), deadpond)
      assert.equal(await session.get(Team, 1), preventers)
      assert.deepEqual(log, [], 'get() finds them in the identity map, without a query')
      rustyMan.age = 49
      await session.flush()
      assert.deepEqual(log, ['update "hero" set "age" = ? where "id" = ? -- 2 parameters'])
      await session.rollback()
    })

    test('rows added and not yet flushed are found: the query flushes first (autoflush)', async () => {
      const { Hero, Team, engine } = db()
      await using session = new Session(engine)
      const rookie = Hero.create({ name: 'Rookie', age: 19, team_id: 2 })
      session.add(rookie)
      const rows = await session.exec(select(Hero.c.name).join(Team).where(Team.c.name.eq('Z-Force'))).all()
      assert.deepEqual(rows.toSorted(), ['Rookie', 'Spider-Boy'])
      const [[hero]] = await session.exec(select(Hero, Team).join(Team).where(Hero.c.name.eq('Rookie'))).all()
      assert.equal(hero, rookie, 'the object added is the one the tuple holds')
      await session.rollback()
    })

    test('values keep their JavaScript types in a column select: booleans, dates, nulls', async () => {
      const { Hero, Mission, engine } = db()
      await using session = new Session(engine)
      const rows = await session
        .exec(
          select(Hero.c.name, Hero.c.age, Mission.c.done, Mission.c.due).join(Mission).orderBy(Mission.c.id),
        )
        .all()
      assert.deepEqual(rows, [
        ['Rusty-Man', 48, true, RESCUE_DUE],
        ['Spider-Boy', 16, false, PATROL_DUE],
      ])
      assert.ok(rows[0]![3] instanceof Date)
      const ages = await session.exec(select(Hero.c.age).orderBy(Hero.c.id)).all()
      assert.deepEqual(ages, [null, 48, 16, 32])
    })

    test('an alias reads a table a second time: a self-join', async () => {
      const { Hero, engine, log } = db()
      const Mate = alias(Hero, 'mate')
      await using session = new Session(engine)
      log.length = 0
      const teammates = and(Hero.c.team_id.eq(Mate.c.team_id), Hero.c.id.lt(Mate.c.id))
      const rows = await session.exec(select(Hero.c.name, Mate.c.name).join(Mate, teammates)).all()
      assert.deepEqual(rows, [['Deadpond', 'Rusty-Man']])
      assert.deepEqual(log, [
        'select "hero"."name", "mate"."name" from "hero" inner join "hero" as "mate" on ("hero"."team_id" = "mate"."team_id" and "hero"."id" < "mate"."id")',
      ])
      const [[hero, mate]] = await session.exec(select(Hero, Mate).join(Mate, teammates)).all()
      assert.equal(mate, await session.get(Hero, 2), "an alias's rows are the table's rows, held once")
      assert.equal(hero, await session.get(Hero, 1))
    })

    test('aliases join one table twice, by foreign key or by ON condition', async () => {
      const { Hero, Team, Match, engine, log } = db()
      const Home = alias(Team, 'home')
      const Away = alias(Team, 'away')
      await using session = new Session(engine)
      log.length = 0
      const fixtures = await session
        .exec(
          select(Home.c.name, Away.c.name)
            .selectFrom(Match)
            .join(Home, Match.c.home_id.eq(Home.c.id))
            .join(Away, Match.c.away_id.eq(Away.c.id)),
        )
        .all()
      assert.deepEqual(fixtures, [['Preventers', 'Z-Force']])
      const heroes = await session.exec(select(Hero.c.name).join(Home).where(Home.c.name.eq('Z-Force'))).all()
      assert.deepEqual(heroes, ['Spider-Boy'])
      assert.deepEqual(log, [
        'select "home"."name", "away"."name" from "match" inner join "team" as "home" on "match"."home_id" = "home"."id" inner join "team" as "away" on "match"."away_id" = "away"."id"',
        'select "hero"."name" from "hero" inner join "team" as "home" on "hero"."team_id" = "home"."id" where "home"."name" = ? -- 1 parameter',
      ])
    })

    test('items mix rows, columns and expressions; the result is iterable', async () => {
      const { Hero, Team, Mission, engine } = db()
      await using session = new Session(engine)
      const Mate = alias(Hero, 'mate')
      const missions = select(count())
        .selectFrom(Mission)
        .correlate(Hero)
        .where(Mission.c.hero_id.eq(Hero.c.id))
      const query = select(Team, Hero.c.name, Mate.c.name, missions.scalarSubquery().as('missions'))
        .join(Hero)
        .leftJoin(Mate, and(Mate.c.team_id.eq(Hero.c.team_id), Mate.c.id.ne(Hero.c.id)))
        .orderBy(Hero.c.id)
      const seen: unknown[] = []
      for (const [team, hero, mate, tally] of await session.exec(query))
        seen.push([team.name, hero, mate, tally])
      assert.deepEqual(seen, [
        ['Preventers', 'Deadpond', 'Rusty-Man', 0],
        ['Preventers', 'Rusty-Man', 'Deadpond', 1],
        ['Z-Force', 'Spider-Boy', null, 1],
      ])
    })

    test('values are bound, never written into the SQL text', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      const sly = "Preventers' or '1'='1"
      log.length = 0
      const rows = await session
        .exec(
          select(Hero.c.name)
            .join(Team, and(Hero.c.team_id.eq(Team.c.id), Team.c.name.ne(sly)))
            .where(
              Team.rel.heroes.any(Hero.c.name.eq(sly)),
              Hero.c.name.in(select(Hero.c.name).where(Hero.c.name.eq(sly))),
            ),
        )
        .all()
      assert.deepEqual(rows, [])
      assert.equal(log.length, 1)
      assert.ok(!log[0]!.includes("'"), log[0])
      assert.match(log[0]!, / -- 3 parameters$/)
    })

    test('session.count() counts the rows of a join, inner or left', async () => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      assert.equal(await session.count(select(Hero, Team).join(Team)), 3)
      log.length = 0
      assert.equal(await session.count(select(Hero, Team).leftJoin(Team).orderBy(Hero.c.id).limit(1)), 4)
      assert.equal(await session.count(select(Hero).join(Team).where(Team.c.name.eq('Preventers'))), 2)
      assert.deepEqual(log, [
        'select count(*) as "count" from (select "hero"."id" as "c0", "hero"."name" as "c1", "hero"."age" as "c2", "hero"."team_id" as "c3", "team"."id" as "c4", "team"."name" as "c5" from "hero" left join "team" on "hero"."team_id" = "team"."id") as "counted"',
        `select count(*) as "count" from (select ${HERO_COLUMNS} from "hero" inner join "team" on "hero"."team_id" = "team"."id" where "team"."name" = ?) as "counted" -- 1 parameter`,
      ])
    })

    test('a join of one shape is built once: other values bind to the same statement', async (t) => {
      const { Hero, Team, engine, log } = db()
      await using session = new Session(engine)
      const ofTeam = (team: string, age: number) =>
        select(Hero.c.name, Team.c.name)
          .leftJoin(Team, and(Hero.c.team_id.eq(Team.c.id), Team.c.name.eq(team)))
          .where(Hero.c.age.gt(age))
          .orderBy(Hero.c.id)
      assert.deepEqual(await session.exec(ofTeam('Preventers', 20)).all(), [
        ['Rusty-Man', 'Preventers'],
        ['Tarantula', null],
      ])
      const built = t.mock.method(engine.db, 'selectFrom')
      log.length = 0
      assert.deepEqual(await session.exec(ofTeam('Z-Force', 10)).all(), [
        ['Rusty-Man', null],
        ['Spider-Boy', 'Z-Force'],
        ['Tarantula', null],
      ])
      assert.equal(built.mock.callCount(), 0, 'the second query only binds its values')
      assert.deepEqual(log, [
        'select "hero"."name", "team"."name" from "hero" left join "team" on ("hero"."team_id" = "team"."id" and "team"."name" = ?) where "hero"."age" > ? order by "hero"."id" asc -- 2 parameters',
      ])
    })
  })
}

describe('joins that cannot be resolved say why, and what to write', () => {
  const { Hero, Team, Mission, Match } = declareConnected()

  test('no foreign key: the error names both tables and shows the ON condition to pass', () => {
    assert.throws(
      () => select(Team).join(Mission),
      (error: unknown) => {
        assert.ok(error instanceof InvalidQueryError)
        assert.equal(error.code, 'OM_ORM_INVALID_QUERY')
        assert.equal(
          error.message,
          "select(…).join(Mission): no foreign key links 'mission' with team. Pass the ON condition: .join(Mission, Team.c.<column>.eq(Mission.c.<column>)).",
        )
        return true
      },
    )
    assert.throws(
      () => select(Team).leftJoin(Mission),
      /^InvalidQueryError: select\(…\)\.leftJoin\(Mission\): no/,
    )
  })

  test('several foreign keys: the error lists them and shows how to say which', () => {
    assert.throws(() => select(Team).join(Match), {
      name: 'InvalidQueryError',
      message:
        "select(…).join(Match): 2 foreign keys link 'match' with team (match.home_id = team.id; match.away_id = team.id). Say which with the ON condition, as .join(Match, Match.c.home_id.eq(Team.c.id)).",
    })
    const Home = alias(Team, 'home')
    assert.throws(() => select(Match).join(Home), {
      message:
        "select(…).join(alias(Team, 'home')): 2 foreign keys link 'home' with match (match.home_id = home.id; match.away_id = home.id). Say which with the ON condition, as .join(alias(Team, 'home'), Match.c.home_id.eq(alias(Team, 'home').c.id)).",
    })
  })

  test('a table the query reads already: the error says to join an alias', () => {
    const twice =
      /the query reads 'team' already\. To read the table a second time, join an alias: const Other = alias\(Team, 'other'\)\./
    assert.throws(() => select(Hero, Team).join(Team).join(Team), twice)
    assert.throws(() => select(Hero).join(Team).leftJoin(Team, Hero.c.team_id.eq(Team.c.id)), twice)
    assert.throws(() => select(Team).join(Team), twice)
  })

  test('joining the table the other joins hang off is an error at join(), not a query with no FROM', () => {
    const twice =
      /the query reads 'hero' already\. To read the table a second time, join an alias: const Other = alias\(Hero, 'other'\)\./
    assert.throws(() => select(Hero).join(Team).join(Hero), twice)
    assert.throws(() => select(Hero, Team).join(Hero.rel.team).join(Team.rel.heroes), twice)
    // Mission stays in FROM, but the join of team reads hero, which would then come after it.
    assert.throws(
      () => select(Hero, Team, Mission).join(Team).join(Hero, Mission.c.hero_id.eq(Hero.c.id)),
      /an earlier join's ON condition reads 'hero', so it must stay first\. To read the table a second time, join an alias/,
    )
  })

  test('a join on a query that reads no table yet says to name one with selectFrom()', () => {
    assert.throws(() => select(count()).join(Hero), /reads no table.*selectFrom\(/)
  })

  test('an alias needs a name of its own, usable as an identifier', () => {
    assert.throws(() => alias(Hero, 'hero'), {
      name: 'InvalidQueryError',
      message: "alias(Hero, 'hero'): 'hero' is the table's own name. Give the alias another name.",
    })
    assert.throws(
      () => alias(Hero, 'mate"; drop table hero; --'),
      /^InvalidQueryError: alias\(Hero, "mate\\"; drop/,
    )
  })
})
