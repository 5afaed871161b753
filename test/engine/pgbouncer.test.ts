/**
 * PostgreSQL through PgBouncer in transaction pooling mode (`.ci/run` starts it on port 6432, with no
 * prepared statement support of its own): the Session's transactions and savepoints, streams and
 * migrations behave as on a direct connection; what would outlive a transaction is refused before it is
 * sent; an engine not told (no `?pgbouncer=true`) finds the pooler as it connects; and a statement left
 * without an answer is cancelled on the server through the pooler. Finding a pooler as a connection
 * opens counts within its connect deadline, tested on a server of its own that stalls after the login.
 */
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import net from 'node:net'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import {
  createAll,
  createEngine,
  createMigrator,
  field,
  IntegrityError,
  Metadata,
  model,
  OnemodelError,
  select,
  Session,
  sql,
  table,
  type Engine,
} from 'onemodel-ts'
import type { NativePool } from '../../src/engine/dialect/native.ts'
import { PostgresPool } from '../../src/engine/dialect/postgres/postgres-driver.ts'
import { ARRAY_ROWS } from '../../src/engine/statement.ts'
import { POSTGRES_URL } from '../support/dialects.ts'
import { tempProject } from '../support/project.ts'
import { THROUGH_PGBOUNCER } from '../support/scale-out.ts'

function heroes() {
  const metadata = new Metadata()
  const Hero = table(
    'hero',
    model('Hero', {
      id: field.integer({ primaryKey: true }),
      name: field.string({ unique: true, maxLength: 100 }),
      age: field.integer({ nullable: true, default: null }),
    }),
    { metadata },
  )
  return { metadata, Hero }
}

const refusedForPooling = (error: unknown) =>
  error instanceof OnemodelError && error.code === 'OM_ENGINE_TRANSACTION_POOLING'

for (const pooled of THROUGH_PGBOUNCER) {
  describe(pooled.label!, () => {
    test('concurrent Sessions commit, roll back to savepoints and stream, each on its own transaction', async () => {
      await using engine = createEngine(await pooled.isolatedUrl(), { pool: { size: 8 } })
      const { metadata, Hero } = heroes()
      await createAll(engine, { metadata })
      await Promise.all(
        Array.from({ length: 24 }, async (_, i) => {
          await using session = new Session(engine)
          await session.transaction(async () => {
            session.add(Hero.create({ name: `hero ${i}`, age: i }))
            await assert.rejects(
              session.transaction(async () => session.add(Hero.create({ name: `hero ${i}` }))),
              IntegrityError,
              'the duplicate fails in its savepoint',
            )
            // The same statement text on whatever server connection the pooler gives: never prepared.
            assert.equal((await session.exec(select(Hero).where(Hero.c.age.eq(i))).all()).length, 1)
          })
        }),
      )
      await using session = new Session(engine)
      let streamed = 0
      for await (const _hero of session.stream(select(Hero).orderBy(Hero.c.id))) streamed++
      assert.equal(streamed, 24, 'each outer transaction kept its hero and lost its duplicate')
    })

    // A lock that got through would be held on a pooled connection: the xact lock below would wait for ever.
    test(
      'what would outlive its transaction is refused before it is sent; SET LOCAL runs',
      { timeout: 30_000 },
      async () => {
        await using engine = createEngine(await pooled.isolatedUrl())
        for (const statement of [
          sql`set statement_timeout = 1000`,
          sql`set session search_path = public`,
          sql`reset search_path`,
          sql`listen heroes`,
          sql`select pg_advisory_lock(${42})`,
          sql`select pg_try_advisory_lock_shared(42)`,
          sql`prepare heroes as select 1`,
          sql`declare heroes cursor with hold for select 1`,
          sql`select set_config('search_path', 'other', false)`,
          sql`/* from the app */ set search_path to other`,
          sql.raw('-- a comment\nset statement_timeout = 0'),
          sql`create temporary table scratch (id int)`,
        ]) {
          await assert.rejects(
            statement.execute(engine.db),
            refusedForPooling,
            statement.compile(engine.db).sql,
          )
        }
        // A streamed read is checked as well.
        const locking = engine.db.selectNoFrom(sql<boolean>`pg_advisory_lock(42)`.as('locked')).stream()
        await assert.rejects(locking.next(), refusedForPooling, 'a streamed session advisory lock')
        const answer = await engine.db.transaction().execute(async (trx) => {
          await sql`set local statement_timeout = 1000`.execute(trx)
          await sql`select pg_advisory_xact_lock(42)`.execute(trx)
          await sql`select set_config('application_name', 'heroes', true)`.execute(trx)
          await sql`create temporary table scratch (id int) on commit drop`.execute(trx)
          return (await sql<{ statement_timeout: string }>`show statement_timeout`.execute(trx)).rows[0]!
            .statement_timeout
        })
        assert.equal(answer, '1s')
        assert.throws(
          () =>
            createEngine(`${engine.url.replace('***', 'postgres')}`, { pool: { statementTimeout: 1000 } }),
          (error: unknown) => refusedForPooling(error) && /ALTER ROLE/.test((error as Error).message),
          'pg sends statement_timeout when it connects, which the pooler would share',
        )
      },
    )

    test('a refused pattern inside a literal, a quoted identifier or a comment runs; after one it is refused', async () => {
      await using engine = createEngine(await pooled.isolatedUrl())
      await sql`create table note (id serial primary key, body text, "set_x; listen heroes" int)`.execute(
        engine.db,
      )
      await sql`insert into note (body) values ('call pg_advisory_lock(1) later; set statement_timeout = 0')`.execute(
        engine.db,
      )
      await sql`insert into note (body) values (${'reset all'}), ($$; listen heroes$$), (E'it\\'s; prepare x')`.execute(
        engine.db,
      )
      await sql`/* not set search_path = other; */ update note set "set_x; listen heroes" = 1`.execute(
        engine.db,
      )
      await sql
        .raw(`create function lock_later() returns void language sql as $$ select 1 $$`)
        .execute(engine.db)
      const { rows } = await sql<{ body: string }>`select body from note order by id`.execute(engine.db)
      assert.deepEqual(
        rows.map((row) => row.body),
        [
          'call pg_advisory_lock(1) later; set statement_timeout = 0',
          'reset all',
          '; listen heroes',
          "it's; prepare x",
        ],
      )
      // Without parameters pg sends the text in one message, which may hold several statements.
      await assert.rejects(
        sql.raw(`select 'a;b'; set search_path = other`).execute(engine.db),
        refusedForPooling,
        'a session-level SET after a literal that holds a semicolon',
      )
      const search = await sql<{ search_path: string }>`show search_path`.execute(engine.db)
      assert.equal(search.rows[0]!.search_path, '"$user", public', 'nothing of the refused text ran')
    })

    test('two migrators at once: each revision runs once, under a transaction advisory lock', async () => {
      const url = await pooled.isolatedUrl()
      const folder = join(tempProject(), 'migrations')
      const { metadata, Hero } = heroes()
      await using engine = createEngine(url)
      const written = await createMigrator(engine, { folder, metadata }).revision('add hero table')
      assert.ok(written)
      await using other = createEngine(url)
      const applied = await Promise.all([
        createMigrator(engine, { folder, metadata }).upgrade(),
        createMigrator(other, { folder, metadata }).upgrade(),
      ])
      assert.deepEqual(applied.flat(), [written.name], 'one upgrade ran it, the other found nothing to do')
      await using session = new Session(engine)
      session.add(Hero.create({ name: 'Deadpond' }))
      await session.commit()
      assert.equal(await createMigrator(other, { folder, metadata }).current(), written.name)
    })

    test('without ?pgbouncer=true, the pooler is found as the engine connects, before anything is prepared', async () => {
      const url = new URL(await pooled.isolatedUrl())
      url.searchParams.delete('pgbouncer')
      await using engine = createEngine(url.href, { pool: { size: 10 } })
      const { metadata, Hero } = heroes()
      assert.equal(engine.dialect.executor.transactionPooling, false, 'not connected yet')
      await createAll(engine, { metadata })
      assert.ok(engine.dialect.executor.transactionPooling, "PgBouncer's process id is not the backend's")
      assert.equal(engine.dialect.migrations.migrationLock().inTransaction, true)
      await using writer = new Session(engine)
      writer.addAll(Array.from({ length: 10 }, (_, i) => Hero.create({ name: `hero ${i}`, age: i })))
      await writer.commit()
      // The same statement text on whatever server connection PgBouncer hands out: had it been prepared, it
      // would soon meet a server connection that lacks it, or has it already from another client.
      const counts = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          await using session = new Session(engine)
          return (await session.exec(select(Hero).where(Hero.c.age.gte(i % 10))).all()).length
        }),
      )
      assert.deepEqual(
        counts,
        Array.from({ length: 200 }, (_, i) => 10 - (i % 10)),
      )
    })

    test('an explicit prepare: true keeps preparing behind a pooler found as the engine connects; unset, it stops', async () => {
      const url = new URL(await pooled.isolatedUrl())
      url.searchParams.delete('pgbouncer')
      // In one transaction, so on one server connection: what that connection holds prepared of ours. Each
      // engine's statement has a tag of its own: the server connection keeps what another client prepared.
      const preparedThere = async (engine: Engine) =>
        engine.db.transaction().execute(async (trx) => {
          const tag = `tag_${randomUUID().replaceAll('-', '')}`
          for (let i = 0; i < 3; i++) await sql`select ${i}::int as ${sql.ref(tag)}`.execute(trx)
          const { rows } = await sql<{ count: number }>`select count(*) as count from pg_prepared_statements
            where statement like ${`%${tag}%`} and statement not like '%pg_prepared_statements%'`.execute(trx)
          return rows[0]!.count
        })
      {
        await using engine = createEngine(url.href, { prepare: true, pool: { size: 1 } })
        assert.ok((await preparedThere(engine)) > 0, 'said: the statement is prepared')
        assert.ok(engine.dialect.executor.transactionPooling, 'the pooler was found')
      }
      {
        await using engine = createEngine(url.href, { pool: { size: 1 } })
        assert.equal(await preparedThere(engine), 0, 'defaulted: sent as text')
        assert.ok(engine.dialect.executor.transactionPooling, 'the pooler was found')
      }
    })

    test('a statement left without an answer is cancelled on the server: the client stays open until the pooler has the cancel', async () => {
      const url = new URL(await pooled.isolatedUrl())
      url.searchParams.delete('pgbouncer')
      const pool: NativePool = new PostgresPool(url, { size: 1 }, { readTimeout: 2000 })
      await using direct = createEngine(POSTGRES_URL, { pool: { size: 1 } })
      const tag = `abandoned_${process.pid}_${Date.now()}`
      const running = async () => {
        const { rows } = await sql<{ count: number }>`select count(*) as count from pg_stat_activity
          where state = 'active' and query like ${`%${tag}%`} and pid <> pg_backend_pid()`.execute(direct.db)
        return rows[0]!.count
      }
      try {
        const connection = await pool.acquire()
        await assert.rejects(
          async () => connection.execute(`select pg_sleep(20), '${tag}'`, [], ARRAY_ROWS, undefined),
          (error: unknown) => (error as { code?: unknown }).code === 'ETIMEDOUT',
        )
        // As the executor does at once: the broken client goes, which ends its session with the pooler.
        pool.release(connection)
        const deadline = performance.now() + 5000
        while ((await running()) > 0) {
          assert.ok(performance.now() < deadline, 'the abandoned statement still runs on the server 5 s on')
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
      } finally {
        await pool.destroy()
      }
    })
  })
}

/**
 * A server that accepts any login (AuthenticationOk, BackendKeyData, ReadyForQuery) and then never answers:
 * one that stalls between the login and the first statement.
 */
async function stallingServer(): Promise<net.Server & AsyncDisposable> {
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.once('data', () => {
      const authenticationOk = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0])
      const backendKey = Buffer.from([0x4b, 0, 0, 0, 12, 0, 0, 0, 42, 0, 0, 0, 7])
      const readyForQuery = Buffer.from([0x5a, 0, 0, 0, 5, 0x49])
      socket.write(Buffer.concat([authenticationOk, backendKey, readyForQuery]))
    })
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return Object.assign(server, {
    [Symbol.asyncDispose]: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const socket of sockets) socket.destroy()
      }),
  })
}

describe('finding a pooler as a connection opens', () => {
  test('is part of connecting: a server that stalls after the login fails within connectTimeout, not connect and read timeouts added', async () => {
    await using server = await stallingServer()
    const { port } = server.address() as net.AddressInfo // listening on TCP: never a pipe's name
    const url = new URL(`postgresql://postgres:postgres@127.0.0.1:${port}/onemodel_test`)
    const pool: NativePool = new PostgresPool(url, { connectTimeout: 500 }, { readTimeout: 5000 })
    try {
      const started = performance.now()
      await assert.rejects(
        async () => pool.acquire(),
        (error: unknown) => (error as { code?: unknown }).code === 'ETIMEDOUT',
      )
      const took = performance.now() - started
      assert.ok(took < 1500, `failed after ${Math.round(took)} ms`)
    } finally {
      await pool.destroy()
    }
  })
})
