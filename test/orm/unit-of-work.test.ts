/**
 * The unit of work, through the Session on every dialect: what a flush writes (changed columns only,
 * nothing for an unchanged value), in which order (parents first, a table's updates before its inserts,
 * children deleted first), and that a flush of several statements is all or nothing.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  createAll,
  createEngine,
  field,
  IntegrityError,
  Metadata,
  model,
  select,
  Session,
  table,
} from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { comparedWhole } from '../support/dirty-checks.ts'
import { recordSql } from '../support/heroes.ts'
import { statement, teamsDatabase } from '../support/teams.ts'

const writes = (log: readonly string[]) => log.filter((line) => !/^select/i.test(line)).map(statement)

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: unit of work`, () => {
    test('an update writes the changed columns only, and a value written back unchanged writes nothing', async (t) => {
      const { engine, Hero, log } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const hero = (await session.get(Hero, 2))!
      hero.age = 49
      hero.name = 'Rusty-Man' // the value it has
      await session.commit()
      assert.deepEqual(writes(log), ['update "hero" set "age" = ? where "id" = ?'])
      log.length = 0
      hero.age = 50
      hero.age = 49
      await session.commit()
      assert.deepEqual(writes(log), [], 'written, but back to the flushed value')
    })

    test('a flush compares only the rows written since the last one, however many the Session holds', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const heroes = await session.exec(select(Hero).orderBy(Hero.c.id)).all()
      const compared = comparedWhole(t, Hero, 'name')
      heroes[1]!.age = 49
      await session.flush()
      assert.deepEqual(compared, ['Rusty-Man'])
      compared.length = 0
      await session.commit()
      assert.deepEqual(compared, [], 'nothing was written since')
    })

    test('a date or JSON value changed in place is written; of a row not written since its flush, only those are compared', async (t) => {
      const metadata = new Metadata()
      const Event = table(
        'event',
        model('Event', {
          id: field.integer({ primaryKey: true }),
          name: field.string(),
          at: field.datetime(),
          tags: field.json(),
        }),
        { metadata },
      )
      const recorded = recordSql()
      const engine = createEngine(await dialect.isolatedUrl(), recorded.options)
      t.after(() => engine.dispose())
      await createAll(engine, { metadata })
      await using session = new Session(engine)
      for (const id of [1, 2, 3]) {
        session.add(Event.create({ id, name: `event ${id}`, at: new Date(Date.UTC(2026, 0, id)), tags: [] }))
      }
      await session.commit()
      const [first, second] = await session.exec(select(Event).orderBy(Event.c.id)).all()
      const wholeRows = comparedWhole(t, Event, 'id')
      recorded.log.length = 0
      first!.at.setUTCFullYear(2027)
      second!.tags.push('launch')
      await session.flush()
      assert.deepEqual(writes(recorded.log).sort(), [
        'update "event" set "at" = ? where "id" = ?',
        'update "event" set "tags" = ? where "id" = ?',
      ])
      assert.deepEqual(wholeRows, [], 'no row was written to, so only their dates and JSON were compared')
      second!.name = 'renamed'
      first!.at.setUTCMonth(5)
      recorded.log.length = 0
      await session.commit()
      assert.deepEqual(writes(recorded.log).sort(), [
        'update "event" set "at" = ? where "id" = ?',
        'update "event" set "name" = ? where "id" = ?',
      ])
      assert.deepEqual(wholeRows, [2], 'the row written to is compared whole')
      await using check = new Session(engine)
      const again = await check.get(Event, 1)
      assert.equal(again!.at.toISOString(), '2027-06-01T00:00:00.000Z')
    })

    test('a write made while a flush is under way is written by the next flush, not lost', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const hero = (await session.get(Hero, 2))!
      hero.age = 49
      const flushing = session.flush()
      hero.name = 'Rusty-Woman' // while the flush awaits its BEGIN: after it listed what to write
      await flushing
      await session.commit()
      await using check = new Session(engine)
      const again = (await check.get(Hero, 2))!
      assert.deepEqual([again.name, again.age], ['Rusty-Woman', 49])
    })

    test('a new parent is inserted before its new child, whatever the order they were added in', async (t) => {
      const { engine, Team, Hero, log } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const team = Team.create({ name: 'Wakaland' })
      const hero = Hero.create({ name: 'Black Lion' })
      hero.team = team
      session.add(hero)
      await session.commit()
      assert.deepEqual(
        writes(log).map((line) => line.split(' (')[0]),
        ['insert into "team"', 'insert into "hero"'],
      )
      assert.equal(hero.team_id, team.id)
    })

    test("a table's updates run before its inserts: a unique name given up is free for a new row", async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const deadpond = (await session.get(Hero, 1))!
      deadpond.name = 'Dive Wilson'
      session.add(Hero.create({ name: 'Deadpond' }))
      await session.commit()
      const names = (await session.exec(select(Hero).orderBy(Hero.c.id)).all()).map((hero) => hero.name)
      assert.deepEqual(names, ['Dive Wilson', 'Rusty-Man', 'Spider-Boy', 'Deadpond'])
    })

    test('children are deleted before their parent', async (t) => {
      const { engine, Team, Hero, log } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const zForce = (await session.get(Team, 2))!
      const spiderBoy = (await session.get(Hero, 3))!
      await session.delete(zForce)
      await session.delete(spiderBoy)
      log.length = 0
      await session.commit()
      const deletes = writes(log).filter((line) => line.startsWith('delete'))
      assert.deepEqual(
        deletes.map((line) => line.split(' where')[0]),
        ['delete from "hero"', 'delete from "team"'],
      )
    })

    test('a flush of several statements is all or nothing', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const rusty = (await session.get(Hero, 2))!
      rusty.age = 50
      session.add(Hero.create({ name: 'Deadpond' })) // a duplicate name
      await assert.rejects(session.commit(), IntegrityError)
      await using reader = new Session(engine)
      assert.equal((await reader.get(Hero, 2))!.age, 48, 'the update was rolled back with the insert')
      assert.equal(rusty.age, 48, 'and the row holds what the database has')
    })

    for (const [what, sql] of [
      ['update', /^update/i],
      ['insert', /^insert/i],
    ] as const) {
      test(`a write made while the flush's ${what} is awaited is written by the next flush`, async (t) => {
        const { engine, Hero } = await teamsDatabase(t, dialect)
        await using session = new Session(engine)
        const hero = what === 'update' ? (await session.get(Hero, 2))! : Hero.create({ name: 'Black Lion' })
        if (what === 'update') hero.age = 49
        else session.add(hero)
        const executor = engine.dialect.executor
        const run = executor.runNow
        t.mock.method(executor, 'runNow', function (this: typeof executor, ...args: Parameters<typeof run>) {
          const result = run.apply(this, args)
          if (sql.test(args[0].sql)) hero.age = 60 // while the statement is on its way
          return result
        })
        await session.flush()
        t.mock.restoreAll()
        await session.commit()
        await using reader = new Session(engine)
        assert.equal((await reader.get(Hero, hero.id!))!.age, 60)
      })
    }
  })
}
