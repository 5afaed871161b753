/**
 * The engine's executor, which runs every statement of an engine, the Session's and Kysely's alike:
 * prepared statements on the servers (and none when turned off), Kysely plugins and logging that see the
 * Session's statements, Kysely's streams on the same connections, and one lifecycle for both.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CamelCasePlugin, SelectQueryNode, sql, TableNode, type KyselyPlugin, type LogEvent } from 'kysely'
import {
  createEngine,
  DataError,
  IntegrityError,
  Session,
  type Engine,
  type EngineOptions,
} from 'onemodel-ts'
import { DIALECTS, type DialectUnderTest } from '../support/dialects.ts'
import { addTutorialHeroes, heroesDatabase } from '../support/heroes.ts'

/** A database with the tutorial's heroes, on an engine with one connection, so every statement shares it. */
async function oneConnection(dialect: DialectUnderTest, options: EngineOptions & { url?: string } = {}) {
  const db = await heroesDatabase({ dialect, pool: { size: 1 }, ...options })
  await addTutorialHeroes(db)
  return db
}

/** Reads a hero by key in a new Session, the way a `GET /heroes/{id}` does. */
async function getHero(engine: Engine, Hero: Awaited<ReturnType<typeof oneConnection>>['Hero'], id: number) {
  await using session = new Session(engine)
  return session.get(Hero, id)
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: executor`, () => {
    test('plugins see the Session’s statements, and a result plugin changes only Kysely’s rows', async () => {
      // The Session compiles its statements with engine.db once per table, so the plugin sees them then.
      const selected: string[] = []
      const recorder: KyselyPlugin = {
        transformQuery({ node }) {
          if (!SelectQueryNode.is(node)) return node
          for (const from of node.from?.froms ?? []) {
            if (TableNode.is(from)) selected.push(from.table.identifier.name)
          }
          return node
        },
        async transformResult({ result }) {
          return result
        },
      }
      const { engine, Hero } = await oneConnection(dialect, { plugins: [recorder, new CamelCasePlugin()] })
      await using _ = engine

      const hero = await getHero(engine, Hero, 2)
      assert.equal(hero?.secret_name, 'Tommy Sharp', 'the Session reads its rows by position, unrenamed')
      assert.ok(selected.includes('hero'), 'the plugin transformed the Session’s select of heroes')
      const [raw] = await engine.db
        .selectFrom('hero')
        .select(['id', 'secret_name'])
        .where('id', '=', 2)
        .execute()
      assert.deepEqual(raw, { id: 2, secretName: 'Tommy Sharp' }, 'CamelCasePlugin renamed Kysely’s row')
    })

    test('the log sees every statement, the Session’s and Kysely’s, with its error mapped', async () => {
      const events: LogEvent[] = []
      const { engine, Hero, Team } = await oneConnection(dialect, { log: (event) => void events.push(event) })
      await using _ = engine
      events.length = 0

      await getHero(engine, Hero, 1)
      const get = events.find((event) => event.level === 'query' && /^select/.test(event.query.sql))
      assert.deepEqual(get?.query.parameters, [1], 'session.get was logged, with its parameter')
      assert.ok(get.queryDurationMillis >= 0)

      await engine.db.selectFrom('team').selectAll().execute()
      assert.ok(
        events.some((event) => /from .team./.test(event.query.sql)),
        'Kysely’s query was logged',
      )

      await using session = new Session(engine)
      session.add(Team.create({ name: 'Avengers', headquarters: 'Tower' }))
      session.add(Team.create({ name: 'Avengers', headquarters: 'Mansion' }))
      await assert.rejects(session.commit(), IntegrityError)
      const failed = events.find((event) => event.level === 'error')
      assert.ok(
        failed?.level === 'error' && failed.error instanceof IntegrityError,
        'the mapped error was logged',
      )
    })

    test('dispose() closes the connections Sessions used; engine.db then fails as disposed', async () => {
      const { engine, Hero } = await oneConnection(dialect)
      assert.equal((await getHero(engine, Hero, 3))?.name, 'Spider-Boy')
      await engine.dispose()
      await assert.rejects(engine.db.selectFrom('hero').selectAll().execute(), { code: 'OM_ENGINE_DISPOSED' })
      await assert.rejects(getHero(engine, Hero, 3), { code: 'OM_ENGINE_DISPOSED' })
      await engine.dispose() // a second time does nothing
    })

    test('dispose() during a Session’s transaction: its statements fail as disposed, nothing is written', async () => {
      const url = await dialect.isolatedUrl()
      const { engine, Hero } = await oneConnection(dialect, { url })
      const session = new Session(engine)
      await session.begin()
      const hero = (await session.get(Hero, 1))!
      hero.name = 'Deadpond II'
      await session.flush()
      const disposed = engine.dispose()
      await assert.rejects(session.get(Hero, 2), { code: 'OM_ENGINE_DISPOSED' })
      await assert.rejects(session.commit(), { code: 'OM_ENGINE_DISPOSED' })
      await session.rollback() // no driver error: the connection's close, or this rollback, undid the update
      await session.close()
      await disposed // PostgreSQL waited for the Session to give its connection back

      await using again = createEngine(url)
      const { rows } = await sql<{ name: string }>`select name from hero where id = 1`.execute(again.db)
      assert.deepEqual(
        rows.map((row) => row.name),
        ['Deadpond'],
      )
    })

    test('an invalid Date is refused as a DataError before it reaches the database', async () => {
      const { engine } = await oneConnection(dialect)
      await using _ = engine
      await assert.rejects(sql`select ${new Date(Number.NaN)} as d`.execute(engine.db), (error: Error) => {
        assert.ok(error instanceof DataError, String(error))
        assert.match(error.message, /invalid Date/)
        return true
      })
    })

    test('Kysely streams rows through the executor', async () => {
      const { engine } = await oneConnection(dialect)
      await using _ = engine
      const names: string[] = []
      for await (const row of engine.db.selectFrom('hero').select('name').orderBy('id').stream()) {
        names.push(row.name)
      }
      assert.deepEqual(names, ['Deadpond', 'Rusty-Man', 'Spider-Boy'])
    })

    test('a stream the caller leaves early gives its one connection back', async () => {
      const { engine } = await oneConnection(dialect)
      await using _ = engine
      for await (const row of engine.db.selectFrom('hero').select('name').orderBy('id').stream(1)) {
        assert.equal(row.name, 'Deadpond')
        break
      }
      const { rows } = await sql<{ n: number }>`select count(*) as n from hero`.execute(engine.db)
      assert.equal(Number(rows[0]!.n), 3)
    })
  })
}

const postgres = DIALECTS.find((dialect) => dialect.name === 'postgres')
if (postgres) {
  describe('postgres: prepared statements', () => {
    /** The statements the engine's only connection holds prepared. */
    async function prepared(engine: Engine): Promise<{ name: string; statement: string }[]> {
      const query = sql<{
        name: string
        statement: string
      }>`select name, statement from pg_prepared_statements`
      return (await query.execute(engine.db)).rows
    }

    test('a statement with parameters is named, and prepared once per connection', async () => {
      const { engine, Hero } = await oneConnection(postgres)
      await using _ = engine
      await getHero(engine, Hero, 1)
      await getHero(engine, Hero, 2)
      const gets = (await prepared(engine)).filter((p) =>
        /^select .* from "hero" where "id" = \$1$/.test(p.statement),
      )
      assert.equal(gets.length, 1, 'two gets, one prepared statement')
      assert.match(gets[0]!.name, /^om_\d+$/)
    })

    test('a connection keeps at most pool.statementCacheSize statements prepared', async () => {
      const { engine } = await oneConnection(postgres, { pool: { size: 1, statementCacheSize: 2 } })
      await using _ = engine
      for (const table of ['hero', 'team', 'hero', 'team'] as const) {
        for (const column of ['id', 'name'] as const) {
          await engine.db.selectFrom(table).select(column).where(column, '=', 1).execute()
        }
      }
      const names = (await prepared(engine)).map((p) => p.name)
      assert.equal(names.length, 2, `prepared: ${names.join(', ')}`)
    })

    test('a statement whose table changed under it is prepared again, at once outside a transaction', async () => {
      const { engine } = await oneConnection(postgres)
      await using _ = engine
      const read = (db: typeof engine.db) => db.selectFrom('team').selectAll().where('id', '=', 1).execute()
      await engine.db.insertInto('team').values({ name: 'Preventers', headquarters: 'Sharp Tower' }).execute()
      await read(engine.db)
      await sql`alter table team add column motto varchar`.execute(engine.db)
      assert.deepEqual(Object.keys((await read(engine.db))[0]!), ['id', 'name', 'headquarters', 'motto'])

      await sql`alter table team drop column motto`.execute(engine.db)
      // In a transaction the error aborts it, so it is the caller's; the next transaction prepares again.
      await assert.rejects(
        engine.db.transaction().execute(read),
        (error: Error & { code?: string }) => error.code === '0A000',
      )
      const [team] = await engine.db.transaction().execute(read)
      assert.deepEqual(Object.keys(team!), ['id', 'name', 'headquarters'])
    })

    test('a statement prepared again after its table changed is echoed and logged once', async () => {
      const lines: string[] = []
      const events: LogEvent[] = []
      const { engine } = await oneConnection(postgres, {
        echo: true,
        logger: (line) => void lines.push(line),
        log: (event) => void events.push(event),
      })
      await using _ = engine
      const read = () => engine.db.selectFrom('team').selectAll().where('id', '=', 1).execute()
      await engine.db.insertInto('team').values({ name: 'Preventers', headquarters: 'Sharp Tower' }).execute()
      await read()
      await sql`alter table team add column motto varchar`.execute(engine.db)
      lines.length = events.length = 0
      await read()
      assert.equal(lines.filter((line) => line.startsWith('select')).length, 1, lines.join('\n'))
      assert.deepEqual(
        events.map((event) => event.level),
        ['query'],
      )
    })

    test('in a transaction begun with raw SQL, a stale statement fails with its own error', async () => {
      const { engine } = await oneConnection(postgres)
      await using _ = engine
      const read = (db: typeof engine.db) => db.selectFrom('team').selectAll().where('id', '=', 1).execute()
      await engine.db.insertInto('team').values({ name: 'Preventers', headquarters: 'Sharp Tower' }).execute()
      await read(engine.db)
      await sql`alter table team add column motto varchar`.execute(engine.db)
      await engine.db.connection().execute(async (connection) => {
        await sql`begin`.execute(connection)
        await assert.rejects(read(connection), (error: Error & { code?: string }) => {
          assert.match(error.message, /cached plan must not change result type/)
          return true
        })
        await sql`rollback`.execute(connection)
      })
      assert.deepEqual(
        Object.keys((await read(engine.db))[0] ?? { id: 0, name: 0, headquarters: 0, motto: 0 }),
        ['id', 'name', 'headquarters', 'motto'],
      )
    })

    test('none is prepared with prepare: false, or with ?pgbouncer=true in the URL', async () => {
      const off = await oneConnection(postgres, { prepare: false })
      const bouncer = await oneConnection(postgres, { url: `${await postgres.isolatedUrl()}&pgbouncer=true` })
      for (const { engine, Hero } of [off, bouncer]) {
        await using _ = engine
        assert.equal((await getHero(engine, Hero, 1))?.name, 'Deadpond')
        assert.deepEqual(await prepared(engine), [])
      }
    })
  })
}

const mysql = DIALECTS.find((dialect) => dialect.name === 'mysql')
if (mysql) {
  describe('mysql: prepared statements', () => {
    /** How many statements the engine's only connection prepared and executed so far. */
    async function counts(engine: Engine): Promise<{ prepared: number; executed: number }> {
      const query = sql<{ Variable_name: string; Value: string }>`show session status like 'Com_stmt_%'`
      const rows = (await query.execute(engine.db)).rows
      const count = (name: string) => Number(rows.find((row) => row.Variable_name === name)?.Value)
      return { prepared: count('Com_stmt_prepare'), executed: count('Com_stmt_execute') }
    }

    test('a statement with parameters runs with execute(), prepared once per connection', async () => {
      const { engine, Hero } = await oneConnection(mysql)
      await using _ = engine
      await getHero(engine, Hero, 1)
      const before = await counts(engine)
      await getHero(engine, Hero, 2)
      await getHero(engine, Hero, 3)
      const after = await counts(engine)
      assert.equal(after.executed - before.executed, 2, 'each get executed a prepared statement')
      assert.equal(after.prepared, before.prepared, 'the statement prepared by the first get was reused')
    })

    test('a statement MySQL cannot prepare runs as text, with its values in the SQL', async () => {
      const { engine } = await oneConnection(mysql)
      await using _ = engine
      const variable = sql<{ Value: string }>`show session variables like ${'max_allowed_packet'}`
      const [packet] = (await variable.execute(engine.db)).rows
      assert.ok(Number(packet?.Value) > 0)
      await assert.rejects(
        sql`selec ${1}`.execute(engine.db),
        { errno: 1064 },
        'a real syntax error still fails',
      )
    })

    test('a statement MySQL cannot prepare is not offered to PREPARE again', async () => {
      const { engine } = await oneConnection(mysql)
      await using _ = engine
      const variable = sql<{ Value: string }>`show session variables like ${'max_allowed_packet'}`
      const before = await counts(engine)
      for (let i = 0; i < 3; i++) await variable.execute(engine.db)
      const after = await counts(engine)
      assert.equal(after.prepared - before.prepared, 1, 'one refused PREPARE, then text')
    })

    test('with prepare: false, statements run as text', async () => {
      const { engine, Hero } = await oneConnection(mysql, { prepare: false })
      await using _ = engine
      const before = await counts(engine)
      assert.equal((await getHero(engine, Hero, 1))?.name, 'Deadpond')
      assert.deepEqual(await counts(engine), before)
    })
  })
}
