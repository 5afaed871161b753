/**
 * The Session's semantics where they must match SQLAlchemy's, on every dialect: small programs that ran
 * on SQLModel and on onemodel and differed. Each test is the behaviour SQLAlchemy 2.x shows.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  createAll,
  IntegrityError,
  OnemodelError,
  createEngine,
  field,
  Metadata,
  model,
  relationships,
  select,
  Session,
  SessionError,
  table,
  type Engine,
} from 'onemodel-ts'
import { DIALECTS, type DialectUnderTest } from '../support/dialects.ts'
import { heroesDatabase } from '../support/heroes.ts'

/** SQLModel's Team and Hero with `Team.heroes` and `Hero.team`, on a fresh database of `dialect`. */
async function teamsDatabase(dialect: DialectUnderTest) {
  const metadata = new Metadata()
  const tables = relationships(
    {
      Team: table(
        'team',
        model('Team', { id: field.integer({ primaryKey: true }), name: field.string({ unique: true }) }),
        { metadata },
      ),
      Hero: table(
        'hero',
        model('Hero', {
          id: field.integer({ primaryKey: true }),
          name: field.string({ unique: true }),
          team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
        }),
        { metadata },
      ),
    },
    ({ one, many }) => ({
      Team: { heroes: many('Hero', { backPopulates: 'team' }) },
      Hero: { team: one('Team', { backPopulates: 'heroes' }) },
    }),
  )
  const engine = createEngine(await dialect.isolatedUrl())
  await createAll(engine, { metadata })
  return { ...tables, engine }
}

/** Commits a team named Preventers in a session of its own, so a later session loads it without its heroes. */
async function addTeam(
  engine: Engine,
  Team: Awaited<ReturnType<typeof teamsDatabase>>['Team'],
): Promise<void> {
  await using session = new Session(engine)
  session.add(Team.create({ name: 'Preventers' }))
  await session.commit()
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: Session semantics`, () => {
    describe('a deleted row', () => {
      test('is refused by add() after its delete was committed, and nothing is inserted', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
        session.add(hero)
        await session.commit()
        await session.delete(hero)
        await session.commit()

        assert.throws(
          () => session.add(hero),
          (error: SessionError) =>
            error.code === 'OM_ORM_DELETED' && /Hero with id=1 was deleted/.test(error.message),
        )
        await using other = new Session(engine)
        assert.throws(() => other.add(hero), { code: 'OM_ORM_DELETED' }, 'another session refuses it too')
        await session.commit()
        assert.deepEqual(await session.exec(select(Hero)).all(), [])

        session.add(Hero.create({ ...hero }))
        await session.commit()
        assert.equal(
          (await session.get(Hero, 1))?.name,
          'Deadpond',
          'a new row made from its values is the fix',
        )
      })

      test('is refused by add() after its delete was flushed; rollback() brings it back', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
        session.add(hero)
        await session.commit()
        await session.delete(hero)
        await session.flush()

        assert.throws(() => session.add(hero), { code: 'OM_ORM_DELETED' })
        await session.rollback()
        session.add(hero)
        hero.age = 30
        await session.commit()
        assert.equal((await session.get(Hero, 1))?.age, 30)
      })
    })

    describe('a row in two sessions', () => {
      test('is refused by the second while the first holds it, and accepted once the first closes', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        const first = new Session(engine)
        first.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
        await first.commit()
        const hero = (await first.get(Hero, 1))!
        await using second = new Session(engine)

        assert.throws(
          () => second.add(hero),
          (error: SessionError) =>
            error.code === 'OM_ORM_ATTACHED' &&
            /Hero with id=1 is already in another open Session/.test(error.message),
        )
        hero.age = 30
        await first.rollback()
        assert.equal(hero.age, null, "the first session's rollback is the only one to act on the row")
        await second.commit()

        await first.close()
        second.add(hero)
        hero.age = 31
        await second.commit()
        await using third = new Session(engine)
        assert.equal(
          (await third.get(Hero, 1))?.age,
          31,
          'after the first closed, the second updates the row',
        )
      })

      test('a new row added to one open session is refused by another, so it is inserted once', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using first = new Session(engine)
        await using second = new Session(engine)
        const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
        first.add(hero)
        assert.throws(() => second.add(hero), /this new Hero is already in another open Session/)
        await first.commit()
        await second.commit()
        assert.equal((await second.exec(select(Hero)).all()).length, 1)
      })

      test('a row that left its session by a rollback can be added to another', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using first = new Session(engine)
        await using second = new Session(engine)
        const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
        first.add(hero)
        await first.rollback()
        second.add(hero)
        await second.commit()
        assert.equal((await first.get(Hero, 1))?.name, 'Deadpond')
      })
    })

    describe('a new row linked to a parent of the session', () => {
      test("is inserted by the next flush when the parent's collection is not loaded", async () => {
        const { engine, Team, Hero } = await teamsDatabase(dialect)
        await using _ = engine
        await addTeam(engine, Team)
        await using session = new Session(engine)
        const team = (await session.get(Team, 1))!
        const hero = Hero.create({ name: 'Rusty-Man' })
        hero.team = team
        await session.commit()

        assert.equal(hero.id, 1, 'the save-update cascade along the backref added the hero')
        assert.equal(hero.team_id, 1)
        await using other = new Session(engine)
        const stored = await other.exec(select(Hero)).all()
        assert.deepEqual(
          stored.map((row) => [row.name, row.team_id]),
          [['Rusty-Man', 1]],
        )
      })

      test('is not inserted when it was moved to a parent outside the session before the flush', async () => {
        const { engine, Team, Hero } = await teamsDatabase(dialect)
        await using _ = engine
        await addTeam(engine, Team)
        await using session = new Session(engine)
        const team = (await session.get(Team, 1))!
        const hero = Hero.create({ name: 'Rusty-Man' })
        hero.team = team
        hero.team = Team.create({ name: 'Z-Force' })
        await session.commit()
        assert.equal(hero.id, undefined, 'neither the hero nor its new team is in the session')
        assert.deepEqual(await session.exec(select(Hero)).all(), [])
      })
    })

    describe('the order of a flush', () => {
      test('a unique value renamed and given to a new row in one commit: the UPDATE runs first', async () => {
        const { engine, Team, log } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        const team = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })
        session.add(team)
        await session.commit()
        log.length = 0

        team.name = 'Former Preventers'
        session.add(Team.create({ name: 'Preventers', headquarters: 'Tower Two' }))
        await session.commit()

        assert.deepEqual(
          log.filter((line) => /^(insert|update)/.test(line)).map((line) => line.split(' ')[0]),
          ['update', 'insert'],
        )
        const names = (await session.exec(select(Team).orderBy(Team.c.id)).all()).map((row) => row.name)
        assert.deepEqual(names, ['Former Preventers', 'Preventers'])
      })

      test('parents are still inserted before the children that reference them', async () => {
        const { engine, Team, Hero } = await teamsDatabase(dialect)
        await using _ = engine
        await addTeam(engine, Team)
        await using session = new Session(engine)
        const hero = Hero.create({ name: 'Rusty-Man' })
        session.add(hero)
        await session.commit()
        const old = (await session.get(Team, 1))!
        old.name = 'Former Preventers'
        const team = Team.create({ name: 'Preventers' })
        hero.team = team
        hero.name = 'Rusty'
        const newcomer = Hero.create({ name: 'Rusty-Man' })
        newcomer.team = team
        session.add(newcomer)
        await session.commit()

        await using other = new Session(engine)
        const heroes = await other.exec(select(Hero).orderBy(Hero.c.id)).all()
        assert.deepEqual(
          heroes.map((row) => [row.name, row.team_id]),
          [
            ['Rusty', 2],
            ['Rusty-Man', 2],
          ],
        )
      })
    })

    describe('a rollback', () => {
      test('reads again a row first loaded in the transaction, so a later write is not lost', async () => {
        const { engine, Team, Hero } = await teamsDatabase(dialect)
        await using _ = engine
        await addTeam(engine, Team)
        await using session = new Session(engine)
        session.add(Hero.create({ name: 'Rusty-Man', team_id: 1 }))
        await session.commit()
        await using work = new Session(engine)
        await work.delete((await work.get(Team, 1))!)
        await work.flush()
        const hero = (await work.get(Hero, 1))!
        assert.equal(hero.team_id, null, 'inside the transaction, the delete detached the hero')

        await work.rollback()
        assert.equal(hero.team_id, 1, 'after the rollback, the row holds what the database holds')
        hero.team_id = null
        await work.commit()
        await using check = new Session(engine)
        assert.equal((await check.get(Hero, 1))?.team_id, null, 'the write was not skipped')
      })

      test('reads again a row refreshed in the transaction, so a later write is not lost', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson', age: 10 })
        session.add(hero)
        await session.commit()
        await using other = new Session(engine)
        ;(await other.get(Hero, 1))!.age = 20
        await other.commit()

        await session.begin()
        await session.refresh(hero)
        assert.equal(hero.age, 20)
        await session.rollback()
        assert.equal(hero.age, 20, 'the rollback does not put back the values from before the refresh')
        hero.age = 10
        await session.commit()
        await using check = new Session(engine)
        assert.equal((await check.get(Hero, 1))?.age, 10, 'the write was not skipped')
      })
    })

    describe('what the error reference advises', () => {
      test('commit() and rollback() with no transaction open are not errors', async () => {
        const { engine } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        await session.commit()
        await session.rollback()
        assert.equal(session.inTransaction, false)
      })

      test('after an IntegrityError, committing again writes nothing; adding the fixed row again does', async () => {
        const { engine, Team } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        session.add(Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' }))
        await session.commit()
        const team = Team.create({ name: 'Preventers', headquarters: 'Tower Two' })
        session.add(team)
        await assert.rejects(session.commit(), IntegrityError)

        team.name = 'Z-Force'
        await session.commit()
        assert.equal(team.id, undefined, 'the new row left the session with the rollback')
        session.add(team)
        await session.commit()
        assert.deepEqual(
          (await session.exec(select(Team).orderBy(Team.c.id)).all()).map((row) => row.name),
          ['Preventers', 'Z-Force'],
        )
      })
    })

    describe('a nested transaction', () => {
      test('a failure inside rolls back only the inner work, in the database and in memory', async () => {
        const { engine, Team, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        session.add(Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' }))
        await session.commit()
        const preventers = (await session.get(Team, 1))!

        const outer = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
        const inner = Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp' })
        await session.transaction(async () => {
          session.add(outer)
          preventers.headquarters = 'Outer Tower'
          await assert.rejects(
            session.transaction(async () => {
              session.add(inner)
              preventers.headquarters = 'Inner Tower'
              session.add(Team.create({ name: 'Preventers', headquarters: 'Elsewhere' }))
            }),
            IntegrityError,
          )
          assert.equal(session.inTransaction, true, 'the outer transaction goes on')
          assert.equal(inner.id, undefined, 'the inner insert was undone and its key cleared')
          assert.equal(preventers.headquarters, 'Outer Tower', 'the inner change was undone in memory')
          assert.equal(outer.id, 1)
        })

        await using check = new Session(engine)
        const heroes = await check.exec(select(Hero)).all()
        assert.deepEqual(
          heroes.map((hero) => hero.name),
          ['Deadpond'],
        )
        assert.equal((await check.get(Team, 1))?.headquarters, 'Outer Tower')
        assert.equal((await check.exec(select(Team)).all()).length, 1)
      })

      test('a nested transaction that returns keeps its work for the outer commit', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        await session.transaction(async () => {
          await session.transaction(async () => {
            session.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
          })
          await session
            .transaction(async () => {
              session.add(Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp' }))
              throw new Error('changed my mind')
            })
            .catch((error: Error) => assert.equal(error.message, 'changed my mind'))
        })
        await using check = new Session(engine)
        assert.deepEqual(
          (await check.exec(select(Hero)).all()).map((hero) => hero.name),
          ['Deadpond'],
        )
      })

      test('an outer rollback undoes the released inner work too', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
        await session.begin()
        await session.transaction(async () => session.add(hero))
        assert.equal(hero.id, 1)
        await session.rollback()
        assert.equal(hero.id, undefined)
        assert.deepEqual(await session.exec(select(Hero)).all(), [])
      })
    })
  })
}

const sqlite = DIALECTS.find((dialect) => dialect.name === 'sqlite')
if (sqlite) {
  describe('sqlite: a writer waiting for another Session of the engine', () => {
    test('gives up after the busy timeout with OM_ENGINE_BUSY, and the session stays usable', async () => {
      const { engine, Hero } = await heroesDatabase({ dialect: sqlite, sqlite: { busyTimeout: 200 } })
      await using _ = engine
      await using holder = new Session(engine)
      await holder.begin()
      await using writer = new Session(engine)
      const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
      writer.add(hero)

      const started = performance.now()
      await assert.rejects(
        writer.commit(),
        (error: OnemodelError) =>
          error.code === 'OM_ENGINE_BUSY' && /busy timeout \(200 ms\)/.test(error.message),
      )
      assert.ok(performance.now() - started >= 190, 'it waited for the busy timeout')
      assert.equal(hero.id, undefined)

      await holder.commit()
      writer.add(hero)
      await writer.commit()
      assert.equal(hero.id, 1, 'once the other transaction ended, the write goes through')
    })
  })
}
