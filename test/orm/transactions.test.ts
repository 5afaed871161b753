/**
 * How the Session's writes meet its transaction, on every dialect: a lone statement commits by itself in
 * autocommit, more run in one transaction, and a failure of any step undoes its work before its own error
 * is rethrown.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { IntegrityError, select, Session } from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { teamsDatabase } from '../support/teams.ts'

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: transactions`, () => {
    test('a commit of one statement runs it alone, with no BEGIN; of two, in one transaction', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      const begin = t.mock.method(engine.dialect.executor, 'beginTransaction')
      await using session = new Session(engine)
      const rusty = (await session.get(Hero, 2))!
      rusty.age = 49
      await session.commit()
      assert.equal(begin.mock.callCount(), 0)
      rusty.age = 50
      session.add(Hero.create({ name: 'Black Lion' }))
      await session.commit()
      assert.equal(begin.mock.callCount(), 1)
      await using reader = new Session(engine)
      assert.equal((await reader.get(Hero, 2))!.age, 50)
      assert.equal((await reader.exec(select(Hero)).all()).length, 4)
    })

    test('a lone statement that fails in autocommit leaves the rows as the database has them', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const copy = Hero.create({ name: 'Deadpond' }) // a duplicate name
      session.add(copy)
      await assert.rejects(session.commit(), IntegrityError)
      assert.equal(session.inTransaction, false)
      assert.equal(copy.id, undefined)
      await session.commit() // the row left the session: nothing to write
      await using reader = new Session(engine)
      assert.equal((await reader.exec(select(Hero)).all()).length, 3)
    })

    test('transaction() rethrows its work’s error after rolling back what the work flushed', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const rusty = (await session.get(Hero, 2))!
      const failure = new Error('the work failed')
      await assert.rejects(
        session.transaction(async () => {
          rusty.age = 50
          await session.flush()
          throw failure
        }),
        (error) => error === failure,
      )
      assert.equal(session.inTransaction, false)
      assert.equal(rusty.age, 48)
      await using reader = new Session(engine)
      assert.equal((await reader.get(Hero, 2))!.age, 48)
    })
  })
}
