/**
 * insert() of many rows and upserts: ON CONFLICT on SQLite and PostgreSQL, ON DUPLICATE KEY UPDATE on
 * MySQL, on every dialect of DIALECTS. The teams' names are unique: the conflict target.
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
  update,
  ValidationError,
} from 'onemodel-ts'
import { heroesDatabase } from '../support/heroes.ts'
import { declareTeams } from '../support/teams.ts'
import { DIALECTS } from '../support/dialects.ts'

type Db = Awaited<ReturnType<typeof heroesDatabase>>

for (const dialect of DIALECTS) {
  const mysql = dialect.name === 'mysql'
  describe(`${dialect.name}: insert and upsert`, () => {
    let db: Db
    beforeEach(async () => {
      db = await heroesDatabase({ dialect })
      await using session = new Session(db.engine)
      await session.exec(
        insert(db.Team).values([
          { name: 'Preventers', headquarters: 'Sharp Tower' },
          { name: 'Z-Force', headquarters: "Sister Margaret's Bar" },
        ]),
      )
      db.log.length = 0
    })
    afterEach(() => db?.engine.dispose())

    async function teams(): Promise<Record<string, string>> {
      await using session = new Session(db.engine)
      const rows = await session.exec(select(db.Team).orderBy(db.Team.c.id)).all()
      return Object.fromEntries(rows.map((team) => [team.name, team.headquarters]))
    }

    test('insert(): many rows with one statement', async () => {
      assert.deepEqual(await teams(), { Preventers: 'Sharp Tower', 'Z-Force': "Sister Margaret's Bar" })
    })

    test('doNothing(): a conflicting row is skipped, the others are inserted', async () => {
      const { Team, engine, log } = db
      await using session = new Session(engine)
      const { affected } = await session.exec(
        insert(Team)
          .values([
            { name: 'Preventers', headquarters: 'Elsewhere' },
            { name: 'Avengers', headquarters: 'Stark Tower' },
          ])
          .onConflict({ target: 'name' })
          .doNothing(),
      )
      // MySQL counts the duplicate it matched (the driver asks for found rows), the others only the insert.
      assert.equal(affected, mysql ? 2 : 1)
      assert.deepEqual(log, [
        mysql
          ? 'insert into "team" ("name", "headquarters") values (?, ?), (?, ?) on duplicate key update "id" = "team"."id" -- 4 parameters'
          : 'insert into "team" ("name", "headquarters") values (?, ?), (?, ?) on conflict ("name") do nothing -- 4 parameters',
      ])
      assert.deepEqual(await teams(), {
        Preventers: 'Sharp Tower',
        'Z-Force': "Sister Margaret's Bar",
        Avengers: 'Stark Tower',
      })
    })

    test("doUpdate([columns]): the row already there takes the new row's values", async () => {
      const { Team, engine, log } = db
      await using session = new Session(engine)
      const { affected } = await session.exec(
        insert(Team)
          .values({ name: 'Preventers', headquarters: 'New Tower' })
          .onConflict({ target: 'name' })
          .doUpdate(['headquarters']),
      )
      assert.equal(affected, mysql ? 2 : 1, 'MySQL counts a row updated by ON DUPLICATE KEY UPDATE twice')
      assert.deepEqual(log, [
        mysql
          ? 'insert into "team" ("name", "headquarters") values (?, ?) on duplicate key update "headquarters" = values("headquarters") -- 2 parameters'
          : 'insert into "team" ("name", "headquarters") values (?, ?) on conflict ("name") do update set "headquarters" = "excluded"."headquarters" -- 2 parameters',
      ])
      assert.deepEqual(await teams(), { Preventers: 'New Tower', 'Z-Force': "Sister Margaret's Bar" })
    })

    test('doUpdate({ values }): the row already there takes fixed values', async () => {
      const { Team, engine } = db
      await using session = new Session(engine)
      await session.exec(
        insert(Team)
          .values({ name: 'Z-Force', headquarters: 'ignored' })
          .onConflict({ target: ['name'] })
          .doUpdate({ headquarters: 'Closed' }),
      )
      assert.deepEqual(await teams(), { Preventers: 'Sharp Tower', 'Z-Force': 'Closed' })
    })

    if (mysql) {
      test('returning(): MySQL has no INSERT … RETURNING, and says what to do instead', async () => {
        const { Team, engine, log } = db
        await using session = new Session(engine)
        await assert.rejects(
          session.exec(insert(Team).values({ name: 'Avengers', headquarters: 'Stark Tower' }).returning()),
          {
            name: NotSupportedError.name,
            code: 'OM_ORM_NOT_SUPPORTED',
            message:
              /^insert\(Team\)\.returning\(\): mysql has no INSERT … RETURNING\. Add the rows with session\.add\(\)/,
          },
        )
        assert.deepEqual(log, [], 'refused before anything ran')
      })
    } else {
      test('returning(): the rows inserted, with their generated keys, held by the Session', async () => {
        const { Team, engine, log } = db
        await using session = new Session(engine)
        const { affected, rows } = await session.exec(
          insert(Team)
            .values([
              { name: 'Avengers', headquarters: 'Stark Tower' },
              { name: 'X-Men', headquarters: 'Xavier School' },
            ])
            .returning(),
        )
        assert.equal(log.length, 1, 'one statement')
        assert.match(log[0]!, /^insert into "team" \("name", "headquarters"\) values .* returning .*"id"/)
        assert.equal(affected, 2)
        const sorted = rows.sort((a, b) => a.id - b.id)
        assert.deepEqual(
          sorted.map((team) => [team.id, team.name, team.headquarters]),
          [
            [3, 'Avengers', 'Stark Tower'],
            [4, 'X-Men', 'Xavier School'],
          ],
        )
        log.length = 0
        assert.equal(await session.get(Team, 3), sorted[0], 'the Session holds the rows it inserted')
        assert.deepEqual(log, [], 'from the identity map')
        // @ts-expect-error: an insert without returning() answers no rows
        ;(await session.exec(insert(Team).values({ name: 'Defenders', headquarters: "Hell's Kitchen" }))).rows
      })

      test('returning() with doNothing(): the rows skipped are not among them', async () => {
        const { Team, engine } = db
        await using session = new Session(engine)
        const { affected, rows } = await session.exec(
          insert(Team)
            .values([
              { name: 'Preventers', headquarters: 'Elsewhere' },
              { name: 'Avengers', headquarters: 'Stark Tower' },
            ])
            .onConflict({ target: 'name' })
            .doNothing()
            .returning(),
        )
        assert.equal(affected, 1)
        assert.deepEqual(
          rows.map((team) => team.name),
          ['Avengers'],
        )
      })

      test("returning() with doUpdate(): the rows updated are among them, the held ones being the Session's", async () => {
        const { Team, engine } = db
        await using session = new Session(engine)
        const preventers = await session.exec(select(Team).where(Team.c.name.eq('Preventers'))).one()
        const { rows } = await session.exec(
          insert(Team)
            .returning()
            .values([
              { name: 'Preventers', headquarters: 'New Tower' },
              { name: 'Avengers', headquarters: 'Stark Tower' },
            ])
            .onConflict({ target: 'name' })
            .doUpdate(['headquarters']),
        )
        const byName = new Map(rows.map((team) => [team.name, team]))
        assert.deepEqual([...byName.keys()].sort(), ['Avengers', 'Preventers'])
        assert.equal(byName.get('Preventers'), preventers)
        assert.equal(preventers.headquarters, 'New Tower')
      })

      test('returning() with bindParam(): each run answers its own row', async () => {
        const { Team, engine } = db
        await using session = new Session(engine)
        const add = insert(Team)
          .values({ name: bindParam('name'), headquarters: 'Somewhere' })
          .returning()
        const first = await session.exec(add, { params: { name: 'Avengers' } })
        const second = await session.exec(add, { params: { name: 'X-Men' } })
        assert.deepEqual(
          [...first.rows, ...second.rows].map((team) => [team.id, team.name]),
          [
            [3, 'Avengers'],
            [4, 'X-Men'],
          ],
        )
      })
    }

    test('a held row is read again after an upsert updated it', async () => {
      const { Team, engine, log } = db
      await using session = new Session(engine)
      const preventers = await session.exec(select(Team).where(Team.c.name.eq('Preventers'))).one()
      await session.exec(
        insert(Team)
          .values({ name: 'Preventers', headquarters: 'New Tower' })
          .onConflict({ target: 'name' })
          .doUpdate(['headquarters']),
      )
      assert.equal(preventers.headquarters, 'New Tower')
      log.length = 0
      await session.commit()
      assert.deepEqual(log, [], 'nothing left to flush')
    })

    test('a conflict with no onConflict(), or a bulk update onto a unique value, is an IntegrityError', async () => {
      const { Team, engine } = db
      await using session = new Session(engine)
      await assert.rejects(
        session.exec(insert(Team).values({ name: 'Preventers', headquarters: 'X' })),
        IntegrityError,
      )
      await assert.rejects(
        session.exec(update(Team).where(Team.c.name.eq('Z-Force')).values({ name: 'Preventers' })),
        IntegrityError,
      )
      assert.deepEqual(await teams(), { Preventers: 'Sharp Tower', 'Z-Force': "Sister Margaret's Bar" })
    })

    test('an upsert whose rows share a key: PostgreSQL refuses it with an IntegrityError, the others take the last row', async () => {
      const { Team, engine } = db
      await using session = new Session(engine)
      const twice = insert(Team)
        .values([
          { name: 'Avengers', headquarters: 'Stark Tower' },
          { name: 'Avengers', headquarters: 'Avengers Mansion' },
        ])
        .onConflict({ target: 'name' })
        .doUpdate(['headquarters'])
      if (dialect.name === 'postgres') {
        await assert.rejects(
          session.exec(twice),
          (error) =>
            error instanceof IntegrityError &&
            error.constraint === 'unique' &&
            /same value of its conflict target\. Give each key once per insert/.test(error.message),
        )
        assert.equal((await teams()).Avengers, undefined)
      } else {
        await session.exec(twice)
        assert.equal((await teams()).Avengers, 'Avengers Mansion')
      }
    })

    test('rows are validated as Model.create() validates them, before any statement', async () => {
      const { Team, log } = db
      const bad = { name: 'X', headquarters: 42 } as unknown as { name: string; headquarters: string }
      assert.throws(() => insert(Team).values(bad), ValidationError)
      assert.throws(
        () =>
          insert(Team)
            .values([{ name: 'X', headquarters: 'Y' }])
            .onConflict({ target: 'headquarters' }),
        {
          name: InvalidQueryError.name,
          message: /'headquarters' is not a unique column of Team/,
        },
      )
      assert.throws(() => insert(Team).values([]).onConflict({ target: 'name' }).doUpdate([]), {
        message: /no column to update/,
      })
      assert.throws(() => insert(Team).onConflict({ target: 'name' }).doUpdate(['id']), {
        message: /'id' is the primary key/,
      })
      await using session = new Session(db.engine)
      await assert.rejects(session.exec(insert(Team)), { message: /no rows/ })
      assert.deepEqual(log, [])
    })

    test('inserts of one shape run with their own values; a key left to its default is another shape', async (t) => {
      const { Team, engine } = db
      await using session = new Session(engine)
      // Compiled once per shape: each run must bind its own values, fixed update values included.
      let built: ReturnType<typeof t.mock.method> | undefined
      for (const [name, headquarters] of [
        ['Avengers', 'Stark Tower'],
        ['X-Men', 'Mansion'],
      ]) {
        await session.exec(insert(Team).values({ name, headquarters }))
        await session.exec(
          insert(Team)
            .values({ name, headquarters: 'ignored' })
            .onConflict({ target: 'name' })
            .doUpdate({ headquarters: `${headquarters} (moved)` }),
        )
        built ??= t.mock.method(engine.db, 'insertInto')
      }
      assert.equal(built?.mock.callCount(), 0, 'the second inserts of each shape only bind their values')
      // One row with its key given and one left to DEFAULT (NULL on SQLite: the next id), in both orders.
      for (const rows of [
        [
          { id: 100, name: 'Hundred', headquarters: 'A' },
          { name: 'After hundred', headquarters: 'B' },
        ],
        [
          { name: 'Before two hundred', headquarters: 'C' },
          { id: 200, name: 'Two hundred', headquarters: 'D' },
        ],
      ]) {
        await session.exec(insert(Team).values(rows))
      }
      const rows = await session.exec(select(Team)).all()
      const byName = Object.fromEntries(rows.map(({ id, name, headquarters }) => [name, [id, headquarters]]))
      assert.deepEqual(byName['Avengers']?.[1], 'Stark Tower (moved)')
      assert.deepEqual(byName['X-Men']?.[1], 'Mansion (moved)')
      assert.deepEqual(byName['Hundred'], [100, 'A'])
      assert.deepEqual(byName['Two hundred'], [200, 'D'])
      assert.equal(byName['After hundred']?.[1], 'B')
      assert.equal(byName['Before two hundred']?.[1], 'C')
    })

    test('an undefined value of doUpdate() sets nothing, whatever the same upsert did before', async () => {
      const { Team, engine } = db
      await using session = new Session(engine)
      const upsert = (headquarters: string | undefined) =>
        session.exec(
          insert(Team)
            .values({ name: 'Preventers', headquarters: 'ignored' })
            .onConflict({ target: 'name' })
            .doUpdate({ name: 'Preventers', headquarters }),
        )
      await upsert('Moved')
      await upsert(undefined) // the statement of the first, with a value less: not `headquarters = NULL`
      const team = await session.exec(select(Team).where(Team.c.name.eq('Preventers'))).one()
      assert.equal(team.headquarters, 'Moved')
    })
  })
}

test('insert().values() keeps the columns: a relationship given is dropped, its rows left as they were', () => {
  const { Team, Hero } = declareTeams()
  const team = Team.create({ name: 'Preventers' })
  const input = { name: 'Deadpond', team } as unknown as { name: string }
  assert.deepEqual(insert(Hero).values(input).state.rows, [{ name: 'Deadpond', age: null, team_id: null }])
  assert.deepEqual(team.heroes, [], 'no row was made that the team would hold')
})
