/**
 * session.stream(select(…)): rows yielded as they are read, a chunk at a time, on every dialect of
 * DIALECTS. The connection a stream reads on is given back however its loop ends (to the end, a break, a
 * throw in the loop, a database error), which engines of one connection show: a leaked one would leave
 * the next query waiting for ever (PostgreSQL's pool gives up after its connect timeout).
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import {
  createAll,
  createEngine,
  field,
  InvalidQueryError,
  Metadata,
  model,
  OnemodelError,
  select,
  selectinload,
  Session,
  table,
  type DialectName,
  type Engine,
} from 'onemodel-ts'
import { DIALECTS, type DialectUnderTest } from '../support/dialects.ts'
import { heroesDatabase } from '../support/heroes.ts'
import { declareTeams, teamsDatabase } from '../support/teams.ts'

type Db = Awaited<ReturnType<typeof heroesDatabase>>

/** More rows than one chunk (1000), ending in a partial one. */
const MANY = 2500

/** Inserts heroes 1…count ('Hero 1', age 1 % 100, …) in one statement per thousand. */
async function seedHeroes(db: Db, count: number): Promise<void> {
  for (let first = 1; first <= count; first += 1000) {
    const rows = Array.from({ length: Math.min(1000, count - first + 1) }, (_, i) => ({
      id: first + i,
      name: `Hero ${first + i}`,
      secret_name: `Secret ${first + i}`,
      age: (first + i) % 100,
    }))
    await db.engine.db.insertInto('hero').values(rows).execute()
  }
  db.log.length = 0
}

/** A fresh heroes database whose engine has one connection on the servers. */
async function oneConnection(dialect: DialectUnderTest): Promise<Db> {
  return heroesDatabase({ dialect, pool: { size: 1, connectTimeout: 3000 } })
}

function isCode(code: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof OnemodelError, String(error))
    assert.equal(error.code, code)
    return true
  }
}

/**
 * A view whose row 1500 of 2000 fails to compute, so the database fails in the middle of a stream:
 * SQLite's json_extract of malformed JSON; elsewhere a scalar subquery that finds two rows (rows 1500 and
 * 1501 share their doc).
 */
const FAILING_VIEW: Record<DialectName, string> = {
  sqlite: `create view broken as select id, json_extract(doc, '$.n') as n from source`,
  postgres: `create view broken as select id, (select 1 from source s where s.doc = source.doc) as n from source`,
  mysql: `create view broken as select id, (select 1 from source s where s.doc = source.doc) as n from source`,
}

const Broken = table(
  'broken',
  model('Broken', { id: field.integer({ primaryKey: true }), n: field.integer({ nullable: true }) }),
  { metadata: new Metadata() },
)

async function createFailingView(engine: Engine, dialect: DialectName): Promise<void> {
  await sql`create table source (id integer primary key, doc varchar(20))`.execute(engine.db)
  const doc = (id: number) =>
    id !== 1500 ? `{"n": ${id}}` : dialect === 'sqlite' ? 'not json' : '{"n": 1501}'
  const rows = Array.from({ length: 2000 }, (_, i) => ({ id: i + 1, doc: doc(i + 1) }))
  await engine.db.insertInto('source').values(rows).execute()
  await sql.raw(FAILING_VIEW[dialect]).execute(engine.db)
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: session.stream()`, { timeout: 60_000 }, () => {
    let db: Db
    before(async () => {
      db = await heroesDatabase({ dialect })
      await seedHeroes(db, MANY)
    })
    after(() => db?.engine.dispose())

    test('yields every row, typed, in the query’s order, across chunks', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      const ids: number[] = []
      for await (const hero of session.stream(select(Hero).orderBy(Hero.c.id.desc()))) {
        ids.push(hero.id)
        assert.equal(hero.name, `Hero ${hero.id}`)
      }
      assert.deepEqual(
        ids,
        Array.from({ length: MANY }, (_, i) => MANY - i),
      )
    })

    test('filters, and reads each row once, as exec() does', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      const query = select(Hero).where(Hero.c.age.eq(42)).orderBy(Hero.c.id)
      const streamed: number[] = []
      for await (const hero of session.stream(query)) streamed.push(hero.id)
      await using other = new Session(db.engine)
      assert.deepEqual(
        streamed,
        (await other.exec(query).all()).map((hero) => hero.id),
      )
      assert.equal(streamed.length, 25)
    })

    test('a row the Session holds is yielded as that object; the others are kept by no Session', async () => {
      const { Hero, log } = db
      await using session = new Session(db.engine)
      const held = (await session.get(Hero, 2))!
      const streamed = []
      for await (const hero of session.stream(select(Hero).where(Hero.c.id.lte(3)).orderBy(Hero.c.id))) {
        streamed.push(hero)
      }
      assert.equal(streamed[1], held)
      assert.deepEqual(
        streamed.map((hero) => hero.name),
        ['Hero 1', 'Hero 2', 'Hero 3'],
      )
      log.length = 0
      const again = await session.get(Hero, 1)
      assert.notEqual(again, streamed[0], 'the Session did not keep the streamed row')
      assert.equal(log.length, 1, 'get() read it from the database')
    })

    test('a streamed row is written only once added: add() takes it in and commit writes what changed', async () => {
      const { Hero, log } = db
      await using session = new Session(db.engine)
      const query = select(Hero).where(Hero.c.id.eq(7))
      for await (const hero of session.stream(query)) hero.name = 'Changed before add'
      log.length = 0
      await session.commit()
      assert.equal(log.length, 0, 'a row in no Session is not written')
      for await (const hero of session.stream(query)) {
        hero.name = 'Renamed'
        session.add(hero)
      }
      await session.commit()
      await using other = new Session(db.engine)
      assert.equal((await other.get(Hero, 7))!.name, 'Renamed')
      assert.deepEqual(
        log.filter((line) => line.startsWith('update')),
        ['update "hero" set "name" = ? where "id" = ? -- 2 parameters'],
        'only the changed column',
      )
    })

    test('flushes pending changes first, and then reads in the transaction the flush began', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      const hero = (await session.get(Hero, 9))!
      hero.age = 99
      const ages: (number | null)[] = []
      for await (const row of session.stream(select(Hero).where(Hero.c.id.eq(9)))) ages.push(row.age)
      assert.deepEqual(ages, [99])
      assert.equal(session.inTransaction, true)
      await session.rollback()
    })

    test('refuses selectinload and forUpdate(), naming what to do instead', async () => {
      const { Team, Hero } = declareTeams()
      await using session = new Session(db.engine)
      assert.throws(
        () => session.stream(select(Team).options(selectinload('heroes'))),
        (error: Error) =>
          error instanceof InvalidQueryError && /session\.load\(row, 'heroes'\)/.test(error.message),
      )
      assert.throws(
        () => session.stream(select(Hero).forUpdate()),
        (error: Error) => error instanceof InvalidQueryError && /session\.exec\(\)/.test(error.message),
      )
    })

    test('outside a transaction, the Session runs queries and commits while the stream reads', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      let read = 0
      for await (const hero of session.stream(select(Hero).where(Hero.c.id.lte(1500)).orderBy(Hero.c.id))) {
        read++
        if (hero.id % 500 !== 0) continue
        const other = await session.exec(select(Hero).where(Hero.c.id.eq(hero.id + 1))).one()
        other.secret_name = `Seen by ${hero.id}`
        await session.commit()
      }
      assert.equal(read, 1500)
      await using check = new Session(db.engine)
      assert.equal((await check.get(Hero, 1001))!.secret_name, 'Seen by 1000')
    })

    test('in a transaction, it reads what the transaction wrote, and the Session waits for the loop', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      await session.begin()
      const hero = (await session.get(Hero, 11))!
      hero.age = 77
      await session.flush()
      for await (const row of session.stream(
        select(Hero)
          .where(Hero.c.id.in([11, 12]))
          .orderBy(Hero.c.id),
      )) {
        if (row.id === 11) assert.equal(row.age, 77)
        await assert.rejects(session.exec(select(Hero)).all(), isCode('OM_ORM_STREAM_OPEN'))
        await assert.rejects(session.get(Hero, 12), isCode('OM_ORM_STREAM_OPEN'))
        await assert.rejects(session.commit(), isCode('OM_ORM_STREAM_OPEN'))
        await assert.rejects(session.rollback(), isCode('OM_ORM_STREAM_OPEN'))
        assert.throws(() => session.stream(select(Hero)), isCode('OM_ORM_STREAM_OPEN'))
        session.add(row) // rows still change: they are written at the next flush
        row.secret_name = `Read with ${row.id}`
      }
      await session.commit()
      await using check = new Session(db.engine)
      assert.equal((await check.get(Hero, 11))!.age, 77)
      assert.equal((await check.get(Hero, 12))!.secret_name, 'Read with 12')
    })
  })

  describe(`${dialect.name}: session.stream() gives its connection back`, { timeout: 60_000 }, () => {
    let db: Db
    before(async () => {
      db = await oneConnection(dialect)
      await seedHeroes(db, MANY)
      await createFailingView(db.engine, dialect.name)
    })
    after(() => db?.engine.dispose())

    /** The Session, and the engine's one connection, still answer. */
    async function usable(session: Session): Promise<void> {
      const { Hero } = db
      assert.equal((await session.exec(select(Hero).where(Hero.c.id.eq(3))).one()).name, 'Hero 3')
      await using other = new Session(db.engine)
      const hero = (await other.get(Hero, 4))!
      hero.age = (hero.age ?? 0) + 1
      await other.commit()
    }

    test('when the loop breaks early', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      let read = 0
      for await (const _ of session.stream(select(Hero).orderBy(Hero.c.id))) if (++read === 1200) break
      assert.equal(read, 1200)
      await usable(session)
    })

    test('when the loop throws', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      const failure = new Error('the consumer failed')
      await assert.rejects(async () => {
        for await (const hero of session.stream(select(Hero).orderBy(Hero.c.id))) {
          if (hero.id === 10) throw failure
        }
      }, failure)
      await usable(session)
    })

    test('when the database fails in the middle of the stream', async () => {
      await using session = new Session(db.engine)
      let read = 0
      await assert.rejects(async () => {
        for await (const _ of session.stream(select(Broken).orderBy(Broken.c.id))) read++
      }, Error)
      assert.ok(read > 0 && read < 1500, `the stream failed after ${read} rows`)
      await usable(session)
    })

    test('when the database fails mid-stream in a transaction, rollback() ends it', async () => {
      await using session = new Session(db.engine)
      await session.begin()
      await assert.rejects(async () => {
        for await (const _ of session.stream(select(Broken).orderBy(Broken.c.id)));
      }, Error)
      await session.rollback()
      await usable(session)
    })

    test('when the Session closes with a stream left open', async () => {
      const { Hero } = db
      const session = new Session(db.engine)
      const rows = session.stream(select(Hero).orderBy(Hero.c.id))
      assert.equal((await rows.next()).value?.id, 1)
      await session.close()
      await assert.rejects(rows.next(), isCode('OM_ORM_SESSION_CLOSED'))
      await using next = new Session(db.engine)
      await usable(next)
    })

    test('when a stream in a transaction ends, the transaction goes on', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      await session.begin()
      for await (const hero of session.stream(select(Hero).orderBy(Hero.c.id))) if (hero.id === 5) break
      const hero = (await session.get(Hero, 5))!
      hero.name = 'Five'
      await session.commit()
      await usable(session)
      assert.equal((await session.get(Hero, 5))!.name, 'Five')
    })
  })

  describe(`${dialect.name}: session.stream() decodes as exec() does`, () => {
    test('booleans, dates, datetimes and JSON', async () => {
      const metadata = new Metadata()
      const Mission = table(
        'mission',
        model('Mission', {
          id: field.integer({ primaryKey: true }),
          done: field.boolean(),
          on: field.date(),
          at: field.datetime(),
          plan: field.json<{ a: number[] } | null>({ nullable: true, default: null }),
        }),
        { metadata },
      )
      await using engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata })
      await using writer = new Session(engine)
      writer.addAll([
        Mission.create({
          done: true,
          on: '2024-01-01',
          at: new Date('2024-01-01T10:00:00Z'),
          plan: { a: [1] },
        }),
        Mission.create({ done: false, on: '2024-06-01', at: new Date('2024-06-01T10:00:00.500Z') }),
      ])
      await writer.commit()
      const query = select(Mission).orderBy(Mission.c.id)
      await using reader = new Session(engine)
      const streamed = []
      for await (const mission of reader.stream(query)) streamed.push(mission)
      await using other = new Session(engine)
      const executed = await other.exec(query).all()
      assert.deepEqual(streamed, executed)
      assert.equal(streamed[0]!.done, true)
      assert.ok(streamed[1]!.at instanceof Date)
      assert.deepEqual(streamed[0]!.plan, { a: [1] })
    })
  })
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: streaming a select of several items`, () => {
    test('joined rows come as tuples, left-joined misses as null, and columns as values', async (t) => {
      const { Team, Hero, engine } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      session.add(Team.create({ name: 'Empty' }))
      await session.commit()
      const held = await session.get(Team, 1)
      const pairs: [string, string | null][] = []
      for await (const [team, hero] of session.stream(
        select(Team, Hero).leftJoin(Hero).orderBy(Team.c.id, Hero.c.id),
      )) {
        if (team.id === 1) assert.equal(team, held, 'a row the Session holds is the object it holds')
        pairs.push([team.name, hero?.name ?? null])
      }
      assert.deepEqual(pairs, [
        ['Preventers', 'Deadpond'],
        ['Preventers', 'Rusty-Man'],
        ['Z-Force', 'Spider-Boy'],
        ['Empty', null],
      ])
      const names: string[] = []
      for await (const name of session.stream(select(Hero.c.name).orderBy(Hero.c.name))) names.push(name)
      assert.deepEqual(names, ['Deadpond', 'Rusty-Man', 'Spider-Boy'])
    })
  })
}

test('a memory database streams the rows it had when the loop began, whatever the loop writes', async () => {
  const engine = createEngine('sqlite://')
  try {
    const { Hero } = declareTeams()
    await createAll(engine, { metadata: Hero.metadata })
    await using session = new Session(engine)
    session.addAll([Hero.create({ name: 'A' }), Hero.create({ name: 'B' })])
    await session.commit()
    const read: string[] = []
    for await (const hero of session.stream(select(Hero).orderBy(Hero.c.id))) {
      read.push(hero.name)
      session.add(Hero.create({ name: `${hero.name} again` }))
      await session.commit()
    }
    assert.deepEqual(read, ['A', 'B'])
    assert.equal((await session.exec(select(Hero)).all()).length, 4)
  } finally {
    await engine.dispose()
  }
})
