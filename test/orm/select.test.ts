/**
 * select(): every operator, ordering, paging, immutability and the result methods, on every dialect of
 * DIALECTS. Where the databases answer differently (the place of NULL in an ordering, the case sensitivity
 * of LIKE), the test names each dialect's answer.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import {
  and,
  col,
  createAll,
  createEngine,
  field,
  Metadata,
  model,
  MultipleResultsError,
  NoResultError,
  not,
  InvalidQueryError,
  or,
  select,
  Session,
  table,
  type Condition,
  type DialectName,
  type Engine,
  type Select,
} from 'onemodel-ts'
import { addTutorialHeroes, declareHeroes, heroesDatabase } from '../support/heroes.ts'
import { DIALECTS } from '../support/dialects.ts'
import { tempSqliteUrl } from '../support/sqlite.ts'

type Db = Awaited<ReturnType<typeof heroesDatabase>>

/** NULL is the smallest value in an ordering on SQLite and MySQL, the largest on PostgreSQL. */
const NULLS_FIRST_ASCENDING: Record<DialectName, boolean> = { sqlite: true, postgres: false, mysql: true }

/** LIKE ignores case on SQLite (ASCII only) and MySQL (a `_ci` collation, the default), not PostgreSQL. */
const LIKE_FOLDS_CASE: Record<DialectName, boolean> = { sqlite: true, postgres: false, mysql: true }

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: select`, () => {
    // The tutorial's three heroes: 1 Deadpond (age null), 2 Rusty-Man (48), 3 Spider-Boy (16). The queries
    // only read, so one database per dialect serves the whole file.
    let db: Db
    before(async () => {
      db = await heroesDatabase({ dialect })
      await addTutorialHeroes(db)
    })
    after(() => db?.engine.dispose())

    async function names(query: (Hero: Db['Hero']) => Select<Db['Hero']>): Promise<string[]> {
      await using session = new Session(db.engine)
      const rows = await session.exec(query(db.Hero)).all()
      return rows.map((hero) => hero.name)
    }

    async function where(condition: (Hero: Db['Hero']) => Condition<'hero'>): Promise<string[]> {
      return names((Hero) => select(Hero).where(condition(Hero)).orderBy(Hero.c.id))
    }

    test("a select keeps the values it was built with: changing the caller's list afterwards changes nothing", async () => {
      const { Hero, engine } = db
      await using session = new Session(engine)
      const ids = [1]
      const query = select(Hero.c.name).where(Hero.c.id.in(ids)).orderBy(Hero.c.id)
      ids.push(2)
      // Its first run and the next, which reuses what the first compiled, read the list as it was built.
      assert.deepEqual(await session.exec(query).all(), ['Deadpond'])
      ids.push(3)
      assert.deepEqual(await session.exec(query).all(), ['Deadpond'])
      const now = select(Hero.c.name).where(Hero.c.id.in(ids)).orderBy(Hero.c.id)
      assert.deepEqual(await session.exec(now).all(), ['Deadpond', 'Rusty-Man', 'Spider-Boy'])
    })

    describe('select: comparisons', () => {
      test('eq, ne, lt, lte, gt, gte', async () => {
        assert.deepEqual(await where((H) => H.c.age.eq(48)), ['Rusty-Man'])
        assert.deepEqual(
          await where((H) => H.c.age.ne(48)),
          ['Spider-Boy'],
          'NULL is neither equal nor unequal',
        )
        assert.deepEqual(await where((H) => H.c.age.lt(48)), ['Spider-Boy'])
        assert.deepEqual(await where((H) => H.c.age.lte(48)), ['Rusty-Man', 'Spider-Boy'])
        assert.deepEqual(await where((H) => H.c.age.gt(16)), ['Rusty-Man'])
        assert.deepEqual(await where((H) => H.c.age.gte(16)), ['Rusty-Man', 'Spider-Boy'])
        assert.deepEqual(await where((H) => H.c.name.eq('Deadpond')), ['Deadpond'])
      })

      test('eq(null) is IS NULL and ne(null) is IS NOT NULL', async () => {
        assert.deepEqual(await where((H) => H.c.age.eq(null)), ['Deadpond'])
        assert.deepEqual(await where((H) => H.c.age.ne(null)), ['Rusty-Man', 'Spider-Boy'])
      })

      test('isNull and isNotNull', async () => {
        assert.deepEqual(await where((H) => H.c.age.isNull()), ['Deadpond'])
        assert.deepEqual(await where((H) => H.c.age.isNotNull()), ['Rusty-Man', 'Spider-Boy'])
      })

      test('the SQL binds values as parameters', async () => {
        db.log.length = 0
        await where((H) => H.c.name.eq("Robert'); drop table hero; --"))
        assert.deepEqual(db.log, [
          'select "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id" from "hero" where "hero"."name" = ? order by "hero"."id" asc -- 1 parameter',
        ])
        assert.equal((await names((H) => select(H))).length, 3, 'the table is still there')
      })
    })

    describe('select: in', () => {
      test('in and notIn match a list', async () => {
        assert.deepEqual(await where((H) => col(H.c.id).in([1, 2])), ['Deadpond', 'Rusty-Man'])
        assert.deepEqual(await where((H) => H.c.id.notIn([1, 2])), ['Spider-Boy'])
        assert.deepEqual(await where((H) => H.c.name.in(['Spider-Boy', 'Nobody'])), ['Spider-Boy'])
      })

      test('an empty list matches no row with in and every row with notIn', async () => {
        assert.deepEqual(await where((H) => H.c.id.in([])), [])
        assert.deepEqual(await where((H) => H.c.id.notIn([])), ['Deadpond', 'Rusty-Man', 'Spider-Boy'])
      })
    })

    describe('select: text matching', () => {
      test('contains, startsWith and endsWith', async () => {
        assert.deepEqual(await where((H) => col(H.c.name).contains('Man')), ['Rusty-Man'])
        assert.deepEqual(await where((H) => H.c.name.startsWith('Spider')), ['Spider-Boy'])
        assert.deepEqual(await where((H) => H.c.name.endsWith('pond')), ['Deadpond'])
        assert.deepEqual(await where((H) => H.c.name.contains('-')), ['Rusty-Man', 'Spider-Boy'])
      })

      test('% and _ in the text match literally, not as wildcards', async () => {
        const metadata = new Metadata()
        const Item = table(
          'item',
          model('Item', { id: field.integer({ primaryKey: true }), label: field.string() }),
          { metadata },
        )
        await using engine = createEngine(await dialect.isolatedUrl())
        await createAll(engine, { metadata })
        await using session = new Session(engine)
        session.addAll(
          ['100%', '1000', 'a_b', 'axb', 'back\\slash', 'plain'].map((label) => Item.create({ label })),
        )
        await session.commit()
        const labels = async (condition: Condition<'item'>) =>
          (await session.exec(select(Item).where(condition).orderBy(Item.c.id)).all()).map(
            (item) => item.label,
          )
        assert.deepEqual(await labels(Item.c.label.contains('%')), ['100%'], '% is not "anything"')
        assert.deepEqual(await labels(Item.c.label.contains('0%')), ['100%'])
        assert.deepEqual(await labels(Item.c.label.contains('_')), ['a_b'], '_ is not "any one character"')
        assert.deepEqual(await labels(Item.c.label.startsWith('a_')), ['a_b'])
        assert.deepEqual(await labels(Item.c.label.endsWith('%')), ['100%'])
        assert.deepEqual(
          await labels(Item.c.label.contains('\\')),
          ['back\\slash'],
          'the escape character too',
        )
      })

      test('contains ignores case on SQLite and MySQL, not on PostgreSQL', async () => {
        const folded = LIKE_FOLDS_CASE[dialect.name]
        assert.deepEqual(await where((H) => H.c.name.contains('man')), folded ? ['Rusty-Man'] : [])
        assert.deepEqual(await where((H) => H.c.name.startsWith('spider')), folded ? ['Spider-Boy'] : [])
        assert.deepEqual(
          await where((H) => H.c.name.contains('Man')),
          ['Rusty-Man'],
          'the same case matches everywhere',
        )
      })
    })

    describe('select: and, or, not', () => {
      test('combine conditions', async () => {
        assert.deepEqual(await where((H) => or(H.c.age.lt(20), H.c.age.isNull())), ['Deadpond', 'Spider-Boy'])
        assert.deepEqual(await where((H) => and(H.c.age.gt(10), H.c.name.contains('Man'))), ['Rusty-Man'])
        assert.deepEqual(await where((H) => not(H.c.name.eq('Deadpond'))), ['Rusty-Man', 'Spider-Boy'])
        assert.deepEqual(
          await where((H) => or(and(H.c.age.gte(18), H.c.age.lte(50)), not(H.c.age.isNotNull()))),
          ['Deadpond', 'Rusty-Man'],
          'nested groups keep their parentheses',
        )
      })

      test('an empty and() matches every row and an empty or() none', async () => {
        assert.deepEqual((await where(() => and())).length, 3)
        assert.deepEqual(await where(() => or()), [])
      })
    })

    describe('select: where', () => {
      test('repeated where() calls and several conditions in one call are ANDed', async () => {
        assert.deepEqual(await names((H) => select(H).where(H.c.age.gte(18)).where(H.c.age.lte(50))), [
          'Rusty-Man',
        ])
        assert.deepEqual(await names((H) => select(H).where(H.c.age.gte(10), H.c.name.startsWith('S'))), [
          'Spider-Boy',
        ])
      })
    })

    describe('select: orderBy, limit, offset', () => {
      test('orders ascending by default, descending with desc(), with tie-breakers in call order', async () => {
        assert.deepEqual(await names((H) => select(H).orderBy(H.c.name.desc())), [
          'Spider-Boy',
          'Rusty-Man',
          'Deadpond',
        ])
        assert.deepEqual(await names((H) => select(H).orderBy(H.c.name)), [
          'Deadpond',
          'Rusty-Man',
          'Spider-Boy',
        ])
        assert.deepEqual(await names((H) => select(H).where(H.c.age.isNotNull()).orderBy(H.c.age.asc())), [
          'Spider-Boy',
          'Rusty-Man',
        ])
        assert.deepEqual(
          await names((H) => select(H).orderBy(H.c.team_id).orderBy(H.c.id.desc())),
          ['Spider-Boy', 'Rusty-Man', 'Deadpond'],
          'every team_id is null, so the second term decides',
        )
      })

      test('NULL sorts first ascending on SQLite and MySQL, last on PostgreSQL', async () => {
        const ascending = NULLS_FIRST_ASCENDING[dialect.name]
          ? ['Deadpond', 'Spider-Boy', 'Rusty-Man']
          : ['Spider-Boy', 'Rusty-Man', 'Deadpond']
        assert.deepEqual(await names((H) => select(H).orderBy(H.c.age.asc())), ascending)
        assert.deepEqual(await names((H) => select(H).orderBy(H.c.age.desc())), ascending.toReversed())
      })

      test('limit and offset page through the rows', async () => {
        const page = (offset: number, limit: number) =>
          names((H) => select(H).orderBy(H.c.id).offset(offset).limit(limit))
        assert.deepEqual(await page(0, 2), ['Deadpond', 'Rusty-Man'])
        assert.deepEqual(await page(2, 2), ['Spider-Boy'])
        assert.deepEqual(await page(3, 2), [])
        assert.deepEqual(await page(0, 0), [])
        assert.deepEqual(
          await names((H) => select(H).orderBy(H.c.id).offset(1)),
          ['Rusty-Man', 'Spider-Boy'],
          'offset alone',
        )
      })

      test('paging queries share one SQL text, so the prepared statement is reused', async () => {
        db.log.length = 0
        await names((H) => select(H).limit(1).offset(0))
        await names((H) => select(H).limit(2).offset(1))
        assert.equal(new Set(db.log).size, 1, `limit and offset are parameters: ${db.log}`)
      })

      test('a negative or fractional limit or offset is refused with OM_ORM_INVALID_QUERY', () => {
        for (const [build, detail] of [
          [() => select(db.Hero).limit(-1), 'limit must be a whole number >= 0'],
          [() => select(db.Hero).offset(-1), 'offset must be a whole number >= 0'],
          [() => select(db.Hero).limit(1.5), 'limit must be a whole number >= 0'],
          [() => select(db.Hero).offset(Number.NaN), 'offset must be a whole number >= 0'],
        ] as const) {
          assert.throws(build, (error: unknown) => {
            assert.ok(
              error instanceof InvalidQueryError,
              `expected an InvalidQueryError, got ${String(error)}`,
            )
            assert.equal(error.code, 'OM_ORM_INVALID_QUERY')
            assert.equal(error.detail, detail, 'the rule in words for an API client')
            return true
          })
        }
      })
    })

    describe('select is immutable', () => {
      test('each call returns a new query and leaves the one it came from unchanged', async () => {
        const base = select(db.Hero).orderBy(db.Hero.c.id)
        const adults = base.where(db.Hero.c.age.gte(18))
        const firstOnly = base.limit(1)
        assert.notEqual(adults, base)
        assert.deepEqual(
          await names(() => base),
          ['Deadpond', 'Rusty-Man', 'Spider-Boy'],
          'base is unchanged',
        )
        assert.deepEqual(await names(() => adults), ['Rusty-Man'])
        assert.deepEqual(await names(() => firstOnly), ['Deadpond'])
        assert.ok(Object.isFrozen(base.state), 'the state cannot be changed in place either')
      })
    })

    describe('select results', () => {
      test('all() returns every row, first() the first or undefined', async () => {
        await using session = new Session(db.engine)
        const { Hero } = db
        assert.equal((await session.exec(select(Hero)).all()).length, 3)
        assert.equal((await session.exec(select(Hero).orderBy(Hero.c.id)).first())?.name, 'Deadpond')
        assert.equal(await session.exec(select(Hero).where(Hero.c.id.eq(99))).first(), undefined)
      })

      test('one() returns the only row, or throws NoResultError or MultipleResultsError', async () => {
        await using session = new Session(db.engine)
        const { Hero } = db
        assert.equal((await session.exec(select(Hero).where(Hero.c.id.eq(2))).one()).name, 'Rusty-Man')
        await assert.rejects(session.exec(select(Hero).where(Hero.c.id.eq(99))).one(), (error: unknown) => {
          assert.ok(error instanceof NoResultError)
          assert.equal(error.code, 'OM_ORM_NO_RESULT')
          assert.match(error.message, /"hero", got 0/)
          return true
        })
        await assert.rejects(session.exec(select(Hero)).one(), (error: unknown) => {
          assert.ok(error instanceof MultipleResultsError)
          assert.equal(error.code, 'OM_ORM_MULTIPLE_RESULTS')
          assert.match(error.message, /"hero", got 3/)
          return true
        })
      })

      test('a result is iterable with for…of, and all() returns a copy', async () => {
        await using session = new Session(db.engine)
        const result = await session.exec(select(db.Hero).orderBy(db.Hero.c.id))
        const seen: string[] = []
        for (const hero of result) seen.push(`${hero.id} ${hero.name}`)
        assert.deepEqual(seen, ['1 Deadpond', '2 Rusty-Man', '3 Spider-Boy'])
        result.all().pop()
        assert.equal(result.all().length, 3, 'changing the returned array does not change the result')
      })

      test('the tutorial’s LIKE and IN queries return Rusty-Man, then Deadpond and Rusty-Man', async () => {
        assert.deepEqual(await names((H) => select(H).where(col(H.c.name).contains('Man'))), ['Rusty-Man'])
        assert.deepEqual(await names((H) => select(H).where(col(H.c.id).in([1, 2]))), [
          'Deadpond',
          'Rusty-Man',
        ])
      })
    })

    describe('select: other column kinds', () => {
      test('compares booleans, dates and datetimes by value', async () => {
        const metadata = new Metadata()
        const Mission = table(
          'mission',
          model('Mission', {
            id: field.integer({ primaryKey: true }),
            done: field.boolean(),
            on: field.date(),
            at: field.datetime(),
          }),
          { metadata },
        )
        await using engine = createEngine(await dialect.isolatedUrl())
        await createAll(engine, { metadata })
        await using session = new Session(engine)
        session.addAll([
          Mission.create({ done: true, on: '2024-01-01', at: new Date('2024-01-01T10:00:00Z') }),
          Mission.create({ done: false, on: '2024-06-01', at: new Date('2024-06-01T10:00:00.500Z') }),
        ])
        await session.commit()
        const ids = async (condition: Condition<'mission'>) =>
          (await session.exec(select(Mission).where(condition)).all()).map((m) => m.id)
        assert.deepEqual(await ids(Mission.c.done.eq(true)), [1])
        assert.deepEqual(await ids(Mission.c.done.eq(false)), [2])
        assert.deepEqual(await ids(Mission.c.on.gt('2024-03-01')), [2])
        assert.deepEqual(await ids(Mission.c.at.lt(new Date('2024-03-01T00:00:00Z'))), [1])
        assert.deepEqual(await ids(Mission.c.at.eq(new Date('2024-06-01T10:00:00.500Z'))), [2])
      })
    })

    describe('select: one SQL text per query shape', () => {
      // The SQL text of a select depends only on its shape (columns, operators, clauses, the length of an
      // in() list), so each shape is built once per engine and model and later queries of it bind their own
      // values. Each query below repeats the shape of the one before with other values, or changes the
      // shape in one detail; every one must answer with its own values.
      const everyone = ['Deadpond', 'Rusty-Man', 'Spider-Boy']
      const HERO_COLUMNS = '"hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id"'

      test('comparisons and null checks run again with other values', async () => {
        assert.deepEqual(await where((H) => H.c.age.eq(48)), ['Rusty-Man'])
        assert.deepEqual(await where((H) => H.c.age.eq(16)), ['Spider-Boy'])
        assert.deepEqual(await where((H) => H.c.age.eq(99)), [])
        assert.deepEqual(await where((H) => H.c.age.eq(null)), ['Deadpond'], 'eq(null) is IS NULL')
        assert.deepEqual(await where((H) => H.c.age.eq(48)), ['Rusty-Man'])
        assert.deepEqual(await where((H) => H.c.name.gt('Rusty-Man')), ['Spider-Boy'])
        assert.deepEqual(await where((H) => H.c.name.gt('Deadpond')), ['Rusty-Man', 'Spider-Boy'])
        assert.deepEqual(await where((H) => H.c.age.isNull()), ['Deadpond'])
        assert.deepEqual(await where((H) => H.c.age.isNotNull()), ['Rusty-Man', 'Spider-Boy'])
        assert.deepEqual(await where((H) => H.c.age.isNull()), ['Deadpond'])
      })

      test('in and notIn with other lists, of the same and of other lengths, the empty list too', async () => {
        assert.deepEqual(await where((H) => H.c.id.in([1, 2])), ['Deadpond', 'Rusty-Man'])
        assert.deepEqual(await where((H) => H.c.id.in([2, 3])), ['Rusty-Man', 'Spider-Boy'])
        assert.deepEqual(await where((H) => H.c.id.in([3])), ['Spider-Boy'])
        assert.deepEqual(await where((H) => H.c.id.in([1])), ['Deadpond'])
        assert.deepEqual(await where((H) => H.c.id.in([3, 1, 2])), everyone)
        assert.deepEqual(await where((H) => H.c.id.in([])), [])
        assert.deepEqual(await where((H) => H.c.id.in([4, 5, 6])), [])
        assert.deepEqual(await where((H) => H.c.id.in([2])), ['Rusty-Man'])

        assert.deepEqual(await where((H) => H.c.id.notIn([1, 2])), ['Spider-Boy'])
        assert.deepEqual(await where((H) => H.c.id.notIn([2, 3])), ['Deadpond'])
        assert.deepEqual(await where((H) => H.c.id.notIn([])), everyone)
        assert.deepEqual(await where((H) => H.c.id.notIn([3])), ['Deadpond', 'Rusty-Man'])
        assert.deepEqual(await where((H) => H.c.id.notIn([1])), ['Rusty-Man', 'Spider-Boy'])

        assert.deepEqual(await where((H) => H.c.name.in(['Deadpond', 'Nobody'])), ['Deadpond'])
        assert.deepEqual(await where((H) => H.c.name.in(['Spider-Boy', 'Rusty-Man'])), [
          'Rusty-Man',
          'Spider-Boy',
        ])
      })

      test('contains, startsWith and endsWith with other text, % and _ matching literally', async () => {
        assert.deepEqual(await where((H) => H.c.name.contains('Man')), ['Rusty-Man'])
        assert.deepEqual(await where((H) => H.c.name.contains('pond')), ['Deadpond'])
        assert.deepEqual(await where((H) => H.c.name.contains('-')), ['Rusty-Man', 'Spider-Boy'])
        assert.deepEqual(await where((H) => H.c.name.contains('r-B')), ['Spider-Boy'])
        assert.deepEqual(await where((H) => H.c.name.contains('r_B')), [], '_ is not "any one character"')
        assert.deepEqual(await where((H) => H.c.name.contains('%an')), [], '% is not "anything"')
        assert.deepEqual(await where((H) => H.c.name.contains('%')), [])
        assert.deepEqual(await where((H) => H.c.name.contains('Man')), ['Rusty-Man'])

        assert.deepEqual(await where((H) => H.c.name.startsWith('Spider')), ['Spider-Boy'])
        assert.deepEqual(await where((H) => H.c.name.startsWith('Man')), [], 'Man is not at the start')
        assert.deepEqual(await where((H) => H.c.name.startsWith('_')), [])
        assert.deepEqual(await where((H) => H.c.name.startsWith('Rusty')), ['Rusty-Man'])

        assert.deepEqual(await where((H) => H.c.name.endsWith('Man')), ['Rusty-Man'])
        assert.deepEqual(await where((H) => H.c.name.endsWith('Boy')), ['Spider-Boy'])
        assert.deepEqual(await where((H) => H.c.name.endsWith('%')), [])
        assert.deepEqual(await where((H) => H.c.name.endsWith('Spider')), [], 'Spider is not at the end')
      })

      test('and, or and not, nested, with other values', async () => {
        const between = (H: Db['Hero'], low: number, high: number) => and(H.c.age.gte(low), H.c.age.lte(high))
        assert.deepEqual(await where((H) => or(between(H, 18, 50), H.c.name.eq('Deadpond'))), [
          'Deadpond',
          'Rusty-Man',
        ])
        assert.deepEqual(await where((H) => or(between(H, 10, 20), H.c.name.eq('Rusty-Man'))), [
          'Rusty-Man',
          'Spider-Boy',
        ])
        assert.deepEqual(await where((H) => or(between(H, 60, 90), H.c.name.eq('Nobody'))), [])

        assert.deepEqual(await where((H) => and(between(H, 10, 50), not(H.c.name.eq('Rusty-Man')))), [
          'Spider-Boy',
        ])
        assert.deepEqual(await where((H) => and(between(H, 10, 50), not(H.c.name.eq('Spider-Boy')))), [
          'Rusty-Man',
        ])

        assert.deepEqual(await where((H) => and(H.c.age.gt(10), H.c.name.contains('Man'))), ['Rusty-Man'])
        assert.deepEqual(
          await where((H) => or(H.c.age.gt(10), H.c.name.contains('Man'))),
          ['Rusty-Man', 'Spider-Boy'],
          'or() of the same conditions as and()',
        )
        assert.deepEqual(await where((H) => not(H.c.name.eq('Deadpond'))), ['Rusty-Man', 'Spider-Boy'])
        assert.deepEqual(await where((H) => not(H.c.name.eq('Rusty-Man'))), ['Deadpond', 'Spider-Boy'])
        assert.deepEqual(await where((H) => H.c.name.eq('Rusty-Man')), ['Rusty-Man'], 'without not()')
      })

      test('limit and offset with other values, offset without limit, and the order direction', async () => {
        const byId = (H: Db['Hero']) => select(H).orderBy(H.c.id)
        assert.deepEqual(await names((H) => byId(H).limit(1).offset(0)), ['Deadpond'])
        assert.deepEqual(await names((H) => byId(H).limit(1).offset(2)), ['Spider-Boy'])
        assert.deepEqual(await names((H) => byId(H).limit(2).offset(1)), ['Rusty-Man', 'Spider-Boy'])
        assert.deepEqual(await names((H) => byId(H).offset(1)), ['Rusty-Man', 'Spider-Boy'], 'offset alone')
        assert.deepEqual(await names((H) => byId(H).offset(2)), ['Spider-Boy'])
        assert.deepEqual(await names((H) => byId(H).offset(0)), everyone)
        assert.deepEqual(await names((H) => byId(H).limit(1).offset(1)), ['Rusty-Man'])
        assert.deepEqual(await names((H) => byId(H).limit(2)), ['Deadpond', 'Rusty-Man'])
        assert.deepEqual(await names((H) => byId(H).limit(1)), ['Deadpond'])
        assert.deepEqual(await names((H) => byId(H).limit(0)), [])
        assert.deepEqual(await names((H) => select(H).orderBy(H.c.id.desc()).limit(1)), ['Spider-Boy'])
        assert.deepEqual(await names((H) => select(H).orderBy(H.c.name.desc()).limit(1)), ['Spider-Boy'])
        assert.deepEqual(await names((H) => select(H).orderBy(H.c.secret_name).limit(1)), ['Deadpond'])
      })

      test('two models of one table each select their own columns with queries of one shape', async () => {
        // The hero table as an older version of the app declares it: the same table and model names,
        // fewer fields, in a Metadata of its own.
        const OldHero = table(
          'hero',
          model('Hero', {
            id: field.integer({ primaryKey: true }),
            name: field.string(),
            age: field.integer({ nullable: true }),
          }),
          { metadata: new Metadata() },
        )
        // A database of its own, so OldHero is the first to run its query there.
        const fresh = await heroesDatabase({ dialect })
        await using _ = fresh.engine
        await addTutorialHeroes(fresh)
        const { Hero } = fresh
        {
          await using session = new Session(fresh.engine)
          const hero = await session.exec(select(OldHero).where(OldHero.c.id.eq(2))).one()
          assert.deepEqual({ ...hero }, { id: 2, name: 'Rusty-Man', age: 48 }, 'the fields OldHero declares')
        }
        {
          await using session = new Session(fresh.engine)
          const hero = await session.exec(select(Hero).where(Hero.c.id.eq(1))).one()
          assert.deepEqual(
            { ...hero },
            { id: 1, name: 'Deadpond', secret_name: 'Dive Wilson', age: null, team_id: null },
            'all the fields of Hero after OldHero ran the same query',
          )
        }
        {
          await using session = new Session(fresh.engine)
          const hero = await session.exec(select(OldHero).where(OldHero.c.id.eq(3))).one()
          assert.deepEqual(
            { ...hero },
            { id: 3, name: 'Spider-Boy', age: 16 },
            'only the fields of OldHero after Hero ran the same query',
          )
        }
      })

      test('one model on two engines: each runs the query in its own SQL', async () => {
        // The same Hero on a SQLite file and on this dialect's database, each with one hero of its own.
        const { metadata, Hero } = declareHeroes()
        await using local = createEngine(tempSqliteUrl())
        await using server = createEngine(await dialect.isolatedUrl())
        for (const [engine, name] of [
          [local, 'Deadpond'],
          [server, 'Rusty-Man'],
        ] as const) {
          await createAll(engine, { metadata })
          await using session = new Session(engine)
          session.add(Hero.create({ name, secret_name: 'Dive Wilson' }))
          await session.commit()
        }
        const namesOn = async (engine: Engine) => {
          await using session = new Session(engine)
          const heroes = await session
            .exec(select(Hero).where(Hero.c.name.in(['Deadpond', 'Rusty-Man'])))
            .all()
          return heroes.map((hero) => hero.name)
        }
        assert.deepEqual(await namesOn(local), ['Deadpond'])
        assert.deepEqual(await namesOn(server), ['Rusty-Man'])
        assert.deepEqual(await namesOn(local), ['Deadpond'])
      })

      test('the echo shows one SQL text for queries of one shape and another for another shape', async () => {
        db.log.length = 0
        await where((H) => H.c.id.in([1, 2]))
        await where((H) => H.c.id.in([2, 3]))
        await where((H) => H.c.id.in([1, 2, 3]))
        await where((H) => H.c.name.contains('Man'))
        await where((H) => H.c.name.endsWith('Boy'))
        await where((H) => H.c.age.eq(48))
        await where((H) => H.c.age.eq(null))
        const statement = (condition: string, parameters: string) =>
          `select ${HERO_COLUMNS} from "hero" where ${condition} order by "hero"."id" asc${parameters}`
        assert.equal(db.log.length, 7, db.log.join('\n'))
        const [inTwo, inTwoAgain, inThree, contains, endsWith, eq, eqNull] = db.log
        assert.equal(inTwo, statement('"hero"."id" in (?, ?)', ' -- 2 parameters'))
        assert.equal(inTwoAgain, inTwo, 'other values, the same SQL text')
        assert.equal(inThree, statement('"hero"."id" in (?, ?, ?)', ' -- 3 parameters'))
        assert.match(contains!, /where "hero"\."name" like \? escape .* -- 1 parameter$/)
        assert.equal(endsWith, contains, 'the pattern is the value, so contains and endsWith share the text')
        assert.equal(eq, statement('"hero"."age" = ?', ' -- 1 parameter'))
        assert.equal(eqNull, statement('"hero"."age" is null', ''))
      })

      test('a shape is built once per engine and model; later queries of it only bind their values', async (t) => {
        const built = t.mock.method(db.engine.db, 'selectFrom')
        const byName = (H: Db['Hero'], list: string[]) =>
          select(H).where(H.c.name.in(list)).orderBy(H.c.secret_name.desc())
        assert.deepEqual(await names((H) => byName(H, ['Deadpond', 'Rusty-Man', 'Spider-Boy', 'Nobody'])), [
          'Rusty-Man',
          'Spider-Boy',
          'Deadpond',
        ])
        built.mock.resetCalls()
        assert.deepEqual(await names((H) => byName(H, ['Nobody', 'Deadpond', 'Somebody', 'Rusty-Man'])), [
          'Rusty-Man',
          'Deadpond',
        ])
        assert.deepEqual(await names((H) => byName(H, ['Spider-Boy', 'a', 'b', 'c'])), ['Spider-Boy'])
        assert.equal(built.mock.callCount(), 0, 'the same shape is not built again')
        assert.deepEqual(await names((H) => byName(H, ['Deadpond', 'Rusty-Man'])), ['Rusty-Man', 'Deadpond'])
        assert.equal(built.mock.callCount(), 1, 'a list of another length is another shape, built once')
      })
    })
  })
}
