/**
 * update() and deleteFrom(): the affected count, the SQL, and the Session's held rows kept in line with the
 * database (SQLAlchemy's synchronize_session), on every dialect of DIALECTS.
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import {
  deleteFrom,
  InvalidQueryError,
  NotSupportedError,
  select,
  Session,
  update,
  ValidationError,
} from 'onemodel-ts'
import { addTutorialHeroes, heroesDatabase } from '../support/heroes.ts'
import { DIALECTS } from '../support/dialects.ts'

type Db = Awaited<ReturnType<typeof heroesDatabase>>

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: bulk writes`, () => {
    // 1 Deadpond (age null), 2 Rusty-Man (48), 3 Spider-Boy (16); each test writes, so each gets its own.
    let db: Db
    beforeEach(async () => {
      db = await heroesDatabase({ dialect })
      await addTutorialHeroes(db)
    })
    afterEach(() => db?.engine.dispose())

    async function ages(): Promise<Record<string, number | null>> {
      await using session = new Session(db.engine)
      const heroes = await session.exec(select(db.Hero).orderBy(db.Hero.c.id)).all()
      return Object.fromEntries(heroes.map((hero) => [hero.name, hero.age]))
    }

    test('update(): sets the values on the matching rows and answers how many', async () => {
      const { Hero, engine, log } = db
      await using session = new Session(engine)
      const { affected } = await session.exec(update(Hero).where(Hero.c.age.ne(null)).values({ age: 30 }))
      assert.equal(affected, 2)
      assert.deepEqual(log, ['update "hero" set "age" = ? where "hero"."age" is not null -- 1 parameter'])
      assert.deepEqual(await ages(), { Deadpond: null, 'Rusty-Man': 30, 'Spider-Boy': 30 })
    })

    test('update() without where() updates every row, as in SQL', async () => {
      const { Hero, engine } = db
      await using session = new Session(engine)
      assert.deepEqual(await session.exec(update(Hero).values({ age: 1 })), { affected: 3 })
      assert.deepEqual(await ages(), { Deadpond: 1, 'Rusty-Man': 1, 'Spider-Boy': 1 })
    })

    test('deleteFrom(): deletes the matching rows and answers how many', async () => {
      const { Hero, engine, log } = db
      await using session = new Session(engine)
      const { affected } = await session.exec(deleteFrom(Hero).where(Hero.c.age.lt(40)))
      assert.equal(affected, 1)
      assert.deepEqual(log, ['delete from "hero" where "hero"."age" < ? -- 1 parameter'])
      assert.deepEqual(await ages(), { Deadpond: null, 'Rusty-Man': 48 })
    })

    test('a held row sees the update, and the next flush writes nothing', async () => {
      const { Hero, engine, log } = db
      await using session = new Session(engine)
      const rusty = (await session.get(Hero, 2))!
      const deadpond = (await session.get(Hero, 1))!
      await session.exec(update(Hero).where(Hero.c.name.eq('Rusty-Man')).values({ age: 49 }))
      assert.equal(rusty.age, 49)
      assert.equal(deadpond.age, null)
      log.length = 0
      await session.commit()
      assert.deepEqual(log, [], 'nothing left to flush')
      // A later change of the row is written as usual, from its new values.
      rusty.age = 50
      await session.commit()
      assert.deepEqual(await ages(), { Deadpond: null, 'Rusty-Man': 50, 'Spider-Boy': 16 })
    })

    test('a pending change is flushed before the update (autoflush), which then wins', async () => {
      const { Hero, engine } = db
      await using session = new Session(engine)
      const spider = (await session.get(Hero, 3))!
      spider.name = 'Spider-Youngster'
      await session.exec(update(Hero).where(Hero.c.name.eq('Spider-Youngster')).values({ age: 17 }))
      assert.equal(spider.age, 17, 'the update found the row by its flushed name')
      await session.commit()
      assert.deepEqual(await ages(), { Deadpond: null, 'Rusty-Man': 48, 'Spider-Youngster': 17 })
    })

    test('a held row that is deleted leaves the session', async () => {
      const { Hero, engine } = db
      await using session = new Session(engine)
      const spider = (await session.get(Hero, 3))!
      const rusty = (await session.get(Hero, 2))!
      await session.exec(deleteFrom(Hero).where(Hero.c.age.lt(40)))
      assert.equal(await session.get(Hero, 3), undefined)
      await assert.rejects(session.refresh(spider), { code: 'OM_ORM_DETACHED' })
      assert.throws(() => session.add(spider), { code: 'OM_ORM_DELETED' })
      assert.equal(await session.get(Hero, 2), rusty, 'the rows not deleted stay')
    })

    test('in a transaction: a rollback undoes the update and brings deleted rows back', async () => {
      const { Hero, engine } = db
      await using session = new Session(engine)
      const rusty = (await session.get(Hero, 2))!
      const spider = (await session.get(Hero, 3))!
      await session.begin()
      await session.exec(update(Hero).where(Hero.c.id.eq(2)).values({ age: 99 }))
      await session.exec(deleteFrom(Hero).where(Hero.c.id.eq(3)))
      assert.equal(rusty.age, 99)
      assert.equal(await session.get(Hero, 3), undefined)
      await session.rollback()
      assert.equal(rusty.age, 48)
      assert.equal(await session.get(Hero, 3), spider)
      assert.deepEqual(await ages(), { Deadpond: null, 'Rusty-Man': 48, 'Spider-Boy': 16 })
    })

    test('in a transaction: a commit keeps both', async () => {
      const { Hero, engine } = db
      await using session = new Session(engine)
      const rusty = (await session.get(Hero, 2))!
      await session.transaction(async () => {
        await session.exec(update(Hero).where(Hero.c.id.eq(2)).values({ age: 99 }))
        await session.exec(deleteFrom(Hero).where(Hero.c.id.eq(3)))
      })
      assert.equal(rusty.age, 99)
      assert.deepEqual(await ages(), { Deadpond: null, 'Rusty-Man': 99 })
    })

    test('null and several columns in one update', async () => {
      const { Hero, engine } = db
      await using session = new Session(engine)
      await session.exec(update(Hero).where(Hero.c.id.eq(1)).values({ age: null, secret_name: 'Wade' }))
      const deadpond = await session.exec(select(Hero).where(Hero.c.id.eq(1))).one()
      assert.equal(deadpond.secret_name, 'Wade')
      assert.equal(deadpond.age, null)
    })

    test('unknown columns, the primary key and an empty update are refused before the database', async () => {
      const { Hero, engine, log } = db
      const unknown = { power: 1 } as unknown as { age: number } // as an untyped caller could pass it
      assert.throws(() => update(Hero).values(unknown), {
        name: InvalidQueryError.name,
        message: /Hero has no column 'power'/,
      })
      assert.throws(() => update(Hero).values({ id: 7 }), { message: /'id' is the primary key/ })
      await using session = new Session(engine)
      await assert.rejects(session.exec(update(Hero).where(Hero.c.id.eq(1))), { message: /no values to set/ })
      assert.deepEqual(log, [])
    })

    test('values are validated as the fields validate a row, before the database', async () => {
      const { Hero, log } = db
      assert.throws(() => update(Hero).values({ age: 3_000_000_000 }), {
        name: ValidationError.name,
        message: /Hero/,
      })
      const nul = { name: 'Dead\u0000pond' }
      assert.throws(() => update(Hero).values(nul), { name: ValidationError.name })
      const lax = { age: '31' } as unknown as { age: number } // as an untyped caller could pass it
      assert.deepEqual(update(Hero).values(lax).state.values, { age: 31 })
      assert.deepEqual(log, [])
    })

    if (dialect.name === 'mysql') {
      test('returning(): MySQL has no UPDATE … RETURNING, and says what to do instead', async () => {
        const { Hero, engine, log } = db
        await using session = new Session(engine)
        for (const write of [update(Hero).values({ age: 1 }).returning(), deleteFrom(Hero).returning()]) {
          await assert.rejects(session.exec(write), {
            name: NotSupportedError.name,
            code: 'OM_ORM_NOT_SUPPORTED',
            message: /mysql has no (UPDATE|DELETE) … RETURNING\. Run the write without returning\(\)/,
          })
        }
        assert.deepEqual(log, [], 'refused before anything ran')
      })
    } else {
      test("update().returning(): the rows with their new values, the held ones being the Session's", async () => {
        const { Hero, engine, log } = db
        await using session = new Session(engine)
        const rusty = (await session.get(Hero, 2))!
        log.length = 0
        const { affected, rows } = await session.exec(
          update(Hero).where(Hero.c.age.ne(null)).values({ age: 30 }).returning(),
        )
        // Every column of the model is returned (the log's spelling drops the first one's `returning`).
        assert.match(
          log[0]!,
          /^update "hero" set "age" = \? where "hero"\."age" is not null.*"hero"\."team_id" -- 1 parameter$/,
        )
        assert.equal(affected, 2)
        const sorted = rows.sort((a, b) => a.id - b.id)
        assert.deepEqual(
          sorted.map((hero) => [hero.name, hero.age]),
          [
            ['Rusty-Man', 30],
            ['Spider-Boy', 30],
          ],
        )
        assert.equal(sorted[0], rusty)
        assert.equal(await session.get(Hero, 3), sorted[1], 'the other row is in the Session now')
      })

      test('deleteFrom().returning(): the rows as they were, and the held ones leave the Session', async () => {
        const { Hero, engine } = db
        await using session = new Session(engine)
        const spider = (await session.get(Hero, 3))!
        const { affected, rows } = await session.exec(deleteFrom(Hero).where(Hero.c.age.lt(40)).returning())
        assert.equal(affected, 1)
        assert.deepEqual(
          rows.map((hero) => [hero.id, hero.name, hero.age]),
          [[3, 'Spider-Boy', 16]],
        )
        assert.notEqual(rows[0], spider, 'a copy: the held row has left the Session')
        assert.equal(await session.get(Hero, 3), undefined)
      })
    }

    test('builders are immutable: a base query can be shared', async () => {
      const { Hero } = db
      const base = update(Hero).where(Hero.c.age.gt(20))
      const a = base.values({ age: 1 })
      const b = base.values({ age: 2 })
      assert.deepEqual(base.state.values, {})
      assert.deepEqual([a.state.values, b.state.values], [{ age: 1 }, { age: 2 }])
      assert.ok(Object.isFrozen(a.state) && Object.isFrozen(a.state.values))
    })
  })
}
