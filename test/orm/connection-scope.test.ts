/**
 * The connection scope, on every dialect: a Session's reads hold no connection, `begin()` takes one that
 * the end of the transaction gives back (a failed COMMIT included), savepoints undo or keep what was done
 * since, and the one-statement path runs on a borrowed connection with no transaction.
 */
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import { sql } from 'kysely'
import { Session } from 'onemodel-ts'
import { bind, OBJECT_ROWS, type Statement } from '../../src/engine/statement.ts'
import { ConnectionScope } from '../../src/orm/connection-scope.ts'
import { DIALECTS, type DialectUnderTest } from '../support/dialects.ts'
import { teamsDatabase } from '../support/teams.ts'

/** A scope over a fresh teams database, counting the connections its executor hands out and takes back. */
async function scopeOf(t: TestContext, dialect: DialectUnderTest) {
  const { engine, Hero } = await teamsDatabase(t, dialect)
  const executor = engine.dialect.executor
  const acquire = t.mock.method(executor, 'acquireConnection')
  const release = t.mock.method(executor, 'releaseConnection')
  const statement = (query: ReturnType<typeof sql>): Statement =>
    bind(query.compile(engine.db), [], OBJECT_ROWS)
  const setAge = (age: number) => statement(sql`update hero set age = ${sql.lit(age)} where id = 2`)
  const ageNow = async () => {
    await using reader = new Session(engine)
    return (await reader.get(Hero, 2))!.age
  }
  return { engine, scope: new ConnectionScope(engine), acquire, release, statement, setAge, ageNow }
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: connection scope`, () => {
    test('a statement outside a transaction holds no connection of the scope', async (t) => {
      const { scope, acquire, statement } = await scopeOf(t, dialect)
      const { rows } = await scope.run<{ n: number }>(statement(sql`select 1 as n`))
      assert.equal(Number(rows[0]!.n), 1)
      assert.equal(acquire.mock.callCount(), 0)
      assert.equal(scope.inTransaction, false)
    })

    test('begin takes one connection, which commit and rollback give back', async (t) => {
      const { scope, acquire, release, setAge, ageNow } = await scopeOf(t, dialect)
      await scope.begin()
      await scope.begin() // already open: nothing more
      assert.equal(scope.inTransaction, true)
      assert.equal(acquire.mock.callCount(), 1)
      await scope.run(setAge(50))
      await scope.rollback()
      assert.equal(release.mock.callCount(), 1)
      assert.equal(await ageNow(), 48, 'rolled back')
      await scope.begin()
      await scope.run(setAge(51))
      await scope.commit()
      assert.equal(release.mock.callCount(), 2)
      assert.equal(scope.inTransaction, false)
      assert.equal(await ageNow(), 51, 'committed')
      await scope.rollback() // none open: nothing to do
      assert.equal(release.mock.callCount(), 2)
    })

    test('each transaction has an identity of its own', async (t) => {
      const { scope } = await scopeOf(t, dialect)
      await scope.begin()
      const first = scope.transaction
      await scope.commit()
      assert.equal(scope.transaction, undefined)
      await scope.begin()
      assert.notEqual(scope.transaction, first)
      await scope.rollback()
    })

    test('a rollback to a savepoint undoes what was done since, a release keeps it', async (t) => {
      const { scope, setAge, ageNow } = await scopeOf(t, dialect)
      await scope.begin()
      await scope.run(setAge(50))
      await scope.savepoint('outer')
      await scope.run(setAge(51))
      await scope.rollbackToSavepoint('outer')
      await scope.savepoint('inner')
      await scope.run(setAge(52))
      await scope.releaseSavepoint('inner')
      await scope.commit()
      assert.equal(await ageNow(), 52)
    })

    test('the one-statement path borrows a connection with no transaction, and gives it back on failure', async (t) => {
      const { scope, acquire, release, setAge, statement, ageNow } = await scopeOf(t, dialect)
      await scope.autocommit(async () => {
        assert.equal(scope.inTransaction, false)
        await scope.run(setAge(50))
      })
      assert.equal(await ageNow(), 50, 'committed by itself')
      await assert.rejects(
        scope.autocommit(async () => void (await scope.run(statement(sql`select * from no_such_table`)))),
      )
      assert.equal(acquire.mock.callCount(), 2)
      assert.equal(release.mock.callCount(), 2)
    })

    test('a failed COMMIT still ends the transaction and gives its connection back', async (t) => {
      const { engine, scope, release } = await scopeOf(t, dialect)
      const executor = engine.dialect.executor
      const rollback = executor.rollbackTransaction
      t.mock.method(executor, 'commitTransaction', async (connection: Parameters<typeof rollback>[0]) => {
        await rollback.call(executor, connection)
        throw new Error('COMMIT failed')
      })
      await scope.begin()
      await assert.rejects(scope.commit(), /COMMIT failed/)
      assert.equal(scope.inTransaction, false)
      assert.equal(release.mock.callCount(), 1)
    })
  })
}
