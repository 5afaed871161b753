/**
 * insert() with bindParam() values, built once and run with each run's params, on every dialect of
 * DIALECTS: one SQL text for every run, each run's row validated whole (its defaults made then), a
 * conflict clause kept, and missing, unknown or misplaced parameters refused with errors that name them.
 */
import assert from 'node:assert/strict'
import { afterEach, beforeEach, describe, test } from 'node:test'
import {
  bindParam,
  createAll,
  deleteFrom,
  field,
  insert,
  InvalidQueryError,
  Metadata,
  model,
  select,
  Session,
  table,
  update,
  ValidationError,
} from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { refused } from '../support/refused.ts'
import { heroesDatabase } from '../support/heroes.ts'

type Db = Awaited<ReturnType<typeof heroesDatabase>>

for (const dialect of DIALECTS) {
  const mysql = dialect.name === 'mysql'
  describe(`${dialect.name}: insert() with bind parameters`, () => {
    let db: Db
    beforeEach(async () => {
      db = await heroesDatabase({ dialect })
      db.log.length = 0
    })
    afterEach(() => db?.engine.dispose())

    async function heroes() {
      await using session = new Session(db.engine)
      const rows = await session.exec(select(db.Hero).orderBy(db.Hero.c.id)).all()
      return rows.map(({ name, secret_name, age }) => ({ name, secret_name, age }))
    }

    /** Each team's name and headquarters, in the order they were inserted. */
    async function teams() {
      await using session = new Session(db.engine)
      const rows = await session.exec(select(db.Team).orderBy(db.Team.c.id)).all()
      return rows.map(({ name, headquarters }) => [name, headquarters])
    }

    test('one insert object runs with each run’s values, in one SQL text', async () => {
      const { Hero, engine, log } = db
      const newHero = insert(Hero).values({
        name: bindParam('name'),
        secret_name: 'Classified',
        age: bindParam('age'),
      })
      await using session = new Session(engine)
      assert.deepEqual(await session.exec(newHero, { params: { name: 'Deadpond', age: null } }), {
        affected: 1,
      })
      await session.exec(newHero, { params: { name: 'Rusty-Man', age: 48 } })
      await session.exec(newHero, { params: { name: 'Spider-Boy', age: 16 } })
      // team_id is its default, null, as in create().
      const sql =
        'insert into "hero" ("name", "secret_name", "age", "team_id") values (?, ?, ?, ?) -- 4 parameters'
      assert.deepEqual(log, [sql, sql, sql])
      assert.deepEqual(await heroes(), [
        { name: 'Deadpond', secret_name: 'Classified', age: null },
        { name: 'Rusty-Man', secret_name: 'Classified', age: 48 },
        { name: 'Spider-Boy', secret_name: 'Classified', age: 16 },
      ])
    })

    test('a conflict clause is kept: the same row run twice is one row', async () => {
      const { Team, engine, log } = db
      const team = insert(Team)
        .values({ name: bindParam('name'), headquarters: bindParam('headquarters') })
        .onConflict({ target: 'name' })
        .doUpdate(['headquarters'])
      await using session = new Session(engine)
      await session.exec(team, { params: { name: 'Preventers', headquarters: 'Sharp Tower' } })
      await session.exec(team, { params: { name: 'Preventers', headquarters: 'New Tower' } })
      await session.exec(team, { params: { name: 'Z-Force', headquarters: 'The Bar' } })
      assert.equal(new Set(log).size, 1, 'one SQL text')
      assert.match(log[0]!, mysql ? /on duplicate key update/ : /on conflict \("name"\) do update/)
      assert.deepEqual(await teams(), [
        ['Preventers', 'New Tower'],
        ['Z-Force', 'The Bar'],
      ])
    })

    test('several rows, and one parameter in two places', async () => {
      const { Hero, engine } = db
      const twins = insert(Hero).values([
        { name: bindParam('first'), secret_name: bindParam('secret') },
        { name: bindParam('second'), secret_name: bindParam('secret'), age: 30 },
      ])
      await using session = new Session(engine)
      await session.exec(twins, { params: { first: 'Tarantula', second: 'Black Lion', secret: 'Twins' } })
      // The second run binds its own values into the statement the first compiled.
      await session.exec(twins, { params: { first: 'Dormammu', second: 'Captain North', secret: 'Pair' } })
      assert.deepEqual(await heroes(), [
        { name: 'Tarantula', secret_name: 'Twins', age: null },
        { name: 'Black Lion', secret_name: 'Twins', age: 30 },
        { name: 'Dormammu', secret_name: 'Pair', age: null },
        { name: 'Captain North', secret_name: 'Pair', age: 30 },
      ])
    })

    test('a fixed doUpdate() value is bound after each run’s rows', async () => {
      const { Team, engine } = db
      const closing = insert(Team)
        .values({ name: bindParam('name'), headquarters: 'Open' })
        .onConflict({ target: 'name' })
        .doUpdate({ headquarters: 'Closed' })
      await using session = new Session(engine)
      for (const name of ['Preventers', 'Z-Force', 'Preventers']) {
        await session.exec(closing, { params: { name } })
      }
      assert.deepEqual(await teams(), [
        ['Preventers', 'Closed'],
        ['Z-Force', 'Open'],
      ])
    })

    test('JSON and datetime columns take their values from parameters, encoded as in create()', async () => {
      const metadata = new Metadata()
      const Note = table(
        'note',
        model('Note', {
          id: field.integer({ primaryKey: true }),
          tags: field.json<string[]>(),
          at: field.datetime(),
        }),
        { metadata },
      )
      await createAll(db.engine, { metadata })
      const note = insert(Note).values({ tags: bindParam('tags'), at: bindParam('at') })
      const first = new Date('2026-12-06T08:00:00.123Z')
      await using session = new Session(db.engine)
      await session.exec(note, { params: { tags: ['a', 'b'], at: first } })
      await session.exec(note, { params: { tags: [], at: '2026-12-07T09:30:00.000Z' } })
      const notes = await session.exec(select(Note).orderBy(Note.c.id)).all()
      assert.deepEqual(
        notes.map(({ tags, at }) => [tags, at.toISOString()]),
        [
          [['a', 'b'], '2026-12-06T08:00:00.123Z'],
          [[], '2026-12-07T09:30:00.000Z'],
        ],
      )
    })

    test('a run’s values are validated as Model.create() validates a row, and nothing is written', async () => {
      const { Hero, engine, log } = db
      const newHero = insert(Hero).values({ name: bindParam('name'), secret_name: 'Classified' })
      await using session = new Session(engine)
      await assert.rejects(
        session.exec(newHero, { params: { name: 42 } }),
        refused(ValidationError, 'Hero', 'name'),
      )
      // A value converts as it does in create(): an integer column takes '16' as 16.
      const aged = insert(Hero).values({ name: 'Spider-Boy', secret_name: 'Pedro', age: bindParam('age') })
      await session.exec(aged, { params: { age: '16' } })
      await assert.rejects(
        session.exec(aged, { params: { age: 'sixteen' } }),
        refused(ValidationError, 'Hero', 'age'),
      )
      assert.equal(log.length, 1, 'only the valid run reached the database')
      assert.deepEqual(await heroes(), [{ name: 'Spider-Boy', secret_name: 'Pedro', age: 16 }])
    })

    test('missing, unknown and unwanted parameters are InvalidQueryErrors that name them', async () => {
      const { Hero, engine, log } = db
      const newHero = insert(Hero).values({ name: bindParam('name'), secret_name: 'Classified' })
      await using session = new Session(engine)
      await assert.rejects(
        session.exec(newHero),
        refused(InvalidQueryError, 'No value for the bind parameter "name"', 'insert(Hero)'),
      )
      await assert.rejects(
        session.exec(newHero, { params: { name: 'Deadpond', age: 30 } }),
        refused(InvalidQueryError, 'Unknown bind parameter "age"', `insert(Hero)'s parameters: "name"`),
      )
      const plain = insert(Hero).values({ name: 'Deadpond', secret_name: 'Dive Wilson' })
      await assert.rejects(
        session.exec(plain, { params: { name: 'Deadpond' } }),
        refused(InvalidQueryError, 'Unknown bind parameter "name"', 'insert(Hero) has no bind parameter'),
      )
      await assert.rejects(
        session.exec(update(Hero).values({ age: 1 }), { params: { age: 2 } }),
        refused(InvalidQueryError, 'update(Hero) takes no params'),
      )
      await assert.rejects(
        session.exec(deleteFrom(Hero), { params: { id: 1 } }),
        refused(InvalidQueryError, 'deleteFrom(Hero) takes no params'),
      )
      assert.deepEqual(log, [])
    })

    test('a bad run fails before the autoflush: what is pending is not written for it', async () => {
      const { Hero, Team, engine, log } = db
      const newHero = insert(Hero).values({ name: bindParam('name'), secret_name: 'Classified' })
      await using session = new Session(engine)
      session.add(Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' }))
      await assert.rejects(session.exec(newHero), refused(InvalidQueryError, '"name"'))
      await assert.rejects(
        session.exec(newHero, { params: { name: 42 } }),
        refused(ValidationError, 'Hero', 'name'),
      )
      assert.deepEqual(log, [], 'no INSERT ran for the pending team')
      assert.equal(session.inTransaction, false)
    })
  })
}

describe('insert() with bind parameters, built', () => {
  test('the values given with parameters are checked when the insert is built', async () => {
    const { Hero, engine } = await heroesDatabase()
    try {
      const badAge = { name: bindParam<string>('name'), secret_name: 'X', age: 'old' as unknown as number }
      assert.throws(() => insert(Hero).values(badAge), refused(ValidationError, 'age'))
      // A column is no value: only bindParam() stands for one.
      const copied = { name: Hero.c.secret_name as never, secret_name: 'X' }
      assert.throws(
        () => insert(Hero).values(copied),
        refused(InvalidQueryError, "insert(Hero).values(): 'name' is an expression", "bindParam('name')"),
      )
      const stray = { name: 'X', secret_name: 'Y', nickname: bindParam('nickname') } as never
      assert.throws(
        () => insert(Hero).values(stray),
        refused(InvalidQueryError, "Hero has no column 'nickname'", 'bindParam("nickname")'),
      )
      // A required column neither given nor a parameter could never be filled by a run; the key and the
      // age, which defaults to null, may be left out.
      // An undefined value is no value, as in create().
      for (const nameless of [
        { secret_name: bindParam('secret') },
        { name: undefined, secret_name: bindParam('secret') },
      ]) {
        assert.throws(
          () => insert(Hero).values(nameless as never),
          refused(
            InvalidQueryError,
            "insert(Hero).values(): 'name' is a required column of Hero",
            "bindParam('name')",
          ),
        )
      }
      assert.ok(insert(Hero).values({ name: bindParam('name'), secret_name: 'X' }))
    } finally {
      await engine.dispose()
    }
  })

  test('a default is made at each run: a defaultFactory gives each row its own value', async () => {
    const metadata = new Metadata()
    let made = 0
    const Event = table(
      'event',
      model('Event', {
        id: field.integer({ primaryKey: true }),
        name: field.string(),
        serial: field.integer({ defaultFactory: () => ++made }),
      }),
      { metadata },
    )
    const { engine } = await heroesDatabase()
    try {
      await createAll(engine, { metadata })
      const event = insert(Event).values({ name: bindParam('name') })
      await using session = new Session(engine)
      await session.exec(event, { params: { name: 'first' } })
      await session.exec(event, { params: { name: 'second' } })
      const rows = await session.exec(select(Event).orderBy(Event.c.id)).all()
      assert.deepEqual(
        rows.map(({ name, serial }) => [name, serial]),
        [
          ['first', 1],
          ['second', 2],
        ],
      )
    } finally {
      await engine.dispose()
    }
  })
})
