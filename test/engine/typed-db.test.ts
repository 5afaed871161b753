/**
 * `engine.db` typed by the engine's tables, on every dialect of DIALECTS: a raw Kysely query written against
 * the models reads the rows the Session wrote, a raw insert of what the column types accept reads back
 * through the Session as the model's values, and raw reads return values within the column types (as the
 * driver reads them, not decoded). test/types/engine-db.test-types.ts checks the types themselves.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createAll, createEngine, field, Metadata, model, select, Session, table } from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'

function declareTables() {
  const metadata = new Metadata()
  const Team = table(
    'team',
    model('Team', { id: field.integer({ primaryKey: true }), name: field.string({ unique: true }) }),
    { metadata },
  )
  const Hero = table(
    'hero',
    model('Hero', {
      id: field.integer({ primaryKey: true }),
      name: field.string(),
      age: field.integer({ nullable: true, default: null }),
      active: field.boolean({ default: true }),
      born: field.datetime({ nullable: true, default: null }),
      tags: field.json<string[]>({ default: [] }),
      team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
    }),
    { metadata },
  )
  return { metadata, Team, Hero }
}

const BORN = new Date('1990-05-17T08:30:00.250Z')

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: engine.db typed by the engine's tables`, () => {
    async function database() {
      const { metadata, Team, Hero } = declareTables()
      const engine = createEngine(await dialect.isolatedUrl(), { tables: [Hero, Team] })
      await createAll(engine, { metadata })
      return { engine, Team, Hero }
    }

    test('a raw select reads the rows the Session wrote, as the same select() does', async () => {
      const { engine, Team, Hero } = await database()
      await using _engine = engine
      await using session = new Session(engine)
      const preventers = Team.create({ name: 'Preventers' })
      session.add(preventers)
      await session.flush()
      for (const [name, age] of [
        ['Deadpond', null],
        ['Rusty-Man', 48],
        ['Spider-Boy', 18],
        ['Captain North America', 93],
      ] as const) {
        session.add(Hero.create({ name, age, team_id: preventers.id }))
      }
      await session.commit()

      const raw = await engine.db
        .selectFrom('hero')
        .select(['id', 'name'])
        .where('age', '>', 30)
        .orderBy('id')
        .execute()
      // node:sqlite's rows have no prototype; compare their fields.
      const rows = raw.map((row) => ({ ...row }))
      const modelled = await session.exec(select(Hero).where(Hero.c.age.gt(30)).orderBy(Hero.c.id)).all()
      assert.deepEqual(rows, [
        { id: 2, name: 'Rusty-Man' },
        { id: 4, name: 'Captain North America' },
      ])
      assert.deepEqual(
        rows,
        modelled.map(({ id, name }) => ({ id, name })),
      )

      const joined = await engine.db
        .selectFrom('hero')
        .innerJoin('team', 'team.id', 'hero.team_id')
        .select(['hero.name as hero', 'team.name as team'])
        .where('hero.age', 'is', null)
        .execute()
      assert.deepEqual(
        joined.map((row) => ({ ...row })),
        [{ hero: 'Deadpond', team: 'Preventers' }],
      )
    })

    test('a raw insert of what the column types accept reads back through the Session as the model wrote it', async () => {
      const { engine, Hero } = await database()
      await using _engine = engine
      // The generated key and the nullable columns are left out; the JSON value is written as its text.
      await engine.db
        .insertInto('hero')
        .values({ name: 'Deadpond', active: false, born: BORN, tags: JSON.stringify(['red', 'mouthy']) })
        .execute()

      await using session = new Session(engine)
      const hero = await session.exec(select(Hero).where(Hero.c.name.eq('Deadpond'))).one()
      assert.deepEqual(
        { ...hero },
        {
          id: 1,
          name: 'Deadpond',
          age: null,
          active: false,
          born: BORN,
          tags: ['red', 'mouthy'],
          team_id: null,
        },
      )
    })

    test('a raw select returns values as the driver reads them, within the column types', async () => {
      const { engine, Hero } = await database()
      await using _engine = engine
      await using session = new Session(engine)
      session.add(Hero.create({ name: 'Deadpond', active: true, born: BORN, tags: ['red'] }))
      await session.commit()

      const row = await engine.db
        .selectFrom('hero')
        .select(['active', 'born', 'tags'])
        .executeTakeFirstOrThrow()
      // A boolean is `boolean | number` (0/1 on SQLite and MySQL), a datetime `Date | string` (ISO text on
      // SQLite), JSON `string[] | string` (text on SQLite and MariaDB): each holds the value written.
      assert.equal(typeof row.active === 'number' ? row.active === 1 : row.active, true)
      assert.equal(
        typeof row.born === 'string' ? new Date(row.born).getTime() : row.born?.getTime(),
        BORN.getTime(),
      )
      assert.deepEqual(typeof row.tags === 'string' ? JSON.parse(row.tags) : row.tags, ['red'])
    })
  })
}
