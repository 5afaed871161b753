/** SQLite connection settings, echo, the prepared-statement cache and disposal, on real files. */
import assert from 'node:assert/strict'
import { DatabaseSync, StatementSync } from 'node:sqlite'
import { describe, mock, test } from 'node:test'
import { sql } from 'kysely'
import {
  createAll,
  createEngine,
  field,
  Metadata,
  model,
  select,
  Session,
  table,
  type Engine,
} from 'onemodel-ts'
import { tempSqliteUrl } from '../support/sqlite.ts'

function declareHero() {
  const metadata = new Metadata()
  const Hero = table(
    'hero',
    model('Hero', {
      id: field.integer({ primaryKey: true }),
      name: field.string(),
      secret_name: field.string({ secret: true }),
      age: field.integer({ nullable: true, default: null }),
    }),
    { metadata },
  )
  return { metadata, Hero }
}

async function pragma(engine: Engine, name: string): Promise<unknown> {
  const { rows } = await sql<Record<string, unknown>>`${sql.raw(`pragma ${name}`)}`.execute(engine.db)
  return Object.values(rows[0]!)[0]
}

describe('SQLite pragmas', () => {
  test('default to WAL, synchronous=NORMAL, foreign keys on and a 5 s busy timeout', async () => {
    await using engine = createEngine(tempSqliteUrl())
    assert.equal(await pragma(engine, 'journal_mode'), 'wal')
    assert.equal(await pragma(engine, 'synchronous'), 1, 'NORMAL is 1')
    assert.equal(await pragma(engine, 'foreign_keys'), 1)
    assert.equal(await pragma(engine, 'busy_timeout'), 5000)
  })

  test('are each configurable', async () => {
    await using engine = createEngine(tempSqliteUrl(), {
      sqlite: { journalMode: 'delete', synchronous: 'full', foreignKeys: false, busyTimeout: 250 },
    })
    assert.equal(await pragma(engine, 'journal_mode'), 'delete')
    assert.equal(await pragma(engine, 'synchronous'), 2, 'FULL is 2')
    assert.equal(await pragma(engine, 'foreign_keys'), 0)
    assert.equal(await pragma(engine, 'busy_timeout'), 250)
  })

  test('a memory database keeps its memory journal', async () => {
    await using engine = createEngine('sqlite://')
    assert.equal(await pragma(engine, 'journal_mode'), 'memory')
    assert.equal(await pragma(engine, 'foreign_keys'), 1)
  })

  test('foreign keys are enforced by default, and not when turned off', async () => {
    const metadata = new Metadata()
    table('team', model('Team', { id: field.integer({ primaryKey: true }) }), { metadata })
    const Hero = table(
      'hero',
      model('Hero', {
        id: field.integer({ primaryKey: true }),
        team_id: field.integer({ foreignKey: 'team.id' }),
      }),
      { metadata },
    )
    const url = tempSqliteUrl()
    {
      await using engine = createEngine(url)
      await createAll(engine, { metadata })
      await using session = new Session(engine)
      session.add(Hero.create({ team_id: 42 }))
      await assert.rejects(session.commit(), { code: 'OM_ORM_INTEGRITY', constraint: 'foreign_key' })
    }
    {
      await using engine = createEngine(url, { sqlite: { foreignKeys: false } })
      await using session = new Session(engine)
      session.add(Hero.create({ team_id: 42 }))
      await session.commit()
      assert.equal((await session.exec(select(Hero)).one()).team_id, 42, 'the dangling reference was stored')
    }
  })
})

describe('createEngine echo', () => {
  test('logs each statement with its parameter count and never a parameter value', async () => {
    const { metadata, Hero } = declareHero()
    const lines: string[] = []
    await using engine = createEngine(tempSqliteUrl(), { echo: true, logger: (line) => lines.push(line) })
    await createAll(engine, { metadata })
    await using session = new Session(engine)
    session.add(Hero.create({ name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16 }))
    await session.commit()
    await session.exec(select(Hero).where(Hero.c.secret_name.eq('Pedro Parqueador'))).all()

    assert.ok(
      lines.some((line) => line.startsWith('create table if not exists "hero"')),
      'DDL is logged',
    )
    assert.ok(
      lines.includes(
        'insert into "hero" ("name", "secret_name", "age") values (?, ?, ?) returning "id" -- 3 parameters',
      ),
      `the insert is logged with its parameter count; got ${JSON.stringify(lines)}`,
    )
    assert.ok(
      lines.includes(
        'select "hero"."id", "hero"."name", "hero"."secret_name", "hero"."age" from "hero" where "hero"."secret_name" = ? -- 1 parameter',
      ),
      "a select names the model's columns and logs its parameter count",
    )
    for (const value of ['Spider-Boy', 'Pedro Parqueador', '16']) {
      assert.ok(!lines.some((line) => line.includes(value)), `the value ${value} must never reach the log`)
    }
  })

  test('is off by default', async () => {
    const { metadata } = declareHero()
    const log = mock.method(console, 'log', () => {})
    try {
      await using engine = createEngine(tempSqliteUrl())
      await createAll(engine, { metadata })
    } finally {
      log.mock.restore()
    }
    assert.equal(log.mock.callCount(), 0, 'nothing is printed without echo: true')
  })
})

describe('SQLite prepared-statement cache', () => {
  test('prepares a repeated statement once per connection', async () => {
    const { metadata, Hero } = declareHero()
    await using engine = createEngine(tempSqliteUrl())
    await createAll(engine, { metadata })
    const prepare = mock.method(DatabaseSync.prototype, 'prepare')
    try {
      await using session = new Session(engine)
      for (const name of ['Deadpond', 'Rusty-Man', 'Spider-Boy']) {
        session.add(Hero.create({ name, secret_name: 'x' }))
        await session.commit()
      }
      const preparedSql = prepare.mock.calls.map((call) => call.arguments[0])
      assert.equal(
        preparedSql.filter((text) => text.startsWith('insert')).length,
        1,
        'three inserts of the same columns reuse one prepared statement',
      )
    } finally {
      prepare.mock.restore()
    }
  })

  test('keeps working when a small cache evicts statements', async () => {
    const { metadata, Hero } = declareHero()
    await using engine = createEngine(tempSqliteUrl(), { sqlite: { statementCacheSize: 1 } })
    await createAll(engine, { metadata })
    await using session = new Session(engine)
    session.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
    await session.commit()
    for (let i = 0; i < 3; i++) {
      assert.equal((await session.exec(select(Hero).where(Hero.c.id.eq(1))).one()).name, 'Deadpond')
      assert.equal((await session.exec(select(Hero).where(Hero.c.name.eq('Nobody'))).all()).length, 0)
    }
  })
})

describe('SQLite statement cache', () => {
  test('evicts the least recently used statement, not the first prepared', async () => {
    await using engine = createEngine(tempSqliteUrl(), { sqlite: { statementCacheSize: 2 } })
    const [a, b, c] = [sql`select 1 as a`, sql`select 2 as b`, sql`select 3 as c`]
    await a.execute(engine.db) // connects first, so only the statements below are counted
    const prepare = mock.method(DatabaseSync.prototype, 'prepare')
    try {
      for (const query of [b, a, c, a]) await query.execute(engine.db)
      const preparedSql = prepare.mock.calls.map((call) => call.arguments[0])
      assert.deepEqual(preparedSql, ['select 2 as b', 'select 3 as c'], 'a, used last, stayed; b went')
    } finally {
      prepare.mock.restore()
    }
  })
})

describe('SQLite writes by primary key', () => {
  test('read back one row: inserts, updates and deletes return the key, and a gone row is still OM_ORM_STALE', async () => {
    const { metadata, Hero } = declareHero()
    const lines: string[] = []
    await using engine = createEngine(tempSqliteUrl(), { echo: true, logger: (line) => lines.push(line) })
    await createAll(engine, { metadata })
    const get = mock.method(StatementSync.prototype, 'get')
    try {
      await using session = new Session(engine)
      const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
      session.add(hero)
      await session.commit()
      hero.name = 'Deadpool'
      await session.commit()
      await session.delete(hero)
      await session.commit()
      const writes = lines.filter((line) => /^(insert|update|delete)/.test(line))
      assert.equal(writes.length, 3)
      for (const line of writes) assert.match(line, /returning "id"/, line)
      assert.equal(get.mock.callCount(), 3, 'node:sqlite read one row for each write, not the whole result')
    } finally {
      get.mock.restore()
    }
    const other = createEngine(engine.url)
    await using _ = other
    await using session = new Session(other)
    const ghost = Hero.create({ name: 'Ghost', secret_name: 'x' })
    session.add(ghost)
    await session.commit()
    const stale = await session.refresh(ghost)
    {
      await using deleter = new Session(engine)
      await deleter.delete((await deleter.get(Hero, stale.id))!)
      await deleter.commit()
    }
    stale.name = 'Still here?'
    await assert.rejects(session.commit(), { code: 'OM_ORM_STALE' })
  })
})

describe('a model ahead of its database', () => {
  test('reading a field the table lacks fails naming the column, instead of reading undefined', async () => {
    const { metadata, Hero } = declareHero()
    const url = tempSqliteUrl()
    {
      await using engine = createEngine(url)
      await createAll(engine, { metadata })
    }
    const ahead = new Metadata()
    const HeroWithPowers = table('hero', Hero.extend('Hero', { powers: field.string({ nullable: true }) }), {
      metadata: ahead,
    })
    await using engine = createEngine(url)
    await using session = new Session(engine)
    await assert.rejects(session.exec(select(HeroWithPowers)).all(), /powers/)
    await assert.rejects(session.get(HeroWithPowers, 1), /powers/)
  })
})

describe('SQLite dates', () => {
  test("a datetime field reads SQLite's own text as UTC, and ISO text with its offset", async (t) => {
    const metadata = new Metadata()
    const Event = table(
      'event',
      model('Event', { id: field.integer({ primaryKey: true }), at: field.datetime() }),
      { metadata },
    )
    // Away from UTC, so that text read as local time would show.
    const zone = process.env.TZ
    process.env.TZ = 'America/New_York'
    t.after(() => (zone === undefined ? delete process.env.TZ : (process.env.TZ = zone)))
    const engine = createEngine(tempSqliteUrl())
    t.after(() => engine.dispose())
    await createAll(engine, { metadata })
    const texts = [
      "datetime('2026-12-05 07:33:00')", // SQLite's datetime(): no T, no offset, UTC
      "'2026-12-05 07:33:00.250'",
      "'2026-12-05T07:33:00.000Z'", // what onemodel writes
      "'2026-12-05T08:33:00+01:00'",
    ]
    for (const [i, text] of texts.entries()) {
      await sql`${sql.raw(`insert into event (id, at) values (${i + 1}, ${text})`)}`.execute(engine.db)
    }
    await using session = new Session(engine)
    const read = await session.exec(select(Event.c.at).orderBy(Event.c.id)).all()
    assert.deepEqual(
      read.map((date) => date.toISOString()),
      [
        '2026-12-05T07:33:00.000Z',
        '2026-12-05T07:33:00.250Z',
        '2026-12-05T07:33:00.000Z',
        '2026-12-05T07:33:00.000Z',
      ],
    )
  })
})
