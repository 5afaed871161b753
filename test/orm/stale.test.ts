/**
 * Rows deleted by another session, on every dialect: an UPDATE or DELETE by key that matches no row, and a
 * refresh that finds none, throw StaleDataError (as SQLAlchemy's unit of work raises its StaleDataError);
 * a failed flush rolls back, the stale row leaves the session, and the session stays usable. Two sessions
 * deleting one parent queue on its row instead of deadlocking.
 */
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import {
  createAll,
  createEngine,
  field,
  Metadata,
  model,
  relationships,
  select,
  Session,
  SessionError,
  StaleDataError,
  table,
} from 'onemodel-ts'
import { DIALECTS, type DialectUnderTest } from '../support/dialects.ts'
import { addTutorialHeroes, heroesDatabase, recordSql } from '../support/heroes.ts'

/** Asserts a StaleDataError about `model` with primary key `key`. */
function staleError(model: string, key: unknown) {
  return (error: unknown) => {
    assert.ok(error instanceof StaleDataError, `expected a StaleDataError, got ${String(error)}`)
    assert.ok(error instanceof SessionError)
    assert.equal(error.code, 'OM_ORM_STALE')
    assert.equal(error.name, 'StaleDataError')
    assert.equal(error.model, model)
    assert.equal(error.key, key)
    return true
  }
}

/**
 * Team and Hero, where deleting a team first sets its heroes' team_id to null (no onDelete), on a fresh
 * database whose statements are recorded in `log`.
 */
async function teamsDatabase(t: TestContext, dialect: DialectUnderTest) {
  const metadata = new Metadata()
  const models = relationships(
    {
      Team: table('team', model('Team', { id: field.integer({ primaryKey: true }), name: field.string() }), {
        metadata,
      }),
      Hero: table(
        'hero',
        model('Hero', {
          id: field.integer({ primaryKey: true }),
          name: field.string(),
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
  const recorded = recordSql()
  const engine = createEngine(await dialect.isolatedUrl(), recorded.options)
  t.after(() => engine.dispose())
  await createAll(engine, { metadata })
  return { ...models, engine, log: recorded.log }
}

type Teams = Awaited<ReturnType<typeof teamsDatabase>>

/** Commits a team with two heroes and returns the team's id. */
async function teamWithHeroes(engine: Teams['engine'], Team: Teams['Team'], Hero: Teams['Hero']) {
  await using session = new Session(engine)
  const preventers = Team.create({ name: 'Preventers' })
  session.add(preventers)
  await session.commit()
  const team = await session.refresh(preventers)
  session.addAll([
    Hero.create({ name: 'Rusty-Man', team_id: team.id }),
    Hero.create({ name: 'Tarantula', team_id: team.id }),
  ])
  await session.commit()
  return team.id
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: rows deleted by another session`, () => {
    test('an UPDATE that matches no row throws StaleDataError, rolls back the flush and forgets the row', async () => {
      const db = await heroesDatabase({ dialect })
      await using _ = db.engine
      await addTutorialHeroes(db)
      const { engine, Hero } = db
      await using session = new Session(engine)
      // Rusty-Man is loaded first, so his UPDATE runs (and is rolled back) before Deadpond's fails.
      const rustyMan = (await session.get(Hero, 2))!
      const deadpond = (await session.get(Hero, 1))!
      {
        await using other = new Session(engine)
        await other.delete((await other.get(Hero, 1))!)
        await other.commit()
      }
      const tarantula = Hero.create({ name: 'Tarantula', secret_name: 'Natalia Roman-on' })
      session.add(tarantula)
      rustyMan.age = 49
      deadpond.age = 35
      deadpond.secret_name = 'Wade Wilson'

      await assert.rejects(session.commit(), (error: unknown) => {
        staleError('Hero', 1)(error)
        const { message } = error as StaleDataError
        assert.match(message, /UPDATE of Hero with id=1 matched no row/)
        for (const value of ['Deadpond', 'Dive Wilson', 'Wade Wilson', '35', 'Tarantula']) {
          assert.ok(!message.includes(value), `the message must not show the value ${value}: ${message}`)
        }
        return true
      })

      assert.equal(session.inTransaction, false, 'the transaction was rolled back')
      assert.equal(rustyMan.age, 48, 'a row updated in the failed flush has its committed values back')
      assert.equal(tarantula.id, undefined, 'a row inserted in the failed flush lost its generated key')
      assert.equal(
        await session.get(Hero, 1),
        undefined,
        'the stale row left the session: get asks the database',
      )
      assert.deepEqual(
        (await session.exec(select(Hero).orderBy(Hero.c.id)).all()).map((hero) => [hero.id, hero.age]),
        [
          [2, 48],
          [3, 16],
        ],
        'nothing of the failed flush reached the database',
      )
      rustyMan.age = 50
      session.add(Hero.create({ name: 'Black Lion', secret_name: 'Trevor Challa' }))
      await session.commit()
      assert.equal((await session.exec(select(Hero)).all()).length, 3, 'the session stays usable')
    })

    test('a DELETE that matches no row throws StaleDataError: of two sessions deleting a row, one succeeds', async () => {
      const db = await heroesDatabase({ dialect })
      await using _ = db.engine
      await addTutorialHeroes(db)
      const { engine, Hero } = db
      await using first = new Session(engine)
      await using second = new Session(engine)
      await first.delete((await first.get(Hero, 2))!)
      const rustyMan = (await second.get(Hero, 2))!
      await second.delete(rustyMan)
      await first.commit()
      // With an insert, the DELETE runs in a transaction, which the stale error rolls back.
      second.add(Hero.create({ name: 'Tarantula', secret_name: 'Natalia Roman-on' }))
      await assert.rejects(second.commit(), staleError('Hero', 2))
      assert.equal(rustyMan.name, 'Rusty-Man', 'the object keeps its values')
      assert.equal(await second.get(Hero, 2), undefined)
      assert.deepEqual(
        (await second.exec(select(Hero).orderBy(Hero.c.id)).all()).map((hero) => hero.name),
        ['Deadpond', 'Spider-Boy'],
        'the insert of the failed transaction was rolled back',
      )
      await assert.rejects(second.delete(rustyMan), { code: 'OM_ORM_DETACHED' })
    })

    test('a DELETE alone in autocommit that matches no row throws StaleDataError', async () => {
      const db = await heroesDatabase({ dialect })
      await using _ = db.engine
      await addTutorialHeroes(db)
      await using first = new Session(db.engine)
      await using second = new Session(db.engine)
      await first.delete((await first.get(db.Hero, 3))!)
      await second.delete((await second.get(db.Hero, 3))!)
      await first.commit()
      await assert.rejects(second.commit(), staleError('Hero', 3))
      assert.equal(second.inTransaction, false)
      assert.equal(await second.get(db.Hero, 3), undefined)
    })

    test('refresh() of a row another session deleted throws StaleDataError and the row leaves the session', async () => {
      const db = await heroesDatabase({ dialect })
      await using _ = db.engine
      await addTutorialHeroes(db)
      await using session = new Session(db.engine)
      const hero = (await session.get(db.Hero, 1))!
      hero.age = 35
      await session.commit()
      {
        await using other = new Session(db.engine)
        await other.delete((await other.get(db.Hero, 1))!)
        await other.commit()
      }
      await assert.rejects(session.refresh(hero), (error: unknown) => {
        staleError('Hero', 1)(error)
        assert.match(
          (error as Error).message,
          /session\.refresh\(\): Hero with id=1 is no longer in table "hero"/,
        )
        assert.ok(!(error as Error).message.includes('Dive Wilson'))
        return true
      })
      assert.equal(await session.get(db.Hero, 1), undefined)
      await assert.rejects(session.refresh(hero), { code: 'OM_ORM_DETACHED' })
    })

    test('an UPDATE writing the values the row already has is not stale (MySQL counts matched rows)', async () => {
      const db = await heroesDatabase({ dialect })
      await using _ = db.engine
      await addTutorialHeroes(db)
      await using first = new Session(db.engine)
      await using second = new Session(db.engine)
      const inFirst = (await first.get(db.Hero, 2))!
      const inSecond = (await second.get(db.Hero, 2))!
      inFirst.age = 30
      await first.commit()
      inSecond.age = 30
      await second.commit()
      await second.refresh(inSecond)
      assert.equal(inSecond.age, 30)
    })

    test('of two sessions deleting one parent, the second waits on its row locked first, then finds it gone', async (t) => {
      const { engine, Team, Hero, log } = await teamsDatabase(t, dialect)
      const teamId = await teamWithHeroes(engine, Team, Hero)
      await using first = new Session(engine)
      await using second = new Session(engine)
      await first.delete((await first.get(Team, teamId))!)
      await second.delete((await second.get(Team, teamId))!)
      log.length = 0
      await first.flush()
      // SQLite has no row locks: its write transaction already keeps the second session out.
      const lock =
        dialect.name === 'sqlite' ? [] : ['select "id" from "team" where "id" = ? for update -- 1 parameter']
      assert.deepEqual(
        log.filter((line) => /^(select|update|delete)/.test(line)),
        [
          ...lock,
          'update "hero" set "team_id" = ? where "team_id" = ? -- 2 parameters',
          'delete from "team" where "id" = ? -- 1 parameter',
        ],
        'the parent is locked before its children are detached',
      )
      // The second commit waits for the first, and may fail before first.commit() has returned.
      const secondFails = assert.rejects(second.commit(), staleError('Team', teamId))
      await first.commit()
      await secondFails
      assert.equal(second.inTransaction, false)
    })

    test('two sessions deleting one parent at once: one succeeds, the other is stale, none deadlocks', async (t) => {
      const { engine, Team, Hero } = await teamsDatabase(t, dialect)
      const rounds = 10
      for (let round = 0; round < rounds; round++) {
        const teamId = await teamWithHeroes(engine, Team, Hero)
        await using first = new Session(engine)
        await using second = new Session(engine)
        await first.delete((await first.get(Team, teamId))!)
        await second.delete((await second.get(Team, teamId))!)
        const results = await Promise.allSettled([first.commit(), second.commit()])
        const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []))
        assert.equal(failures.length, 1, `round ${round}: ${failures.map(String).join('; ')}`)
        staleError('Team', teamId)(failures[0])
      }
      await using check = new Session(engine)
      assert.deepEqual(await check.exec(select(Team)).all(), [])
      const heroes = await check.exec(select(Hero)).all()
      assert.equal(heroes.length, 2 * rounds)
      assert.ok(
        heroes.every((hero) => hero.team_id === null),
        'every hero was detached',
      )
    })
  })
}
