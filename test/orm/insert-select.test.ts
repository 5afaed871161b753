/**
 * insert(…).fromSelect(): an INSERT … SELECT, on every dialect of DIALECTS. The select's bind parameters
 * take each run's params, a conflict clause and returning() apply as to rows given with values(), and a
 * select that cannot fill the table is refused when the insert is built.
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import {
  bindParam,
  insert,
  IntegrityError,
  InvalidQueryError,
  NotSupportedError,
  select,
  Session,
} from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { refused } from '../support/refused.ts'
import { addTutorialHeroes, heroesDatabase } from '../support/heroes.ts'

type Db = Awaited<ReturnType<typeof heroesDatabase>>

const invalidQuery = (...parts: string[]) => refused(InvalidQueryError, ...parts)

/** A team for each hero older than the `age` param, named after the hero, at the hero's secret name. */
function teamsOfHeroesOlderThan({ Hero, Team }: Db) {
  return insert(Team).fromSelect(
    ['name', 'headquarters'],
    select(Hero.c.name, Hero.c.secret_name).where(Hero.c.age.gt(bindParam('age'))),
  )
}

for (const dialect of DIALECTS) {
  const mysql = dialect.name === 'mysql'
  describe(`${dialect.name}: insert().fromSelect()`, () => {
    // Heroes: 1 Deadpond (age null), 2 Rusty-Man (48), 3 Spider-Boy (16). No team yet.
    let db: Db
    beforeEach(async () => {
      db = await heroesDatabase({ dialect })
      await addTutorialHeroes(db)
      db.log.length = 0
    })
    afterEach(() => db?.engine.dispose())

    async function teams(): Promise<string[][]> {
      await using session = new Session(db.engine)
      const rows = await session.exec(select(db.Team).orderBy(db.Team.c.name)).all()
      return rows.map((team) => [team.name, team.headquarters])
    }

    test('the rows a select reads are inserted by one statement, its parameters bound per run', async () => {
      const { engine, log } = db
      await using session = new Session(engine)
      const teamsOfHeroes = teamsOfHeroesOlderThan(db)
      const { affected } = await session.exec(teamsOfHeroes, { params: { age: 40 } })
      assert.equal(affected, 1)
      assert.equal(log.length, 1, 'one statement')
      assert.match(
        log[0]!,
        /^insert into "team" \("name", "headquarters"\) select "hero"\."name", "hero"\."secret_name" from "hero" where "hero"\."age" > \? -- 1 parameter$/,
      )
      // Rusty-Man again: the unique name refuses the statement, which inserts none of its rows.
      await assert.rejects(session.exec(teamsOfHeroes, { params: { age: 10 } }), IntegrityError)
      assert.deepEqual(await teams(), [['Rusty-Man', 'Tommy Sharp']])
    })

    test('onConflict().doNothing() skips the rows already there, with no WHERE in the select', async () => {
      const { Hero, Team, engine } = db
      await using session = new Session(engine)
      const everyHero = insert(Team)
        .fromSelect(['name', 'headquarters'], select(Hero.c.name, Hero.c.secret_name))
        .onConflict({ target: 'name' })
        .doNothing()
      assert.equal((await session.exec(everyHero)).affected, 3)
      const again = await session.exec(everyHero)
      // MySQL counts the duplicates it matched (the driver asks for found rows).
      assert.equal(again.affected, mysql ? 3 : 0)
      assert.deepEqual(await teams(), [
        ['Deadpond', 'Dive Wilson'],
        ['Rusty-Man', 'Tommy Sharp'],
        ['Spider-Boy', 'Pedro Parqueador'],
      ])
    })

    test('a table can take rows selected from itself, conflicts skipped', async () => {
      const { Team, engine } = db
      await using session = new Session(engine)
      session.add(Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' }))
      await session.commit()
      const mirrored = insert(Team)
        .fromSelect(['name', 'headquarters'], select(Team.c.headquarters, Team.c.name))
        .onConflict({ target: 'name' })
        .doNothing()
      await session.exec(mirrored)
      await session.exec(mirrored)
      assert.deepEqual(await teams(), [
        ['Preventers', 'Sharp Tower'],
        ['Sharp Tower', 'Preventers'],
      ])
    })

    test('onConflict().doUpdate() updates the rows already there from the selected values', async () => {
      const { Hero, Team, engine } = db
      await using session = new Session(engine)
      session.add(Team.create({ name: 'Deadpond', headquarters: 'Unknown' }))
      await session.commit()
      await session.exec(
        insert(Team)
          .fromSelect(
            ['name', 'headquarters'],
            select(Hero.c.name, Hero.c.secret_name).where(Hero.c.id.eq(1)),
          )
          .onConflict({ target: 'name' })
          .doUpdate(['headquarters']),
      )
      assert.deepEqual(await teams(), [['Deadpond', 'Dive Wilson']])
    })

    if (mysql) {
      test('returning(): MySQL has no INSERT … RETURNING, and says to select the rows instead', async () => {
        const { Hero, Team, engine, log } = db
        await using session = new Session(engine)
        const rows = select(Hero.c.name, Hero.c.secret_name)
        await assert.rejects(
          session.exec(insert(Team).fromSelect(['name', 'headquarters'], rows).returning()),
          refused(NotSupportedError, 'mysql has no INSERT … RETURNING', 'Run the insert without returning()'),
        )
        assert.deepEqual(log, [], 'refused before anything ran')
      })
    } else {
      test('returning() answers the rows inserted, held by the Session', async () => {
        const { Hero, Team, engine } = db
        await using session = new Session(engine)
        const { rows } = await session.exec(
          insert(Team)
            .fromSelect(
              ['name', 'headquarters'],
              select(Hero.c.name, Hero.c.secret_name).where(Hero.c.age.ne(null)),
            )
            .returning(),
        )
        assert.deepEqual(rows.map((team) => team.name).sort(), ['Rusty-Man', 'Spider-Boy'])
        assert.equal(await session.get(Team, rows[0]!.id), rows[0])
      })
    }

    test('each selected item fills the column named in its place, whatever its own name', async () => {
      const { Hero, Team, engine } = db
      await using session = new Session(engine)
      const swapped = select(Hero.c.secret_name, Hero.c.name).where(Hero.c.id.eq(2))
      await session.exec(insert(Team).fromSelect(['name', 'headquarters'], swapped))
      assert.deepEqual(await teams(), [['Tommy Sharp', 'Rusty-Man']])
    })

    test('a select that cannot fill the table, or rows from values() too, is refused when the insert is built', () => {
      const { Hero, Team } = db
      assert.throws(
        () => insert(Team).fromSelect(['name'], select(Hero.c.name)),
        invalidQuery(
          "insert(Team).fromSelect(): 'headquarters' is not among the columns",
          'it is not nullable',
          "Name 'headquarters'",
        ),
      )
      // What the types refuse is refused at run time too, for JavaScript callers.
      assert.throws(
        // @ts-expect-error: two columns, one item
        () => insert(Team).fromSelect(['name', 'headquarters'], select(Hero.c.name)),
        invalidQuery('2 columns named and 1 item selected'),
      )
      assert.throws(
        // @ts-expect-error: 'motto' is no column of Team
        () => insert(Team).fromSelect(['name', 'motto'], select(Hero.c.name, Hero.c.secret_name)),
        invalidQuery("Team has no column 'motto'"),
      )
      assert.throws(
        () => insert(Team).fromSelect(['name', 'name'], select(Hero.c.name, Hero.c.secret_name)),
        invalidQuery("'name' is named twice"),
      )
      assert.throws(
        // @ts-expect-error: a select of rows, not of columns
        () => insert(Hero).fromSelect(['name'], select(Hero)),
        invalidQuery('select(Hero) selects rows'),
      )
      assert.throws(
        // @ts-expect-error: a table's rows do not fit a column
        () => insert(Team).fromSelect(['name', 'headquarters'], select(Hero.c.name, Team)),
        invalidQuery("the select selects Team's rows", 'Team.c.name'),
      )
      assert.throws(
        () =>
          insert(Team)
            .fromSelect(['name', 'headquarters'], select(Hero.c.name, Hero.c.secret_name))
            .fromSelect(['name', 'headquarters'], select(Hero.c.secret_name, Hero.c.name)),
        invalidQuery('already takes its rows from a select'),
      )
      assert.throws(
        () =>
          insert(Team)
            .values({ name: 'Preventers', headquarters: 'Sharp Tower' })
            .fromSelect(['name', 'headquarters'], select(Hero.c.name, Hero.c.secret_name)),
        invalidQuery('from values() or from fromSelect(), not from both'),
      )
      assert.throws(
        () =>
          insert(Team)
            .fromSelect(['name', 'headquarters'], select(Hero.c.name, Hero.c.secret_name))
            .values({ name: 'Preventers', headquarters: 'Sharp Tower' }),
        invalidQuery('not from both'),
      )
    })

    test("the select's parameters are checked as a select's, naming the insert", async () => {
      const { engine, log } = db
      await using session = new Session(engine)
      const byAge = teamsOfHeroesOlderThan(db)
      await assert.rejects(
        session.exec(byAge),
        invalidQuery('"age"', "insert(Team).fromSelect()'s parameters"),
      )
      await assert.rejects(session.exec(byAge, { params: { age: 1, name: 'x' } }), invalidQuery('"name"'))
      assert.deepEqual(log, [])
    })
  })
}
