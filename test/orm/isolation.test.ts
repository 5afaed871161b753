/**
 * `new Session(engine, { isolationLevel })`, on every dialect: each transaction the Session opens begins at
 * that level, a lone statement's commit included, and a conflict the database finds at `serializable` is a
 * SerializationError that running the transaction again gets past. PostgreSQL shows the level by the
 * write skew it refuses, MariaDB by the shared locks its serializable reads take; SQLite is serializable
 * whatever the level.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  LockNotAvailableError,
  select,
  SerializationError,
  Session,
  SessionError,
  type IsolationLevel,
} from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { teamsDatabase } from '../support/teams.ts'

type Db = Awaited<ReturnType<typeof teamsDatabase>>

/**
 * Two transactions that each read every hero, then change a different one: the write skew that only
 * `serializable` refuses. The first commits; the database may refuse the second, at its flush or commit.
 */
async function writeSkew(db: Db, isolationLevel?: IsolationLevel): Promise<void> {
  const { engine, Hero } = db
  await using first = new Session(engine, { isolationLevel })
  await using second = new Session(engine, { isolationLevel })
  await first.begin()
  await second.begin()
  const seenByFirst = await first.exec(select(Hero).orderBy(Hero.c.id)).all()
  const seenBySecond = await second.exec(select(Hero).orderBy(Hero.c.id)).all()
  seenByFirst[0]!.age = 1
  seenBySecond[2]!.age = 3
  await first.flush()
  await first.commit()
  await second.commit()
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: the Session's isolation level`, () => {
    test('every transaction the Session opens begins at its level, a lone statement commit included', async (t) => {
      const db = await teamsDatabase(t, dialect)
      const { engine, Hero } = db
      const begin = t.mock.method(engine.dialect.executor, 'beginTransaction')
      await using session = new Session(engine, { isolationLevel: 'serializable' })
      const rusty = (await session.get(Hero, 2))!
      rusty.age = 49
      await session.commit() // one UPDATE, which a Session with no level would run by itself
      await session.transaction(async () => {
        rusty.age = 50
      })
      await session.begin()
      await session.rollback()
      assert.deepEqual(
        begin.mock.calls.map((call) => call.arguments[1]),
        [
          { isolationLevel: 'serializable' },
          { isolationLevel: 'serializable' },
          { isolationLevel: 'serializable' },
        ],
      )
      await using reader = new Session(engine)
      assert.equal((await reader.get(Hero, 2))!.age, 50)
    })

    test("without a level, transactions begin with the database's default", async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      const begin = t.mock.method(engine.dialect.executor, 'beginTransaction')
      await using session = new Session(engine)
      await session.transaction(async () => {
        session.add(Hero.create({ name: 'Black Lion' }))
      })
      assert.deepEqual(
        begin.mock.calls.map((call) => call.arguments[1]),
        [{}],
      )
    })

    test('a level that is not one of SQL four is refused when the Session is made', async (t) => {
      const { engine } = await teamsDatabase(t, dialect)
      assert.throws(
        // @ts-expect-error: 'snapshot' is SQL Server's, not a level of these databases
        () => new Session(engine, { isolationLevel: 'snapshot' }),
        (error) =>
          error instanceof SessionError &&
          error.code === 'OM_ORM_SESSION_OPTIONS' &&
          /isolationLevel: "snapshot"/.test(error.message) &&
          /'read committed', 'repeatable read', 'serializable'/.test(error.message),
      )
    })

    if (dialect.name === 'postgres') {
      test('serializable refuses a write skew with a SerializationError; running it again commits', async (t) => {
        const db = await teamsDatabase(t, dialect)
        await assert.rejects(
          writeSkew(db, 'serializable'),
          (error) =>
            error instanceof SerializationError &&
            error.code === 'OM_ORM_SERIALIZATION' &&
            /rolled this one back\. Run the transaction again/.test(error.message),
        )
        const { engine, Hero } = db
        await using again = new Session(engine, { isolationLevel: 'serializable' })
        await again.transaction(async () => {
          const heroes = await again.exec(select(Hero).orderBy(Hero.c.id)).all()
          heroes[2]!.age = 3
        })
        await using reader = new Session(engine)
        assert.deepEqual(
          (await reader.exec(select(Hero).orderBy(Hero.c.id)).all()).map((hero) => hero.age),
          [1, 48, 3],
        )
      })

      test("read committed, PostgreSQL's default, lets the same write skew commit", async (t) => {
        const db = await teamsDatabase(t, dialect)
        await writeSkew(db, 'read committed')
        await using reader = new Session(db.engine)
        assert.deepEqual(
          (await reader.exec(select(db.Hero).orderBy(db.Hero.c.id)).all()).map((hero) => hero.age),
          [1, 48, 3],
        )
      })
    }

    if (dialect.name === 'mysql') {
      for (const [level, locks] of [
        ['serializable', true],
        ['read committed', false],
      ] as const) {
        const what = locks
          ? 'locks the rows it read'
          : 'takes no lock: the lock is the level’s, not the read’s'
        test(`at ${level}, a plain read ${what}`, async (t) => {
          const { engine, Hero } = await teamsDatabase(t, dialect)
          await using reader = new Session(engine, { isolationLevel: level })
          await using writer = new Session(engine)
          await reader.begin()
          await reader.exec(select(Hero).where(Hero.c.id.eq(1))).one()
          const locking = writer.exec(select(Hero).where(Hero.c.id.eq(1)).forUpdate({ noWait: true })).one()
          if (locks) await assert.rejects(locking, LockNotAvailableError)
          else assert.equal((await locking).name, 'Deadpond')
          await writer.rollback()
          await reader.rollback()
        })
      }
    }
  })
}
