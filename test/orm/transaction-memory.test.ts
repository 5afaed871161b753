/**
 * What a commit keeps and a rollback or a savepoint puts back in memory, through the Session on every
 * dialect: afterwards the rows hold what the database holds, and a row carries its committed values to
 * the next Session.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { sql } from 'kysely'
import { IntegrityError, select, Session } from 'onemodel-ts'
import type { ExecutorConnection } from '../../src/engine/executor.ts'
import { DIALECTS } from '../support/dialects.ts'
import { statement, teamsDatabase } from '../support/teams.ts'

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: transaction memory`, () => {
    test('a rollback puts back changed and deleted rows, and new rows leave without their key', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const rusty = (await session.get(Hero, 2))!
      const spiderBoy = (await session.get(Hero, 3))!
      rusty.age = 50
      await session.delete(spiderBoy)
      const inserted = Hero.create({ name: 'Black Lion' })
      const pending = Hero.create({ name: 'Tarantula' })
      session.add(inserted)
      await session.flush()
      session.add(pending)
      await session.rollback()
      assert.equal(rusty.age, 48)
      assert.equal(await session.get(Hero, 3), spiderBoy, 'the deleted row is back in the Session')
      assert.equal(inserted.id, undefined, 'the inserted row lost its generated key')
      await session.commit()
      await using reader = new Session(engine)
      assert.equal((await reader.exec(select(Hero)).all()).length, 3, 'the rows that left are not written')
    })

    test('a failed savepoint puts back only what its work changed', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      await session.transaction(async () => {
        const rusty = (await session.get(Hero, 2))!
        rusty.age = 50
        const spiderBoy = (await session.get(Hero, 3))!
        await assert.rejects(
          session.transaction(async () => {
            spiderBoy.age = 17
            session.add(Hero.create({ name: 'Deadpond' })) // a duplicate name
          }),
          IntegrityError,
        )
        assert.equal(spiderBoy.age, 16, 'the savepoint put it back')
        assert.equal(rusty.age, 50, 'the outer work is kept')
      })
      await using reader = new Session(engine)
      const ages = (await reader.exec(select(Hero).orderBy(Hero.c.id)).all()).map((hero) => hero.age)
      assert.deepEqual(ages, [null, 50, 16])
    })

    test('a committed row carries its values to the next Session, which writes what changed meanwhile', async (t) => {
      const { engine, Hero, log } = await teamsDatabase(t, dialect)
      let hero
      {
        await using first = new Session(engine)
        hero = (await first.get(Hero, 2))!
      }
      hero.age = 49 // while no Session holds it
      await using second = new Session(engine)
      second.add(hero)
      log.length = 0
      await second.commit()
      assert.deepEqual(log.map(statement), ['update "hero" set "age" = ? where "id" = ?'])
    })

    test('a row first read inside a rolled back transaction is read again', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      await session.begin()
      const rusty = (await session.get(Hero, 2))!
      rusty.age = 50
      await session.flush()
      await session.rollback()
      assert.equal(rusty.age, 48, 'its committed values are the database’s, not those the transaction wrote')
      rusty.age = 50
      await session.commit()
      await using reader = new Session(engine)
      assert.equal((await reader.get(Hero, 2))!.age, 50, 'so writing the value again is not skipped')
    })

    test('a failed ROLLBACK still puts the rows back, and the flush’s own error is the one thrown', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      const executor = engine.dialect.executor
      const rollback = executor.rollbackTransaction
      t.mock.method(executor, 'rollbackTransaction', async (connection: ExecutorConnection) => {
        await rollback.call(executor, connection)
        throw new Error('connection lost during ROLLBACK')
      })
      await using session = new Session(engine)
      const rusty = (await session.get(Hero, 2))!
      rusty.age = 50
      session.add(Hero.create({ name: 'Deadpond' })) // a duplicate name
      await assert.rejects(session.commit(), IntegrityError)
      assert.equal(rusty.age, 48, 'its committed value is back')
      assert.equal(session.inTransaction, false)
      t.mock.restoreAll()
      rusty.age = 49
      await session.commit()
      await using reader = new Session(engine)
      assert.equal((await reader.get(Hero, 2))!.age, 49)
    })

    test('a failed COMMIT ends the transaction and puts the rows back, as a rollback does', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      const executor = engine.dialect.executor
      const rollback = executor.rollbackTransaction
      // As PostgreSQL does with a COMMIT after an error, or with a deferred constraint: the transaction
      // is rolled back, and the COMMIT fails.
      t.mock.method(executor, 'commitTransaction', async (connection: ExecutorConnection) => {
        await rollback.call(executor, connection)
        throw new Error('COMMIT failed')
      })
      await using session = new Session(engine)
      const rusty = (await session.get(Hero, 2))!
      rusty.age = 50
      const blackLion = Hero.create({ name: 'Black Lion' })
      session.add(blackLion)
      await assert.rejects(session.commit(), /COMMIT failed/)
      assert.equal(session.inTransaction, false, 'no transaction is open')
      assert.equal(rusty.age, 48, 'its committed value is back')
      assert.equal(blackLion.id, undefined, 'the row the transaction inserted left the session')
      t.mock.restoreAll()
      rusty.age = 50
      await session.commit()
      await using reader = new Session(engine)
      const ages = (await reader.exec(select(Hero).orderBy(Hero.c.id)).all()).map((hero) => hero.age)
      assert.deepEqual(
        ages,
        [null, 50, 16],
        'the write is not skipped, and the rolled back row is not written',
      )
    })

    test('after a rollback to a savepoint, giving a row the parent it had in the savepoint is written', async (t) => {
      const { engine, Team, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      await session.transaction(async () => {
        const deadpond = (await session.get(Hero, 1))!
        await session.load(deadpond, 'team') // Preventers
        const zForce = (await session.get(Team, 2))!
        await assert.rejects(
          session.transaction(async () => {
            deadpond.team = zForce
            await session.flush()
            throw new Error('undo the move')
          }),
          /undo the move/,
        )
        assert.equal(deadpond.team_id, 1, 'the savepoint put the key back')
        deadpond.team = zForce
      })
      await using reader = new Session(engine)
      assert.equal((await reader.get(Hero, 1))!.team_id, 2)
    })

    test('a new row linked to a parent in a rolled back transaction is not inserted later', async (t) => {
      const { engine, Team, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const preventers = (await session.get(Team, 1))!
      const blackLion = Hero.create({ name: 'Black Lion' })
      await assert.rejects(
        session.transaction(async () => {
          blackLion.team = preventers // its heroes are not loaded
          throw new Error('give up')
        }),
        /give up/,
      )
      preventers.name = 'The Preventers'
      await session.commit()
      await using reader = new Session(engine)
      assert.equal((await reader.exec(select(Hero)).all()).length, 3, 'the rolled back row is not written')
    })

    if (dialect.name === 'postgres') {
      test('a deferred constraint that fails at COMMIT is an IntegrityError, and the rows are put back', async (t) => {
        const { engine, Hero } = await teamsDatabase(t, dialect)
        await sql`alter table hero add constraint hero_age_key unique (age) deferrable initially deferred`.execute(
          engine.db,
        )
        await using session = new Session(engine)
        const deadpond = (await session.get(Hero, 1))!
        deadpond.age = 48 // Rusty-Man's: checked only at COMMIT
        await session.flush()
        await assert.rejects(session.commit(), IntegrityError)
        assert.equal(session.inTransaction, false)
        assert.equal(deadpond.age, null, 'its committed value is back')
        deadpond.age = 30
        await session.commit()
        await using reader = new Session(engine)
        assert.equal((await reader.get(Hero, 1))!.age, 30)
      })
    }
  })
}
