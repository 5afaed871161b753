/**
 * Rows of a table model: what the Session keeps about a row it loaded or committed (the values the
 * database last saw) never shows on the row, which prints, serializes, spreads and compares as its fields
 * alone, on every dialect of DIALECTS.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { inspect } from 'node:util'
import { select, Session } from 'onemodel-ts'
import { addTutorialHeroes, declareHeroes, heroesDatabase } from '../support/heroes.ts'
import { DIALECTS } from '../support/dialects.ts'

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: a row the Session loaded and committed`, () => {
    test('shows only its fields to Object.keys, JSON.stringify, a spread and util.inspect', async () => {
      const db = await heroesDatabase({ dialect })
      await using _ = db.engine
      await addTutorialHeroes(db)
      await using session = new Session(db.engine)
      const hero = (await session.get(db.Hero, 2))!
      hero.age = 49
      await session.commit()

      assert.deepEqual(Object.keys(hero), ['id', 'name', 'secret_name', 'age', 'team_id'])
      assert.deepEqual(
        Reflect.ownKeys(hero),
        ['id', 'name', 'secret_name', 'age', 'team_id'],
        'no hidden or symbol-keyed property either',
      )
      assert.equal(
        JSON.stringify(hero),
        '{"id":2,"name":"Rusty-Man","secret_name":"Tommy Sharp","age":49,"team_id":null}',
      )
      assert.deepEqual(
        { ...hero },
        { id: 2, name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 49, team_id: null },
      )
      assert.equal(
        inspect(hero),
        "Hero { id: 2, name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 49, team_id: null }",
      )
    })

    test('is deepStrictEqual to a new row of its model with the same values', async () => {
      const db = await heroesDatabase({ dialect })
      await using _ = db.engine
      await addTutorialHeroes(db)
      const { Hero } = db
      await using session = new Session(db.engine)
      const heroes = await session.exec(select(Hero).orderBy(Hero.c.id)).all()
      heroes[0]!.age = 36
      await session.commit()

      // deepStrictEqual compares the prototypes and the own properties; a row's private slot is neither.
      assert.deepStrictEqual(heroes, [
        Hero.create({ id: 1, name: 'Deadpond', secret_name: 'Dive Wilson', age: 36 }),
        Hero.create({ id: 2, name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 }),
        Hero.create({ id: 3, name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16 }),
      ])
      assert.notDeepStrictEqual(
        heroes[1],
        Hero.create({ id: 2, name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 47 }),
        'a different value is still seen',
      )
      assert.notDeepStrictEqual(heroes[1], { ...heroes[1] }, 'a plain object is not a Hero')

      await using other = new Session(db.engine)
      assert.deepStrictEqual(
        await other.get(Hero, 1),
        heroes[0],
        'rows of two sessions, with the same values, are equal',
      )
    })

    test('a row inserted and committed is equal to a new one too, and prints as one', async () => {
      const { engine, Hero } = await heroesDatabase({ dialect })
      await using _ = engine
      await using session = new Session(engine)
      const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
      session.add(hero)
      await session.commit()
      assert.deepStrictEqual(hero, Hero.create({ id: 1, name: 'Deadpond', secret_name: 'Dive Wilson' }))
      assert.equal(
        inspect(hero),
        "Hero { id: 1, name: 'Deadpond', secret_name: 'Dive Wilson', age: null, team_id: null }",
      )
      assert.equal(
        JSON.stringify(hero),
        '{"id":1,"name":"Deadpond","secret_name":"Dive Wilson","age":null,"team_id":null}',
      )
    })
  })
}

test('a write to an object that inherits from a row is that object’s own, and leaves the row as it was', () => {
  const { Hero } = declareHeroes()
  const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
  const heir: typeof hero = Object.create(hero)
  heir.name = 'Deadpool'
  assert.equal(heir.name, 'Deadpool')
  assert.equal(hero.name, 'Deadpond')
  assert.deepEqual(Object.keys(heir), ['name'])
})
