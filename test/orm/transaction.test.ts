/**
 * Transactions: rollback, begin, transaction(), failed flushes, and two sessions or engines on one database,
 * on every dialect of DIALECTS, each test on a database of its own. SQLite's single writer (the driver's
 * write lock and the busy timeout between processes) is tested on SQLite alone, at the end.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createEngine, IntegrityError, OnemodelError, select, Session, SessionError } from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { addTutorialHeroes, heroesDatabase } from '../support/heroes.ts'

const sqlite = DIALECTS.find((dialect) => dialect.name === 'sqlite')

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: transactions`, () => {
    describe('Session.rollback', () => {
      test('after a failed flush, the session is usable and keeps what was committed', async () => {
        const { engine, Team } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        const preventers = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })
        session.add(preventers)
        await session.commit()

        preventers.headquarters = 'Moved'
        const zForce = Team.create({ name: 'Z-Force', headquarters: 'Bar' })
        const duplicate = Team.create({ name: 'Preventers', headquarters: 'Elsewhere' })
        session.addAll([zForce, duplicate])
        await assert.rejects(session.flush(), IntegrityError)
        await session.rollback()

        assert.equal(preventers.headquarters, 'Sharp Tower', 'the uncommitted change is undone in memory too')
        assert.equal(zForce.id, undefined, 'a row inserted by the failed transaction loses its generated id')
        assert.deepEqual(
          (await session.exec(select(Team)).all()).map((team) => team.name),
          ['Preventers'],
          'the database has only the committed row',
        )
        session.add(Team.create({ name: 'Avengers', headquarters: 'Tower' }))
        await session.commit()
        assert.equal((await session.exec(select(Team)).all()).length, 2)
      })

      test('undoes a flushed insert, update and delete, in the database and in memory', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        const { engine, Hero } = db
        await using session = new Session(engine)
        const deadpond = (await session.get(Hero, 1))!
        const spiderBoy = (await session.get(Hero, 3))!
        const added = Hero.create({ name: 'Tarantula', secret_name: 'Natalia Roman-on' })
        deadpond.age = 35
        await session.delete(spiderBoy)
        session.add(added)
        await session.flush()
        assert.equal(session.inTransaction, true)
        assert.equal(added.id, 4)

        await session.rollback()
        assert.equal(session.inTransaction, false)
        assert.equal(deadpond.age, null, 'the change is undone')
        assert.equal(added.id, undefined, 'the inserted row is gone, and so is its id')
        assert.equal(await session.get(Hero, 3), spiderBoy, 'the deleted row is back in the identity map')
        assert.equal(await session.get(Hero, 4), undefined)
        await using other = new Session(engine)
        assert.deepEqual(
          (await other.exec(select(Hero).orderBy(Hero.c.id)).all()).map((hero) => [hero.id, hero.age]),
          [
            [1, null],
            [2, 48],
            [3, 16],
          ],
        )
      })

      test('a row whose delete failed is back in the session after the rollback', async () => {
        const { engine, Hero, Team } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        const preventers = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })
        session.add(preventers)
        await session.commit()
        const team = await session.refresh(preventers)
        session.add(Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp', team_id: team.id }))
        await session.commit()

        await session.delete(team)
        const error = await session.commit().then(
          () => assert.fail('a team that heroes reference cannot be deleted while foreign keys are on'),
          (error: unknown) => error,
        )
        assert.ok(error instanceof IntegrityError)
        assert.equal(error.constraint, 'foreign_key')
        assert.equal(await session.get(Team, team.id), team)
        team.headquarters = 'Moved'
        await session.commit()
        await using other = new Session(engine)
        assert.equal((await other.get(Team, team.id))?.headquarters, 'Moved', 'the row is tracked again')
      })

      test('with nothing open does nothing', async () => {
        const { engine, log } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        await session.rollback()
        assert.equal(log.length, 0)
      })

      test('drops rows that were added but not flushed', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine, { autoflush: false })
        const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
        session.add(hero)
        await session.rollback()
        await session.commit()
        assert.deepEqual(await session.exec(select(Hero)).all(), [], 'the pending row left the session')
      })
    })

    describe('Session.begin', () => {
      test('opens a transaction that commit() ends; a second begin() is refused', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        await session.begin()
        assert.equal(session.inTransaction, true)
        await assert.rejects(session.begin(), (error: unknown) => {
          assert.ok(error instanceof SessionError)
          assert.equal(error.code, 'OM_ORM_TRANSACTION')
          return true
        })
        session.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
        await session.commit()
        assert.equal(session.inTransaction, false)
        await using other = new Session(engine)
        assert.equal((await other.exec(select(Hero)).all()).length, 1)
      })
    })

    describe('Session.transaction', () => {
      test('commits when the work returns, and returns its value', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        const id = await session.transaction(async (tx) => {
          const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
          tx.add(hero)
          await tx.flush()
          return hero.id
        })
        assert.equal(id, 1)
        assert.equal(session.inTransaction, false)
        await using other = new Session(engine)
        assert.equal((await other.get(Hero, 1))?.name, 'Deadpond')
      })

      test('rolls back and rethrows when the work throws', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        const failure = new Error('changed my mind')
        await assert.rejects(
          session.transaction(async (tx) => {
            tx.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
            await tx.flush()
            throw failure
          }),
          (error: unknown) => error === failure,
        )
        assert.equal(session.inTransaction, false)
        assert.deepEqual(await session.exec(select(Hero)).all(), [])
      })
    })

    describe('two sessions on one database', () => {
      test('uncommitted writes are invisible to the other session until commit', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using writer = new Session(engine)
        await using reader = new Session(engine)
        writer.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
        await writer.flush()
        assert.deepEqual(await reader.exec(select(Hero)).all(), [], 'a read does not see an open transaction')
        await writer.commit()
        assert.equal((await reader.exec(select(Hero)).all()).length, 1)
      })

      test('two sessions writing different columns of one row, one after the other, both keep their change', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using first = new Session(db.engine)
        await using second = new Session(db.engine)
        const inFirst = (await first.get(db.Hero, 2))!
        const inSecond = (await second.get(db.Hero, 2))!
        inFirst.age = 49
        await first.flush()
        inSecond.secret_name = 'Tommy Sharper'
        // Waits for the first transaction: for its row lock on a server, for the write lock on SQLite (the
        // wait itself is not asserted: that would take a sleep).
        const secondCommit = second.commit()
        await first.commit()
        await secondCommit
        await using reader = new Session(db.engine)
        const hero = (await reader.get(db.Hero, 2))!
        assert.deepEqual(
          [hero.age, hero.secret_name],
          [49, 'Tommy Sharper'],
          'each UPDATE set only the column its session changed, so neither change was lost',
        )
      })

      test('each session has its own object for a row, and a committed change reaches the other by refresh', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using a = new Session(db.engine)
        await using b = new Session(db.engine)
        const inA = (await a.get(db.Hero, 1))!
        const inB = (await b.get(db.Hero, 1))!
        assert.notEqual(inA, inB, 'identity maps are per session')
        inA.age = 35
        await a.commit()
        await b.refresh(inB)
        assert.equal(inB.age, 35)
      })

      test('an update of a row another session deleted fails as OM_ORM_STALE and rolls back', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using a = new Session(db.engine)
        await using b = new Session(db.engine)
        const inA = (await a.get(db.Hero, 1))!
        await b.delete((await b.get(db.Hero, 1))!)
        await b.commit()
        inA.age = 35
        await assert.rejects(a.commit(), { code: 'OM_ORM_STALE' })
        assert.equal(a.inTransaction, false)
      })

      test('two engines on one database, as two processes would, see each other’s commits', async () => {
        const url = await dialect.isolatedUrl()
        const db = await heroesDatabase({ url })
        await using _ = db.engine
        await using otherEngine = createEngine(url)
        await using a = new Session(db.engine)
        await using b = new Session(otherEngine)
        a.add(db.Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
        await a.commit()
        const hero = (await b.get(db.Hero, 1))!
        assert.equal(hero.name, 'Deadpond')
        hero.age = 35
        await b.commit()
        const inA = (await a.get(db.Hero, 1))!
        await a.refresh(inA)
        assert.equal(inA.age, 35)
      })
    })
  })
}

// SQLite has one writer at a time. The driver queues write transactions in JavaScript, and a second process
// waits for the file lock up to the busy timeout. PostgreSQL and MySQL lock rows instead: two inserts run
// side by side and nothing like the busy timeout exists, so these tests are about SQLite alone.
describe('sqlite: one writer at a time', { skip: !sqlite && 'sqlite is not in ONEMODEL_DIALECTS' }, () => {
  test('a second writer waits for the first transaction, and both writes are kept', async () => {
    const { engine, Hero } = await heroesDatabase()
    await using _ = engine
    await using first = new Session(engine)
    await using second = new Session(engine)
    first.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
    await first.flush()
    second.add(Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp' }))
    const order: string[] = []
    const secondCommit = second.commit().then(() => order.push('second'))
    await first.commit().then(() => order.push('first'))
    await secondCommit
    assert.deepEqual(order, ['first', 'second'], 'the second transaction starts after the first ends')
    await using reader = new Session(engine)
    const names = (await reader.exec(select(Hero).orderBy(Hero.c.id)).all()).map((hero) => hero.name)
    assert.deepEqual(names, ['Deadpond', 'Rusty-Man'])
  })

  test('a writer locked out past the busy timeout gets OM_ENGINE_BUSY and can retry', async () => {
    const db = await heroesDatabase()
    await using _ = db.engine
    // A second engine is what a second process would be: its own connections, SQLite's lock between them.
    await using otherEngine = createEngine(db.engine.url, { sqlite: { busyTimeout: 50 } })
    await using holder = new Session(db.engine)
    await using blocked = new Session(otherEngine)
    holder.add(db.Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
    await holder.flush()
    blocked.add(db.Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp' }))
    await assert.rejects(blocked.commit(), (error: unknown) => {
      assert.ok(error instanceof OnemodelError, `expected an OnemodelError, got ${String(error)}`)
      assert.equal(error.code, 'OM_ENGINE_BUSY')
      assert.match(error.message, /busy timeout \(50 ms\)/)
      return true
    })
    assert.equal(blocked.inTransaction, false)
    await holder.commit()
    blocked.add(db.Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp' }))
    await blocked.commit()
    assert.equal((await blocked.exec(select(db.Hero)).all()).length, 2, 'the retry went through')
  })
})
