/**
 * bindParam() and session.exec(query, { params }), on every dialect of DIALECTS: a select built once runs
 * with each run's values, encoded as literal values in their places are; one select object run again
 * binds only its values, and no run's values reach the next; missing, unknown and misplaced parameters
 * are InvalidQueryErrors that name them.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  bindParam,
  count,
  createAll,
  createEngine,
  exists,
  field,
  InvalidQueryError,
  max,
  Metadata,
  model,
  type Condition,
  type ParamValues,
  select,
  Session,
  type Select,
  table,
  update,
} from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { refused } from '../support/refused.ts'
import { addTutorialHeroes, heroesDatabase } from '../support/heroes.ts'

type Db = Awaited<ReturnType<typeof heroesDatabase>>

const invalidQuery = (...parts: string[]) => refused(InvalidQueryError, ...parts)

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: bind parameters`, () => {
    // 1 Deadpond (age null), 2 Rusty-Man (48, Preventers), 3 Spider-Boy (16, Preventers); Z-Force has none.
    let db: Db
    before(async () => {
      db = await heroesDatabase({ dialect })
      await addTutorialHeroes(db)
      const { Hero, Team } = db
      await using session = new Session(db.engine)
      session.add(Team.create({ id: 1, name: 'Preventers', headquarters: 'Sharp Tower' }))
      session.add(Team.create({ id: 2, name: 'Z-Force', headquarters: 'Sister Margaret’s Bar' }))
      await session.commit()
      await session.exec(
        update(Hero)
          .where(Hero.c.id.in([2, 3]))
          .values({ team_id: 1 }),
      )
      db.log.length = 0
    })
    after(() => db?.engine.dispose())

    const names = (heroes: readonly { name: string }[]) => heroes.map((hero) => hero.name)

    test('one select object runs with each run’s values, in one SQL text built once', async (t) => {
      const { Hero, log } = db
      await using session = new Session(db.engine)
      const byName = select(Hero).where(Hero.c.name.eq(bindParam('name')))
      const run = async (name: string) => names(await session.exec(byName, { params: { name } }).all())
      assert.deepEqual(await run('Deadpond'), ['Deadpond'])
      const built = t.mock.method(db.engine.db, 'selectFrom')
      assert.deepEqual(await run('Rusty-Man'), ['Rusty-Man'])
      assert.deepEqual(await run('Nobody'), [])
      assert.deepEqual(await run('Deadpond'), ['Deadpond'])
      assert.equal(built.mock.callCount(), 0)
      assert.equal(new Set(log).size, 1, 'one SQL text')
      assert.match(log[0]!, /where "hero"."name" = \? -- 1 parameter$/)
    })

    test('comparisons take their values per run; a value of the same shape built per call keeps its own', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      const between = select(Hero)
        .where(Hero.c.age.gt(bindParam('low')), Hero.c.age.lte(bindParam('high')))
        .orderBy(Hero.c.id)
      const run = async (low: number, high: number) =>
        names(await session.exec(between, { params: { low, high } }).all())
      assert.deepEqual(await run(0, 100), ['Rusty-Man', 'Spider-Boy'])
      assert.deepEqual(await run(16, 48), ['Rusty-Man'])
      // A select of the same shape with literal values shares its SQL, never its values.
      const literal = select(Hero).where(Hero.c.age.gt(10), Hero.c.age.lte(20)).orderBy(Hero.c.id)
      assert.deepEqual(names(await session.exec(literal).all()), ['Spider-Boy'])
      assert.deepEqual(await run(0, 15), [])
      assert.deepEqual(names(await session.exec(literal).all()), ['Spider-Boy'])
      assert.deepEqual(await run(0, 100), ['Rusty-Man', 'Spider-Boy'])
    })

    test('null binds SQL NULL: = NULL matches no row, as SQLAlchemy’s bindparam does', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      const byAge = select(Hero).where(Hero.c.age.eq(bindParam('age')))
      assert.deepEqual(names(await session.exec(byAge, { params: { age: null } }).all()), [])
      assert.deepEqual(names(await session.exec(byAge, { params: { age: 48 } }).all()), ['Rusty-Man'])
    })

    test('a text match takes its text per run, %, _ and \\ matching literally', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      const matching = select(Hero.c.name)
        .where(Hero.c.name.contains(bindParam('text')))
        .orderBy(Hero.c.id)
      const run = (text: unknown) => session.exec(matching, { params: { text } }).all()
      assert.deepEqual(await run('Man'), ['Rusty-Man'])
      assert.deepEqual(await run('-'), ['Rusty-Man', 'Spider-Boy'])
      assert.deepEqual(await run('%'), [])
      assert.deepEqual(await run('_'), [])
      const starting = select(Hero.c.name).where(Hero.c.name.startsWith(bindParam('text')))
      assert.deepEqual(await session.exec(starting, { params: { text: 'Spi' } }).all(), ['Spider-Boy'])
      const ending = select(Hero.c.name).where(Hero.c.name.endsWith(bindParam('text')))
      assert.deepEqual(await session.exec(ending, { params: { text: 'pond' } }).all(), ['Deadpond'])
      await assert.rejects(run(42), (error) => {
        assert.ok(error instanceof InvalidQueryError)
        assert.match(error.message, /contains\(bindParam\("text"\)\): expected a string, got number/)
        assert.equal(error.detail, 'text must be a string')
        return true
      })
    })

    test('limit and offset take theirs per run, and are checked as limit() checks a number', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      const page = select(Hero.c.id).orderBy(Hero.c.id).limit(bindParam('limit')).offset(bindParam('offset'))
      const run = (limit: unknown, offset: unknown) => session.exec(page, { params: { limit, offset } }).all()
      assert.deepEqual(await run(2, 0), [1, 2])
      assert.deepEqual(await run(2, 2), [3])
      assert.deepEqual(await run(1, 1), [2])
      assert.deepEqual(await run(0, 0), [])
      const offsetOnly = select(Hero.c.id).orderBy(Hero.c.id).offset(bindParam('skip'))
      assert.deepEqual(await session.exec(offsetOnly, { params: { skip: 1 } }).all(), [2, 3])
      for (const [limit, offset] of [
        [-1, 0],
        [1.5, 0],
        ['2', 0],
        [2, -3],
      ]) {
        await assert.rejects(run(limit, offset), (error) => {
          assert.ok(error instanceof InvalidQueryError)
          assert.match(
            error.message,
            /select\(\)\.(limit|offset)\(bindParam\("(limit|offset)"\)\): expected a whole number >= 0/,
          )
          assert.match(error.detail!, /^(limit|offset) must be a whole number >= 0$/)
          return true
        })
      }
      assert.deepEqual(await run(2, 1), [2, 3], 'a refused run leaves the select as it was')
    })

    test('session.count() and session.stream() take the params of exec(), a count ignoring its paging’s', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      const older = select(Hero)
        .where(Hero.c.age.gte(bindParam('age')))
        .orderBy(Hero.c.id)
        .limit(bindParam('limit'))
      assert.equal(await session.count(older, { params: { age: 10, limit: 1 } }), 2)
      assert.equal(await session.count(older, { params: { age: 20, limit: 1 } }), 1)
      await assert.rejects(session.count(older, { params: { age: 20 } }), invalidQuery('"limit"'))
      const streamed: string[] = []
      for await (const hero of session.stream(older, { params: { age: 10, limit: 5 } }))
        streamed.push(hero.name)
      assert.deepEqual(streamed, ['Rusty-Man', 'Spider-Boy'])
    })

    test('a correlated subquery binds its parameter: null matches nothing, a value its rows', async () => {
      const { Hero, Team } = db
      await using session = new Session(db.engine)
      // As a page of articles counts the viewer's favourites: 0 or 1 per row, 0 for no viewer.
      const chosen = select(count())
        .selectFrom(Hero)
        .correlate(Team)
        .where(Hero.c.team_id.eq(Team.c.id), Hero.c.id.eq(bindParam('viewer')))
        .scalarSubquery()
      const teams = select(Team.c.name, chosen.as('chosen'))
        .where(Team.c.headquarters.ne(bindParam('not_at')))
        .orderBy(Team.c.id)
      const run = (viewer: number | null) =>
        session.exec(teams, { params: { viewer, not_at: 'Nowhere' } }).all()
      assert.deepEqual(await run(null), [
        ['Preventers', 0],
        ['Z-Force', 0],
      ])
      assert.deepEqual(await run(2), [
        ['Preventers', 1],
        ['Z-Force', 0],
      ])
      assert.deepEqual(await run(1), [
        ['Preventers', 0],
        ['Z-Force', 0],
      ])
      // exists() and in(select(…)) bind theirs too.
      const withHero = select(Team.c.name).where(
        exists(
          select(Hero.c.id)
            .correlate(Team)
            .where(Hero.c.team_id.eq(Team.c.id), Hero.c.age.lt(bindParam('age'))),
        ),
      )
      assert.deepEqual(await session.exec(withHero, { params: { age: 20 } }).all(), ['Preventers'])
      assert.deepEqual(await session.exec(withHero, { params: { age: 10 } }).all(), [])
      const ofTeam = select(Hero.c.name)
        .where(Hero.c.team_id.in(select(Team.c.id).where(Team.c.name.eq(bindParam('team')))))
        .orderBy(Hero.c.id)
      assert.deepEqual(await session.exec(ofTeam, { params: { team: 'Preventers' } }).all(), [
        'Rusty-Man',
        'Spider-Boy',
      ])
      assert.deepEqual(await session.exec(ofTeam, { params: { team: 'Z-Force' } }).all(), [])
    })

    test('a constant select object run again gives its rows each time, and a per-call one of its shape its own', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      const young = select(Hero.c.name).where(Hero.c.age.lt(20)).orderBy(Hero.c.id)
      assert.deepEqual(await session.exec(young).all(), ['Spider-Boy'])
      assert.deepEqual(
        await session.exec(select(Hero.c.name).where(Hero.c.age.lt(50)).orderBy(Hero.c.id)).all(),
        ['Rusty-Man', 'Spider-Boy'],
      )
      assert.deepEqual(await session.exec(young).all(), ['Spider-Boy'])
      assert.deepEqual(await session.exec(young, { params: {} }).all(), ['Spider-Boy'])
    })

    test('a select object keeps its statement: run again after its shape left the cache, it is not built again', async (t) => {
      const { Hero } = db
      await using session = new Session(db.engine)
      const byName = select(Hero.c.id).where(Hero.c.name.eq(bindParam('name')))
      assert.deepEqual(await session.exec(byName, { params: { name: 'Spider-Boy' } }).all(), [3])
      // The cache of shapes keeps 1000 per engine: an in() list of each length is a shape of its own.
      for (let length = 1; length <= 1001; length++) {
        const ids = Array.from({ length }, (_, i) => i + 1)
        await session.exec(select(Hero.c.id).where(Hero.c.id.in(ids), Hero.c.name.eq('x'))).all()
      }
      const built = t.mock.method(db.engine.db, 'selectFrom')
      assert.deepEqual(await session.exec(byName, { params: { name: 'Rusty-Man' } }).all(), [2])
      assert.equal(built.mock.callCount(), 0)
      // A select of its shape built now is built again: the shape was dropped, the object kept its own.
      assert.deepEqual(await session.exec(select(Hero.c.id).where(Hero.c.name.eq('Deadpond'))).all(), [1])
      assert.equal(built.mock.callCount(), 1)
    })

    test('missing and unknown parameters are InvalidQueryErrors that name them and the select’s', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      const both = select(Hero).where(Hero.c.name.eq(bindParam('name')), Hero.c.age.gt(bindParam('age')))
      await assert.rejects(session.exec(both).all(), invalidQuery('"name", "age"', 'params'))
      await assert.rejects(
        session.exec(both, { params: { name: 'Rusty-Man' } }).all(),
        invalidQuery('No value for the bind parameter "age"', 'parameters: "name", "age"'),
      )
      await assert.rejects(
        session.exec(both, { params: { name: 'Rusty-Man', age: undefined } }).all(),
        invalidQuery('"age"'),
      )
      await assert.rejects(
        session.exec(both, { params: { name: 'Rusty-Man', age: 1, agee: 2 } }).all(),
        invalidQuery('Unknown bind parameter "agee"', 'parameters: "name", "age"'),
      )
      await assert.rejects(
        session.exec(select(Hero), { params: { name: 'Rusty-Man' } }).all(),
        invalidQuery('Unknown bind parameter "name"', 'no bind parameter'),
      )
      await assert.rejects(session.stream(both, { params: {} }).next(), invalidQuery('"name", "age"'))
      // A name every object has, by inheritance, is given only by params of its own.
      const inherited = select(Hero).where(Hero.c.name.eq(bindParam('constructor')))
      await assert.rejects(session.exec(inherited, { params: {} }).all(), invalidQuery('"constructor"'))
      // The errors leave the select usable.
      const found = await session.exec(both, { params: { name: 'Rusty-Man', age: 1 } }).all()
      assert.deepEqual(names(found), ['Rusty-Man'])
    })

    test('params that do not fit fail before the autoflush: nothing pending is written for a bad run', async () => {
      const { Hero, log } = db
      await using session = new Session(db.engine)
      session.add(Hero.create({ name: 'Black Lion', secret_name: 'Trevor Challa' }))
      const byName = select(Hero).where(Hero.c.name.eq(bindParam('name')))
      log.length = 0
      await assert.rejects(session.exec(byName, { params: {} }).all(), invalidQuery('"name"'))
      await assert.rejects(session.count(byName, { params: { nom: 'x' } }), invalidQuery('"nom"'))
      await assert.rejects(session.stream(byName).next(), invalidQuery('"name"'))
      assert.deepEqual(log, [], 'no INSERT ran for the pending hero')
      assert.equal(session.inTransaction, false)
      await session.rollback()
    })

    test('a value compared with a column is converted as Hero.create converts it; one that does not fit is an InvalidQueryError with a detail (a 400)', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      const older = select(Hero.c.name)
        .where(Hero.c.age.gte(bindParam('age')))
        .orderBy(Hero.c.id)
      const run = (age: unknown) => session.exec(older, { params: { age } }).all()
      assert.deepEqual(await run('20'), ['Rusty-Man'], "'20' is 20 for an integer column")
      assert.deepEqual(await run(null), [], 'null binds NULL')
      const notInteger = 'Input should be a valid integer'
      for (const [age, type, problem] of [
        ['abc', 'string', `${notInteger}, unable to parse string as an integer`],
        ['2x', 'string', `${notInteger}, unable to parse string as an integer`],
        [{ a: 1 }, 'object', notInteger],
        [1.5, 'number', `${notInteger}, got a number with a fractional part`],
        [2 ** 31, 'number', 'Input should be less than or equal to 2147483647'],
      ] as const) {
        await assert.rejects(run(age), (error) => {
          assert.ok(error instanceof InvalidQueryError, String(error))
          assert.equal(
            error.message,
            `bindParam("age"): expected a value of column hero.age (integer), got ${type}: ${problem}.`,
          )
          assert.equal(error.detail, `age: ${problem}`)
          return true
        })
      }
      // Beside a column on its left too; a refused run leaves the select as it was.
      const younger = select(Hero.c.name).where(bindParam('age').gt(Hero.c.age))
      await assert.rejects(session.exec(younger, { params: { age: 'old' } }).all(), invalidQuery('hero.age'))
      assert.deepEqual(await run(48), ['Rusty-Man'])
      // The message names the value's type, never the value: it may be a secret.
      const bySecret = select(Hero.c.name).where(Hero.c.secret_name.eq(bindParam('secret')))
      await assert.rejects(session.exec(bySecret, { params: { secret: 271828 } }).all(), (error) => {
        assert.ok(error instanceof InvalidQueryError)
        assert.ok(!error.message.includes('271828') && !error.detail!.includes('271828'), error.message)
        assert.equal(error.detail, 'secret: Input should be a valid string')
        return true
      })
    })

    test('a bind parameter is not a selected item, whose type the database would guess', () => {
      const { Hero } = db
      const items = [bindParam<number>('n').as('n'), bindParam<boolean>('n'), max(bindParam<number>('n'))]
      for (const item of items) {
        assert.throws(() => select(Hero.c.name, item), invalidQuery('bindParam("n")', 'selected item'))
        assert.throws(() => select(item), invalidQuery('bindParam("n")', 'selected item'))
      }
    })

    test('params: null is no params, and only params’ own keys count', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      const byName = select(Hero.c.name).where(Hero.c.name.eq(bindParam('name')))
      // JavaScript may pass null where the types say params or nothing.
      const none = null as unknown as ParamValues
      await assert.rejects(
        session.exec(byName, { params: none }).all(),
        invalidQuery('No value for the bind parameter "name"'),
      )
      await assert.rejects(session.count(byName, { params: none }), invalidQuery('"name"'))
      assert.deepEqual(
        await session.exec(select(Hero.c.id).where(Hero.c.id.eq(1)), { params: none }).all(),
        [1],
      )
      // An inherited key is neither a value nor an unknown name.
      const inheriting = Object.assign(Object.create({ extra: 1, name: 'Deadpond' }), { name: 'Rusty-Man' })
      assert.deepEqual(await session.exec(byName, { params: inheriting }).all(), ['Rusty-Man'])
      await assert.rejects(
        session.exec(byName, { params: Object.create({ name: 'Deadpond' }) }).all(),
        invalidQuery('No value for the bind parameter "name"'),
      )
    })

    test('a null text to match or page size is called null in the error, not object', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      const matching = select(Hero.c.name).where(Hero.c.name.contains(bindParam('text')))
      await assert.rejects(
        session.exec(matching, { params: { text: null } }).all(),
        invalidQuery('contains(bindParam("text")): expected a string, got null.'),
      )
      const page = select(Hero.c.name).orderBy(Hero.c.id).limit(bindParam('limit'))
      await assert.rejects(
        session.exec(page, { params: { limit: null } }).all(),
        invalidQuery('limit(bindParam("limit")): expected a whole number >= 0, got null.'),
      )
    })

    test('a bind parameter cannot be in an in() list, whose length is part of the SQL, nor in a bulk write', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      // The types refuse both; code the types do not reach is refused when the condition is built.
      const id = bindParam('id') as never
      assert.throws(() => Hero.c.id.in([id]), invalidQuery('in(): bindParam("id")', 'IN list', 'in(ids)'))
      assert.throws(() => Hero.c.id.notIn(id), invalidQuery('notIn(): bindParam("id")'))
      const renaming = update(Hero)
        .where(Hero.c.name.eq(bindParam('name')))
        .values({ name: 'x' })
      await assert.rejects(
        session.exec(renaming),
        invalidQuery('bindParam("name")', 'session.exec(query, { params })'),
      )
      assert.deepEqual(await session.exec(select(Hero.c.name).where(Hero.c.id.eq(1))).all(), ['Deadpond'])
    })
  })

  describe(`${dialect.name}: bind parameters of other column kinds`, () => {
    test('booleans, dates, datetimes and JSON are bound as literal values in their places are', async () => {
      const metadata = new Metadata()
      const Mission = table(
        'mission',
        model('Mission', {
          id: field.integer({ primaryKey: true }),
          done: field.boolean(),
          on: field.date(),
          at: field.datetime(),
          tags: field.json<string[]>(),
        }),
        { metadata },
      )
      await using engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata })
      await using session = new Session(engine)
      session.addAll([
        Mission.create({ done: true, on: '2024-01-01', at: new Date('2024-01-01T10:00:00Z'), tags: ['a'] }),
        Mission.create({
          done: false,
          on: '2024-06-01',
          at: new Date('2024-06-01T10:00:00.500Z'),
          tags: ['b', 'c'],
        }),
      ])
      await session.commit()
      const ids = async (query: Select<typeof Mission>, params: Record<string, unknown>) =>
        (await session.exec(query, { params }).all()).map((mission) => mission.id)
      const done = select(Mission).where(Mission.c.done.eq(bindParam('done')))
      assert.deepEqual(await ids(done, { done: true }), [1])
      assert.deepEqual(await ids(done, { done: false }), [2])
      const after = select(Mission).where(Mission.c.on.gt(bindParam('on')))
      assert.deepEqual(await ids(after, { on: '2024-03-01' }), [2])
      const before = select(Mission).where(Mission.c.at.lt(bindParam('at')))
      assert.deepEqual(await ids(before, { at: new Date('2024-03-01T00:00:00Z') }), [1])
      const at = select(Mission).where(Mission.c.at.eq(bindParam('at')))
      assert.deepEqual(await ids(at, { at: new Date('2024-06-01T10:00:00.500Z') }), [2])
      const tagged = select(Mission).where(Mission.c.tags.eq(bindParam('tags')))
      assert.deepEqual(await ids(tagged, { tags: ['b', 'c'] }), [2])
      assert.deepEqual(await ids(tagged, { tags: ['a'] }), [1])
      // As the literal value in its place: the same rows.
      const literal = await session.exec(select(Mission).where(Mission.c.tags.eq(['b', 'c']))).all()
      assert.deepEqual(
        literal.map((mission) => mission.id),
        [2],
      )
    })

    test('a value of another kind is converted as Model.create converts it, the declared bounds aside; an Invalid Date is refused', async () => {
      const metadata = new Metadata()
      const Gadget = table(
        'gadget',
        model('Gadget', {
          id: field.integer({ primaryKey: true }),
          power: field.integer({ ge: 0, le: 100 }),
          on: field.boolean(),
          made: field.date(),
          at: field.datetime(),
          size: field.enum(['s', 'm', 'l']),
        }),
        { metadata },
      )
      await using engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata })
      await using session = new Session(engine)
      session.addAll([
        Gadget.create({
          power: 10,
          on: true,
          made: '2024-01-01',
          at: new Date('2024-01-01T10:00:00Z'),
          size: 's',
        }),
        Gadget.create({
          power: 90,
          on: false,
          made: '2024-06-01',
          at: new Date('2024-06-01T10:00:00Z'),
          size: 'l',
        }),
      ])
      await session.commit()
      const run = (condition: Condition<'gadget'>, v: unknown) =>
        session.exec(select(Gadget.c.id).where(condition).orderBy(Gadget.c.id), { params: { v } }).all()
      // A bound beyond the declared ones is a fair question.
      assert.deepEqual(await run(Gadget.c.power.lt(bindParam('v')), 200), [1, 2])
      assert.deepEqual(await run(Gadget.c.power.gt(bindParam('v')), -1), [1, 2])
      // Text and numbers as Gadget.create reads them.
      assert.deepEqual(await run(Gadget.c.on.eq(bindParam('v')), 'yes'), [1])
      assert.deepEqual(await run(Gadget.c.on.eq(bindParam('v')), 0), [2])
      assert.deepEqual(await run(Gadget.c.made.gt(bindParam('v')), new Date('2024-03-01T00:00:00Z')), [2])
      assert.deepEqual(await run(Gadget.c.at.lt(bindParam('v')), '2024-03-01T00:00:00Z'), [1])
      assert.deepEqual(await run(Gadget.c.at.eq(bindParam('v')), '2024-06-01 10:00:00'), [2])
      assert.deepEqual(await run(Gadget.c.size.eq(bindParam('v')), 'l'), [2])
      for (const [condition, value, problem] of [
        [
          Gadget.c.at.lt(bindParam('v')),
          new Date(Number.NaN),
          'at (datetime), got object: Input should be a valid datetime.',
        ],
        [
          Gadget.c.at.lt(bindParam('v')),
          'soon',
          'at (datetime), got string: Input should be a valid datetime, invalid',
        ],
        [
          Gadget.c.made.eq(bindParam('v')),
          '2024-13-01',
          'made (date), got string: Input should be a valid date',
        ],
        [
          Gadget.c.on.eq(bindParam('v')),
          'maybe',
          'on (boolean), got string: Input should be a valid boolean',
        ],
        [Gadget.c.size.eq(bindParam('v')), 'xl', `size (enum), got string: Input should be 's', 'm' or 'l'`],
      ] as const) {
        await assert.rejects(run(condition, value), (error) => {
          assert.ok(error instanceof InvalidQueryError, String(error))
          assert.ok(
            error.message.includes(`bindParam("v"): expected a value of column gadget.${problem}`),
            error.message,
          )
          assert.match(error.detail!, /^v: Input should be/)
          return true
        })
      }
    })
  })
}
