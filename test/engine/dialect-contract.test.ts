/**
 * The dialect contract: the same behaviour, asserted the same way, on SQLite, PostgreSQL and MySQL.
 */
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { describe, test } from 'node:test'
import {
  ConnectionError,
  createAll,
  createEngine,
  dropAll,
  field,
  IntegrityError,
  DataError,
  OnemodelError,
  Metadata,
  model,
  Session,
  select,
  table,
  type Engine,
  type EngineOptions,
} from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'

function declare() {
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
      name: field.string({ index: true }),
      secret_name: field.string({ secret: true }),
      age: field.integer({ nullable: true, default: null }),
      score: field.number({ default: 0.5 }),
      active: field.boolean({ default: true }),
      born: field.datetime({ nullable: true, default: null }),
      birthday: field.date({ nullable: true, default: null }),
      tags: field.json<string[]>({ default: [] }),
      team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id', onDelete: 'set null' }),
    }),
    { metadata },
  )
  return { metadata, Team, Hero }
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: dialect contract`, () => {
    async function setup(options: EngineOptions = {}) {
      const models = declare()
      const engine = createEngine(await dialect.isolatedUrl(), options)
      await createAll(engine, { metadata: models.metadata })
      return { ...models, engine }
    }

    test('createAll is idempotent and dropAll removes the tables', async () => {
      const { engine, metadata, Hero } = await setup()
      await using _ = engine
      await createAll(engine, { metadata })
      await dropAll(engine, { metadata })
      await dropAll(engine, { metadata })
      await createAll(engine, { metadata })
      await using session = new Session(engine)
      assert.deepEqual(await session.exec(select(Hero)).all(), [], 'the recreated table is empty')
    })

    test('every field kind round-trips with its JavaScript type', async () => {
      const { engine, Hero, Team } = await setup()
      await using _ = engine
      const born = new Date('2001-02-03T04:05:06.789Z')
      {
        await using session = new Session(engine)
        const team = Team.create({ name: 'Preventers' })
        session.add(team)
        await session.commit()
        session.add(
          Hero.create({
            name: 'Deadpond',
            secret_name: 'Dive Wilson',
            age: 30,
            score: 1.25,
            active: false,
            born,
            birthday: '2001-02-03',
            tags: ['a', 'b'],
            team_id: team.id,
          }),
        )
        await session.commit()
      }
      await using session = new Session(engine)
      const hero = await session.exec(select(Hero)).one()
      assert.deepEqual(
        { ...hero },
        {
          id: 1,
          name: 'Deadpond',
          secret_name: 'Dive Wilson',
          age: 30,
          score: 1.25,
          active: false,
          born,
          birthday: '2001-02-03',
          tags: ['a', 'b'],
          team_id: 1,
        },
      )
    })

    test('contains matches % and _ literally', async () => {
      const { engine, Hero } = await setup()
      await using _ = engine
      await using session = new Session(engine)
      session.addAll(
        ['100% Man', '100 Man', 'Rusty_Man', 'RustyXMan', 'back\\slash'].map((name) =>
          Hero.create({ name, secret_name: 's' }),
        ),
      )
      await session.commit()
      const names = async (text: string) =>
        (await session.exec(select(Hero).where(Hero.c.name.contains(text)).orderBy(Hero.c.id)).all()).map(
          (h) => h.name,
        )
      assert.deepEqual(await names('%'), ['100% Man'])
      assert.deepEqual(await names('_'), ['Rusty_Man'])
      assert.deepEqual(await names('\\'), ['back\\slash'])
      assert.deepEqual(await names('Man'), ['100% Man', '100 Man', 'Rusty_Man', 'RustyXMan'])
    })

    test('the limits validation allows are stored and read back unchanged', async () => {
      const { engine, Hero, Team } = await setup()
      await using _ = engine
      const text = 'Déadpond 🦸‍♀️ 漢字 𝄞 '.repeat(50)
      const edges = [
        {
          name: text,
          secret_name: '🦸'.repeat(1000),
          age: 2147483647,
          score: Number.MAX_VALUE,
          born: new Date('1000-01-01T00:00:00.000Z'),
          birthday: '0001-01-01',
          tags: [text, '\ud83e\uddb8'],
        },
        {
          name: 'x',
          secret_name: 'y',
          age: -2147483648,
          score: Number.MIN_VALUE,
          born: new Date('9999-12-31T23:59:59.999Z'),
          birthday: '9999-12-31',
          tags: [],
        },
      ]
      {
        await using session = new Session(engine)
        // A key string's 255 characters, each 4 bytes in UTF-8: the widest key every index holds.
        session.add(Team.create({ name: '🦸'.repeat(255) }))
        for (const edge of edges) session.add(Hero.validate(edge))
        await session.commit()
      }
      await using session = new Session(engine)
      const heroes = await session.exec(select(Hero).orderBy(Hero.c.id)).all()
      assert.deepEqual(
        heroes.map(({ id: _id, active: _active, team_id: _team, ...values }) => values),
        edges,
      )
      assert.equal((await session.exec(select(Team)).one()).name, '🦸'.repeat(255))
    })

    test('unique and foreign key violations are IntegrityErrors naming the constraint, without values', async () => {
      const { engine, Hero, Team } = await setup()
      await using _ = engine
      await using session = new Session(engine)
      session.add(Team.create({ name: 'Preventers' }))
      await session.commit()
      session.add(Team.create({ name: 'Preventers' }))
      const unique = await session.commit().then(
        () => assert.fail('a duplicate name must be rejected'),
        (error: unknown) => error,
      )
      assert.ok(unique instanceof IntegrityError)
      assert.equal(unique.constraint, 'unique')
      assert.match(
        unique.target ?? '',
        /team.*name/,
        'the target names the table and column or the constraint',
      )
      assert.doesNotMatch(unique.message, /Preventers/, 'the message never repeats the rejected value')

      session.add(Hero.create({ name: 'Ghost', secret_name: 'Top Secret', team_id: 999 }))
      const foreign = await session.commit().then(
        () => assert.fail('a team_id naming no team must be rejected'),
        (error: unknown) => error,
      )
      assert.ok(foreign instanceof IntegrityError)
      assert.equal(foreign.constraint, 'foreign_key')
      assert.doesNotMatch(foreign.message, /Top Secret/)

      session.add(Team.create({ name: 'Z-Force' }))
      await session.commit()
      assert.equal((await session.exec(select(Team)).all()).length, 2, 'the session works after the failures')
    })

    test('dispose closes the connections sessions used; their next query fails with OM_ENGINE_DISPOSED', async () => {
      const url = await dialect.isolatedUrl()
      const { metadata, Team } = declare()
      {
        await using setup = createEngine(url)
        await createAll(setup, { metadata })
      }
      // Used only through a Session, so Kysely itself never initializes this engine's driver.
      const engine = createEngine(url)
      const session = new Session(engine)
      session.add(Team.create({ name: 'Preventers' }))
      await session.commit()
      await engine.dispose()
      await assert.rejects(session.exec(select(Team)).all(), { code: 'OM_ENGINE_DISPOSED' })
      await engine.dispose()
    })

    test('32 concurrent inserts get 32 distinct ids and 32 rows', async () => {
      const { engine, Hero } = await setup({ pool: { size: 5 } })
      await using _ = engine
      const ids = await Promise.all(
        Array.from({ length: 32 }, async (_, i) => {
          await using session = new Session(engine)
          const hero = Hero.create({ name: `Hero ${i}`, secret_name: 's' })
          session.add(hero)
          await session.commit()
          return hero.id
        }),
      )
      assert.equal(new Set(ids).size, 32, 'every insert got its own id')
      await using session = new Session(engine)
      assert.equal((await session.exec(select(Hero)).all()).length, 32, 'no insert was lost')
    })

    test('50 concurrent sessions share a pool of 5', async () => {
      const { engine, Hero } = await setup({ pool: { size: 5 } })
      await using _ = engine
      const results = await Promise.all(
        Array.from({ length: 50 }, async () => {
          await using session = new Session(engine)
          await session.begin()
          const heroes = await session.exec(select(Hero)).all()
          await session.commit()
          return heroes.length
        }),
      )
      assert.deepEqual(new Set(results), new Set([0]), 'all 50 sessions completed')
    })

    test('a value set past validation that the column cannot hold is a DataError naming no value', async () => {
      const { engine, Hero } = await setup()
      await using _ = engine
      // Validation refuses each of these; code that assigns to a row skips it, and the database decides.
      const cases = [
        { set: { age: 3_000_000_000 }, refusedBy: ['postgres', 'mysql'], shown: /3000000000/ },
        { set: { name: 'secret\u0000name' }, refusedBy: ['postgres'], shown: /secret/ },
        { set: { tags: ['secret\u0000tag'] }, refusedBy: ['postgres'], shown: /secret/ },
        { set: { born: new Date(8.64e15) }, refusedBy: ['mysql'], shown: /275760/ },
      ]
      for (const { set, refusedBy, shown } of cases) {
        await using session = new Session(engine)
        session.add(Object.assign(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }), set))
        const stored = await session.commit().then(
          () => true,
          (error: unknown) => {
            assert.ok(error instanceof DataError, String(error))
            assert.equal(error.code, 'OM_ORM_DATA')
            assert.doesNotMatch(error.message, shown, 'the value never appears')
            // A logger prints an error's causes with it (pino's err serializer does): the driver's text is not one.
            assert.doesNotMatch(inspect(error), shown, 'nor in what a logger prints of the error')
            assert.ok(error.driverCode !== undefined, 'the driver code tells the cases apart')
            return false
          },
        )
        const refused = refusedBy.includes(dialect.name)
        assert.equal(
          stored,
          !refused,
          `${dialect.name} ${refused ? 'refuses' : 'stores'} ${Object.keys(set)[0]}`,
        )
      }
    })

    test(
      'a statement beyond the statement timeout is OM_ENGINE_TIMEOUT',
      { skip: dialect.name === 'sqlite' && 'SQLite has no statement timeout' },
      async () => {
        const engine = createEngine(await dialect.isolatedUrl(), { pool: { size: 1, statementTimeout: 100 } })
        await using _ = engine
        const sleep = dialect.name === 'postgres' ? 'select pg_sleep(2)' : 'select sleep(2)'
        await assert.rejects(
          engine.db.executeQuery({ sql: sleep, parameters: [] } as never),
          (error: unknown) => {
            assert.ok(error instanceof OnemodelError, String(error))
            assert.equal(error.code, 'OM_ENGINE_TIMEOUT')
            return true
          },
        )
      },
    )
  })
}

describe('unreachable servers', () => {
  const dead: [string, string][] = [
    ['postgres', 'postgresql://postgres:postgres@127.0.0.1:1/onemodel_test'],
    ['mysql', 'mysql://root:root@127.0.0.1:1/onemodel_test'],
  ]
  for (const [name, url] of dead) {
    test(`${name}: a dead server is a ConnectionError within the timeout, and no password is shown`, async () => {
      const engine: Engine = createEngine(url, { pool: { connectTimeout: 1000 } })
      await using session = new Session(engine)
      const error = await session.exec(select(declare().Hero)).then(
        () => assert.fail('no server listens on port 1'),
        (error: unknown) => error,
      )
      assert.ok(error instanceof ConnectionError, `expected ConnectionError, got ${String(error)}`)
      assert.match(error.message, /127\.0\.0\.1:1/)
      assert.doesNotMatch(error.message, /postgres:postgres|root:root/, 'the password never appears')
      await engine.dispose()
    })
  }
})
