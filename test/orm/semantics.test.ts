/**
 * The Session's semantics where they must match SQLAlchemy's, on every dialect: small programs that ran
 * on SQLModel and on onemodel and differed. Each test is the behaviour SQLAlchemy 2.x shows.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { select, Session, SessionError } from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { heroesDatabase } from '../support/heroes.ts'

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
  })
}
