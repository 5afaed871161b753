/**
 * session.count(query): a page's total in one statement, on every dialect of DIALECTS. The total ignores the
 * query's order, paging and loads, sees the Session's pending rows (autoflush), and each shape is built once.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { select, Session } from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { addTutorialHeroes, heroesDatabase } from '../support/heroes.ts'

type Db = Awaited<ReturnType<typeof heroesDatabase>>

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: session.count`, () => {
    // 1 Deadpond (age null), 2 Rusty-Man (48), 3 Spider-Boy (16).
    let db: Db
    before(async () => {
      db = await heroesDatabase({ dialect })
      await addTutorialHeroes(db)
    })
    after(() => db?.engine.dispose())

    test('counts every row of a table, and the rows a where keeps', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      assert.equal(await session.count(select(Hero)), 3)
      assert.equal(await session.count(select(Hero).where(Hero.c.age.gte(16))), 2)
      assert.equal(await session.count(select(Hero).where(Hero.c.name.eq('Nobody'))), 0)
    })

    test("ignores the query's order, limit and offset: the total of a page's query", async () => {
      const { Hero, log } = db
      await using session = new Session(db.engine)
      const page = select(Hero).where(Hero.c.id.gte(2)).orderBy(Hero.c.name.desc()).offset(1).limit(1)
      assert.equal((await session.exec(page).all()).length, 1)
      log.length = 0
      assert.equal(await session.count(page), 2)
      assert.deepEqual(log, [
        'select count(*) as "count" from (select "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" from "hero" where "hero"."id" >= ?) as "counted" -- 1 parameter',
      ])
    })

    test('sees pending rows, as every query of the Session does (autoflush)', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      session.add(Hero.create({ name: 'Tarantula', secret_name: 'Natalia Roman-on', age: 32 }))
      assert.equal(await session.count(select(Hero)), 4)
      await session.rollback()
      assert.equal(await session.count(select(Hero)), 3)
    })

    test('builds each shape once: other values, other pages, the same statement', async (t) => {
      const { Hero } = db
      await using session = new Session(db.engine)
      const adults = (age: number) => select(Hero).where(Hero.c.age.gte(age))
      assert.equal(await session.count(adults(18)), 1)
      const built = t.mock.method(db.engine.db, 'selectFrom')
      assert.equal(await session.count(adults(10)), 2)
      assert.equal(await session.count(adults(10).limit(1).offset(1)), 2)
      assert.equal(built.mock.callCount(), 0)
    })
  })
}
