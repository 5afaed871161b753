/**
 * Session: add, addAll, get, exec, commit, refresh, delete, close, dirty tracking, on every dialect of
 * DIALECTS (a SQLite file, a PostgreSQL schema, a MySQL database), each test on a database of its own.
 * Echoed SQL is compared in SQLite's spelling (`neutralSql`), so one assertion serves every dialect.
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
  OnemodelError,
  select,
  Session,
  SessionError,
  table,
  type DialectName,
} from 'onemodel-ts'
import { addTutorialHeroes, heroesDatabase, recordSql } from '../support/heroes.ts'
import { DIALECTS } from '../support/dialects.ts'

/**
 * What a unique violation on team.name names: SQLite's message gives the table and column only; PostgreSQL
 * and MariaDB give the constraint createAll named.
 */
const UNIQUE_TARGET: Record<DialectName, string> = {
  sqlite: 'team.name',
  postgres: 'uq_team_name',
  mysql: 'uq_team_name',
}

/** Asserts that `error` is a SessionError with `code`. */
function sessionError(code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof SessionError, `expected a SessionError, got ${String(error)}`)
    assert.equal(error.code, code)
    return true
  }
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: Session`, () => {
    describe('Session.add', () => {
      test('inserts a new row at commit and fills in its generated id', async () => {
        const { engine, Hero, log } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
        session.add(hero)
        assert.equal(hero.id, undefined, 'no id before the flush')
        assert.equal(log.length, 0, 'add() alone sends nothing')
        await session.commit()
        assert.equal(hero.id, 1, 'set by the database at flush')
        assert.equal(log.filter((line) => line.startsWith('insert')).length, 1)
      })

      test('inserts parents before children and deletes children first, with no relationship declared', async () => {
        // This file declares no relationships(): the foreign keys alone decide the order of one flush.
        const { engine, Hero, Team, log } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson', team_id: 7 })
        const team = Team.create({ id: 7, name: 'Preventers', headquarters: 'Sharp Tower' })
        session.add(hero)
        session.add(team)
        await session.commit()
        assert.deepEqual(
          log.filter((line) => line.startsWith('insert')).map((line) => line.split(' ')[2]),
          ['"team"', '"hero"'],
          'the team went first, although it was added second',
        )
        await session.delete(team)
        await session.delete(hero)
        await session.commit()
        assert.deepEqual(
          log.filter((line) => line.startsWith('delete')).map((line) => line.split(' ')[2]),
          ['"hero"', '"team"'],
          'the hero went first, although it was deleted second',
        )
      })

      test('keeps an id given explicitly', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        session.add(Hero.create({ id: 42, name: 'Deadpond', secret_name: 'Dive Wilson' }))
        await session.commit()
        assert.equal((await session.get(Hero, 42))?.name, 'Deadpond')
      })

      test('inserts a row whose every column takes its default', async () => {
        const metadata = new Metadata()
        const Tick = table('tick', model('Tick', { id: field.integer({ primaryKey: true }) }), { metadata })
        await using engine = createEngine(await dialect.isolatedUrl())
        await createAll(engine, { metadata })
        await using session = new Session(engine)
        const ticks = [Tick.create({}), Tick.create({})]
        session.addAll(ticks)
        await session.commit()
        assert.deepEqual(
          ticks.map((tick) => tick.id),
          [1, 2],
          'MySQL spells it `() values ()`, the others `default values`',
        )
      })

      test('a generated id after an explicit one: the next free id, except on PostgreSQL', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        session.add(Hero.create({ id: 1, name: 'Deadpond', secret_name: 'Dive Wilson' }))
        await session.commit()
        const next = Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp' })
        session.add(next)
        if (dialect.name === 'postgres') {
          // An identity column takes ids from its sequence, which an explicit id does not move (as with
          // SQLModel on PostgreSQL): the sequence's first id, 1, is taken.
          await assert.rejects(session.commit(), {
            code: 'OM_ORM_INTEGRITY',
            constraint: 'unique',
            target: 'hero_pkey',
          })
        } else {
          await session.commit()
          assert.equal(next.id, 2, 'SQLite and MySQL continue after the largest id')
        }
      })

      test('adding the same row twice inserts it once', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
        session.add(hero)
        session.add(hero)
        await session.commit()
        session.add(hero)
        await session.commit()
        assert.equal((await session.exec(select(Hero)).all()).length, 1)
      })

      test('rejects an object that is not a row of a table model', async () => {
        const { engine } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        const HeroCreate = model('HeroCreate', { name: field.string() })
        assert.throws(() => session.add({ name: 'Deadpond' }), sessionError('OM_ORM_NOT_A_ROW'))
        assert.throws(
          () => session.add(HeroCreate.create({ name: 'Deadpond' })),
          sessionError('OM_ORM_NOT_A_ROW'),
          'a row of a data model without table() cannot be stored',
        )
      })

      test('a row loaded by another session is updated, not inserted again', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        const { engine, Hero, log } = db
        let hero: typeof Hero.Type | undefined
        {
          await using first = new Session(engine)
          hero = await first.get(Hero, 1)
        }
        assert.ok(hero)
        hero.age = 36
        await using second = new Session(engine)
        second.add(hero)
        await second.commit()
        assert.deepEqual(
          log.filter((line) => !line.startsWith('select')),
          ['update "hero" set "age" = ? where "id" = ? -- 2 parameters'],
          'the second session knows the row is persistent and what changed',
        )
        assert.equal((await second.exec(select(Hero)).all()).length, 3, 'no duplicate row')
      })

      test('a row inserted and committed by another session is updated, not inserted again', async () => {
        const { engine, Hero, log } = await heroesDatabase({ dialect })
        await using _ = engine
        const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
        {
          await using first = new Session(engine)
          first.add(hero)
          await first.commit()
        }
        log.length = 0
        hero.age = 36
        await using second = new Session(engine)
        second.add(hero)
        await second.commit()
        assert.deepEqual(log, ['update "hero" set "age" = ? where "id" = ? -- 2 parameters'])
        assert.deepEqual(
          (await second.exec(select(Hero)).all()).map((row) => [row.id, row.age]),
          [[1, 36]],
          'no duplicate row',
        )
      })

      test('rejects a second object with the id of a row already in the session', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        const { engine, Hero } = db
        let copy: typeof Hero.Type | undefined
        {
          await using other = new Session(engine)
          copy = await other.get(Hero, 1)
        }
        await using session = new Session(engine)
        await session.get(Hero, 1)
        assert.throws(() => session.add(copy!), sessionError('OM_ORM_DETACHED'))
      })
    })

    describe('Session.addAll', () => {
      test('inserts every row, in order', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using session = new Session(db.engine)
        const heroes = await session.exec(select(db.Hero).orderBy(db.Hero.c.id)).all()
        assert.deepEqual(
          heroes.map((hero) => [hero.id, hero.name]),
          [
            [1, 'Deadpond'],
            [2, 'Rusty-Man'],
            [3, 'Spider-Boy'],
          ],
        )
      })
    })

    describe('Session.get', () => {
      test('returns the row with that primary key', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using session = new Session(db.engine)
        const hero = await session.get(db.Hero, 2)
        assert.deepEqual(
          { ...hero },
          { id: 2, name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48, team_id: null },
        )
      })

      test('returns undefined for a missing id', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using session = new Session(db.engine)
        assert.equal(await session.get(db.Hero, 999), undefined)
      })

      test('returns the same object for the same id, without a second query (identity map)', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using session = new Session(db.engine)
        const first = await session.get(db.Hero, 1)
        const second = await session.get(db.Hero, 1)
        assert.equal(first, second, 'one object per row in a session')
        assert.equal(db.log.length, 1, 'the second get is answered from the identity map')
      })

      test('returns the object a query loaded, and a query returns the object get loaded', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using session = new Session(db.engine)
        const viaGet = await session.get(db.Hero, 3)
        const viaQuery = await session.exec(select(db.Hero).where(db.Hero.c.name.eq('Spider-Boy'))).one()
        assert.equal(viaQuery, viaGet)
        const [deadpond] = await session.exec(select(db.Hero).where(db.Hero.c.id.eq(1))).all()
        assert.equal(await session.get(db.Hero, 1), deadpond)
      })

      test('finds a row added but not yet committed (autoflush)', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
        session.add(hero)
        assert.equal(await session.get(Hero, 1), hero, 'the pending row was flushed and is the same object')
      })

      test('returns undefined for a row marked for deletion', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using session = new Session(db.engine)
        const hero = await session.get(db.Hero, 1)
        await session.delete(hero!)
        assert.equal(await session.get(db.Hero, 1), undefined)
      })
    })

    describe('Session.exec', () => {
      test('an awaited result is iterable, and all(), first() and one() read it', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using session = new Session(db.engine)
        const result = await session.exec(select(db.Hero).orderBy(db.Hero.c.id))
        assert.deepEqual(
          [...result].map((hero) => hero.name),
          ['Deadpond', 'Rusty-Man', 'Spider-Boy'],
        )
        assert.equal(result.all().length, 3)
        assert.equal(result.first()?.name, 'Deadpond')
      })

      test('sees rows added but not committed (autoflush)', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        session.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
        assert.equal((await session.exec(select(Hero)).all()).length, 1)
      })

      test('with autoflush off, does not see rows added but not flushed', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine, { autoflush: false })
        session.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
        assert.equal((await session.exec(select(Hero)).all()).length, 0)
        await session.flush()
        assert.equal((await session.exec(select(Hero)).all()).length, 1)
      })

      test('does not overwrite unflushed changes of an object already in the session', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using session = new Session(db.engine, { autoflush: false })
        const hero = await session.get(db.Hero, 1)
        hero!.age = 99
        const [again] = await session.exec(select(db.Hero).where(db.Hero.c.id.eq(1))).all()
        assert.equal(again, hero)
        assert.equal(again!.age, 99, 'the change waits for the flush; the query does not undo it')
      })
    })

    describe('Session.flush', () => {
      test('writes inside a transaction without committing, and fills in generated ids', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
        session.add(hero)
        await session.flush()
        assert.equal(hero.id, 1)
        assert.equal(session.inTransaction, true, 'the flush opened a transaction that commit() will end')
        {
          await using other = new Session(engine)
          assert.equal(await other.get(Hero, 1), undefined, 'not visible before the commit')
        }
        await session.commit()
        await using other = new Session(engine)
        assert.equal((await other.get(Hero, 1))?.name, 'Deadpond')
      })

      test('with nothing to write, opens no transaction', async () => {
        const { engine, log } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        await session.flush()
        assert.equal(session.inTransaction, false)
        assert.equal(log.length, 0)
      })
    })

    describe('Session.commit', () => {
      test('with nothing to do, sends no SQL and succeeds', async () => {
        const { engine, log } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        await session.commit()
        await session.commit()
        assert.deepEqual(log, [])
        assert.equal(session.inTransaction, false)
      })

      test('after only reads, sends no write', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using session = new Session(db.engine)
        await session.get(db.Hero, 1)
        await session.exec(select(db.Hero)).all()
        await session.commit()
        assert.ok(
          db.log.every((line) => line.startsWith('select')),
          `a read-only session writes nothing: ${db.log}`,
        )
      })

      test('rows keep their values after commit', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        const hero = Hero.create({ name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16 })
        session.add(hero)
        await session.commit()
        assert.deepEqual(
          { ...hero },
          { id: 1, name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16, team_id: null },
          'expire_on_commit=False: no refresh is needed to read them',
        )
      })

      test('makes the changes visible to another session', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using writer = new Session(engine)
        writer.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
        await writer.commit()
        await using reader = new Session(engine)
        assert.equal((await reader.get(Hero, 1))?.name, 'Deadpond')
      })

      test('a unique violation is an IntegrityError naming the constraint, and the session stays usable', async () => {
        const { engine, Team } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        session.add(Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' }))
        await session.commit()
        session.add(Team.create({ name: 'Preventers', headquarters: 'Somewhere else' }))
        const error = await session.commit().then(
          () => assert.fail('a second team named Preventers must be rejected'),
          (error: unknown) => error,
        )
        assert.ok(error instanceof IntegrityError, `expected IntegrityError, got ${String(error)}`)
        assert.ok(error instanceof OnemodelError)
        assert.equal(error.code, 'OM_ORM_INTEGRITY')
        assert.equal(error.constraint, 'unique')
        assert.equal(error.target, UNIQUE_TARGET[dialect.name])
        assert.ok(error.message.includes(error.target!), 'the message names the constraint too')
        assert.doesNotMatch(error.message, /Preventers/, 'the rejected value is not repeated')
        assert.equal(session.inTransaction, false, 'the failed flush rolled back')

        await session.rollback()
        session.add(Team.create({ name: 'Z-Force', headquarters: 'Sister Margaret’s Bar' }))
        await session.commit()
        const names = (await session.exec(select(Team).orderBy(Team.c.id)).all()).map((team) => team.name)
        assert.deepEqual(names, ['Preventers', 'Z-Force'], 'the session works after the failure')
      })
    })

    describe('dirty tracking', () => {
      test('an UPDATE sets only the changed columns', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using session = new Session(db.engine)
        const hero = await session.get(db.Hero, 1)
        hero!.age = 35
        session.add(hero!)
        await session.commit()
        assert.deepEqual(db.log.slice(1), ['update "hero" set "age" = ? where "id" = ? -- 2 parameters'])
      })

      test('a changed row is updated without add(), two changed columns in one UPDATE', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using session = new Session(db.engine)
        const hero = await session.get(db.Hero, 2)
        hero!.name = 'Rusty-Woman'
        hero!.age = 49
        await session.commit()
        assert.deepEqual(db.log.slice(1), [
          'update "hero" set "name" = ?, "age" = ? where "id" = ? -- 3 parameters',
        ])
        await using other = new Session(db.engine)
        assert.deepEqual({ ...(await other.get(db.Hero, 2)) }, { ...hero })
      })

      test('an unchanged row, or a change undone before the flush, sends no UPDATE', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using session = new Session(db.engine)
        const hero = await session.get(db.Hero, 3)
        session.add(hero!)
        await session.commit()
        hero!.age = 17
        hero!.age = 16
        await session.commit()
        assert.ok(!db.log.some((line) => line.startsWith('update')), `no UPDATE expected: ${db.log}`)
      })

      test('each commit writes the changes made since the previous one', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using session = new Session(db.engine)
        const hero = await session.get(db.Hero, 3)
        hero!.age = 17
        await session.commit()
        hero!.secret_name = 'Peter Parker'
        await session.commit()
        assert.deepEqual(
          db.log.filter((line) => line.startsWith('update')),
          [
            'update "hero" set "age" = ? where "id" = ? -- 2 parameters',
            'update "hero" set "secret_name" = ? where "id" = ? -- 2 parameters',
          ],
        )
      })

      test('sees in-place changes of JSON values and ignores a new Date for the same instant', async () => {
        const metadata = new Metadata()
        const Event = table(
          'event',
          model('Event', {
            id: field.integer({ primaryKey: true }),
            at: field.datetime(),
            tags: field.json<string[]>({ default: [] }),
          }),
          { metadata },
        )
        const { log, options } = recordSql()
        await using engine = createEngine(await dialect.isolatedUrl(), options)
        await createAll(engine, { metadata })
        await using session = new Session(engine)
        const event = Event.create({ at: new Date('2020-01-01T00:00:00Z') })
        session.add(event)
        await session.commit()
        log.length = 0
        event.at = new Date('2020-01-01T00:00:00Z')
        event.tags.push('launch')
        await session.commit()
        assert.deepEqual(log, ['update "event" set "tags" = ? where "id" = ? -- 2 parameters'])
        await using other = new Session(engine)
        assert.deepEqual((await other.get(Event, 1))?.tags, ['launch'])
      })
    })

    describe('Session.refresh', () => {
      test('reloads the columns another session changed', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using session = new Session(db.engine)
        const hero = await session.get(db.Hero, 1)
        {
          await using other = new Session(db.engine)
          const same = await other.get(db.Hero, 1)
          same!.age = 35
          await other.commit()
        }
        assert.equal(hero!.age, null, 'the first session still has the old value')
        await session.refresh(hero!)
        assert.equal(hero!.age, 35)
      })

      test('rejects a row that was added but not flushed', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine, { autoflush: false })
        const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
        session.add(hero)
        await assert.rejects(session.refresh(hero), sessionError('OM_ORM_DETACHED'))
      })

      test('reports a row deleted elsewhere as OM_ORM_STALE', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using session = new Session(db.engine)
        const hero = await session.get(db.Hero, 1)
        {
          await using other = new Session(db.engine)
          await other.delete((await other.get(db.Hero, 1))!)
          await other.commit()
        }
        await assert.rejects(session.refresh(hero!), sessionError('OM_ORM_STALE'))
      })
    })

    describe('Session.delete', () => {
      test('deletes the row at commit, and the object keeps its values', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using session = new Session(db.engine)
        const hero = await session.get(db.Hero, 3)
        await session.delete(hero!)
        await session.commit()
        assert.deepEqual(db.log.slice(1), ['delete from "hero" where "id" = ? -- 1 parameter'])
        assert.equal(hero!.name, 'Spider-Boy', 'printing Deleted: Spider-Boy still works')
        await using other = new Session(db.engine)
        assert.equal(await other.get(db.Hero, 3), undefined)
      })

      test('removes a row that was added but never flushed, with no SQL', async () => {
        const { engine, Hero, log } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
        session.add(hero)
        await session.delete(hero)
        await session.commit()
        assert.deepEqual(log, [])
      })

      test('rejects a row that is not in the session', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        await using session = new Session(engine)
        await assert.rejects(
          session.delete(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })),
          sessionError('OM_ORM_DETACHED'),
        )
      })

      test('add() after delete() keeps the row', async () => {
        const db = await heroesDatabase({ dialect })
        await using _ = db.engine
        await addTutorialHeroes(db)
        await using session = new Session(db.engine)
        const hero = await session.get(db.Hero, 1)
        await session.delete(hero!)
        session.add(hero!)
        await session.commit()
        assert.equal(await session.get(db.Hero, 1), hero)
        assert.ok(!db.log.some((line) => line.startsWith('delete')))
      })
    })

    describe('Session.close', () => {
      test('rolls back what was not committed', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        const session = new Session(engine)
        session.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
        await session.flush()
        await session.close()
        await using other = new Session(engine)
        assert.deepEqual(await other.exec(select(Hero)).all(), [])
      })

      test('await using closes the session at the end of the block', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        let escaped: Session | undefined
        {
          await using session = new Session(engine)
          session.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
          await session.flush()
          escaped = session
        }
        assert.throws(
          () => escaped.add(Hero.create({ name: 'X', secret_name: 'Y' })),
          sessionError('OM_ORM_SESSION_CLOSED'),
        )
        await using other = new Session(engine)
        assert.deepEqual(
          await other.exec(select(Hero)).all(),
          [],
          'the flushed but uncommitted row was rolled back',
        )
      })

      test('a closed session refuses every method', async () => {
        const { engine, Hero } = await heroesDatabase({ dialect })
        await using _ = engine
        const session = new Session(engine)
        await session.close()
        await session.close() // closing twice is harmless
        const closed = sessionError('OM_ORM_SESSION_CLOSED')
        assert.throws(() => session.add(Hero.create({ name: 'X', secret_name: 'Y' })), closed)
        await assert.rejects(session.get(Hero, 1), closed)
        await assert.rejects(session.exec(select(Hero)).all(), closed)
        await assert.rejects(session.commit(), closed)
        await assert.rejects(session.rollback(), closed)
        await assert.rejects(session.begin(), closed)
      })
    })
  })
}
