/**
 * Connection pools of the server dialects (PostgreSQL, MySQL): many sessions or HTTP requests share a small
 * pool, a server that is down or silent is a ConnectionError within the connect timeout, and dispose()
 * closes every connection so the process can exit. SQLite has no pool (see test/engine/sqlite.test.ts).
 *
 * The pool's connections are counted on the server: by `application_name` on PostgreSQL, and by the
 * current database on MySQL (each test has a database of its own).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createServer, type Socket } from 'node:net'
import { resolve } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { after, describe, test } from 'node:test'
import { sql, type RawBuilder } from 'kysely'
import {
  ConnectionError,
  createAll,
  createEngine,
  select,
  Session,
  type DialectName,
  type Engine,
  type EngineOptions,
} from 'onemodel-ts'
import { Hero as AppHero, heroesApp } from '../../examples/heroes/app.ts'
import { DIALECTS, MYSQL_URL, POSTGRES_URL, type DialectUnderTest } from '../support/dialects.ts'
import { declareHeroes } from '../support/heroes.ts'

/** How each server dialect tells one engine's connections apart from everyone else's. */
const SERVERS: Record<Exclude<DialectName, 'sqlite'>, { adminUrl: string; tag(url: string): Tagged }> = {
  postgres: {
    adminUrl: POSTGRES_URL,
    tag(url) {
      const name = `om_pool_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
      const separator = url.includes('?') ? '&' : '?'
      return {
        url: `${url}${separator}application_name=${name}`,
        count: sql<{
          n: number
        }>`select count(*)::int as n from pg_stat_activity where application_name = ${name}`,
      }
    },
  },
  mysql: {
    adminUrl: MYSQL_URL,
    tag(url) {
      const database = decodeURIComponent(new URL(url).pathname.slice(1))
      return {
        url,
        count: sql<{
          n: number
        }>`select count(*) as n from information_schema.PROCESSLIST where DB = ${database}`,
      }
    },
  },
}

interface Tagged {
  /** The URL to give the engine under test. */
  url: string
  /** Counts that engine's connections, run on an admin engine. */
  count: RawBuilder<{ n: number }>
}

// The child process imports 'onemodel' by name, which resolves inside the package.
const root = resolve(import.meta.dirname, '../..')

const servers = DIALECTS.filter((dialect) => dialect.name !== 'sqlite')

for (const dialect of servers) {
  const server = SERVERS[dialect.name as keyof typeof SERVERS]

  describe(`${dialect.name}: pool`, () => {
    let admin: Engine | undefined
    after(() => admin?.dispose())

    /** A fresh database with the hero tables, and how to count the connections of engines on it. */
    async function setup(d: DialectUnderTest) {
      const tagged = server.tag(await d.isolatedUrl())
      admin ??= createEngine(server.adminUrl, { pool: { size: 1 } })
      const connections = async () => Number((await tagged.count.execute(admin!.db)).rows[0]!.n)
      return { url: tagged.url, connections }
    }

    /** Waits until `check` holds, for the server to notice closed sockets; fails after 5 s. */
    async function eventually(check: () => Promise<boolean>, message: string): Promise<void> {
      const deadline = Date.now() + 5000
      while (!(await check())) {
        if (Date.now() > deadline) assert.fail(message)
        await delay(10)
      }
    }

    test('50 concurrent sessions on a pool of 5 all succeed, on at most 5 connections', async () => {
      const { url, connections } = await setup(dialect)
      const { metadata, Hero } = declareHeroes()
      await using engine = createEngine(url, { pool: { size: 5 } })
      await createAll(engine, { metadata })
      const results = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          await using session = new Session(engine)
          // A transaction holds its connection until commit, so the other 45 wait for the pool.
          await session.begin()
          session.add(Hero.create({ name: `Hero ${i}`, secret_name: 's' }))
          await session.flush()
          const count = (await session.exec(select(Hero)).all()).length
          await session.commit()
          return count
        }),
      )
      assert.equal(results.length, 50)
      assert.ok(
        results.every((count) => count >= 1 && count <= 50),
        'each sees its own row',
      )
      await using session = new Session(engine)
      assert.equal((await session.exec(select(Hero)).all()).length, 50, 'all 50 rows were written')
      const open = await connections()
      assert.ok(open >= 1 && open <= 5, `the pool opened ${open} connections; at most 5 expected`)
    })

    test('50 concurrent HTTP requests to the Heroes app, its sessions on a pool of 5, all answer', async () => {
      const { url, connections } = await setup(dialect)
      const heroes = heroesApp(url)
      await using engine = createEngine(url, { pool: { size: 5 } })
      heroes.app.dependencyOverrides.set(heroes.getSession, async function* pooledSession() {
        await using session = new Session(engine)
        yield session
      })
      const base = await heroes.app.listen({ port: 0, signals: false })
      // The app's own engine holds the connection its startup's createAll() used; the rest are the pool's.
      const before = await connections()
      try {
        const answers = await Promise.all(
          Array.from({ length: 50 }, async (_, i) => {
            const response =
              i % 2 === 0
                ? await fetch(`${base}/heroes/`, {
                    method: 'POST',
                    headers: { 'content-type': 'application/json' },
                    body: JSON.stringify({ name: `Hero ${i}`, secret_name: 's' }),
                  })
                : await fetch(`${base}/heroes/?limit=100`)
            return { status: response.status, body: await response.json() }
          }),
        )
        for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body))
        const ids = answers.filter((_, i) => i % 2 === 0).map((answer) => (answer.body as { id: number }).id)
        assert.equal(new Set(ids).size, 25, 'every POST got its own id')
        const open = (await connections()) - before
        assert.ok(open >= 1 && open <= 5, `the pool opened ${open} connections; at most 5 expected`)
      } finally {
        await heroes.app.close()
      }
      await using session = new Session(engine)
      assert.equal((await session.exec(select(AppHero)).all()).length, 25, 'no POST was lost')
    })

    test('dispose() closes every connection, and a later query raises OM_ENGINE_DISPOSED', async () => {
      const { url, connections } = await setup(dialect)
      const { metadata, Hero } = declareHeroes()
      const engine = createEngine(url, { pool: { size: 3 } })
      await createAll(engine, { metadata })
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          await using session = new Session(engine)
          await session.begin()
          await session.exec(select(Hero)).all()
          await session.commit()
        }),
      )
      const open = await connections()
      assert.ok(open >= 1 && open <= 3, `the pool of 3 has ${open} connections`)
      const session = new Session(engine)
      await engine.dispose()
      await eventually(
        async () => (await connections()) === 0,
        'the server still sees connections after dispose',
      )
      await assert.rejects(session.exec(select(Hero)).all(), { code: 'OM_ENGINE_DISPOSED' })
      await assert.rejects(engine.db.selectFrom('hero').selectAll().execute())
    })

    test('after dispose() the process exits by itself: no socket or timer is left', async () => {
      const { url } = await setup(dialect)
      // A child process that queries through a pool, disposes the engine and returns from its module. If a
      // connection stayed open it would keep the event loop alive, and the child would not exit.
      const program = `
        import { createEngine, Session } from 'onemodel-ts'
        const engine = createEngine(process.env.URL, { pool: { size: 3 } })
        await Promise.all([1, 2, 3, 4].map(async () => {
          await using session = new Session(engine)
          await session.begin()
          await session.commit()
        }))
        await engine.db.selectNoFrom((eb) => eb.lit(1).as('one')).execute()
        await engine.dispose()
        console.log('disposed')
      `
      const started = Date.now()
      const output = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--conditions=development', '--input-type=module', '--eval', program],
          { cwd: root, env: { ...process.env, URL: url }, timeout: 5000, killSignal: 'SIGKILL' },
          (error, stdout, stderr) =>
            error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
        )
      })
      assert.equal(output.trim(), 'disposed')
      assert.ok(Date.now() - started < 5000, 'the child exited on its own, well before the kill timeout')
    })
  })

  describe(`${dialect.name}: unreachable server`, () => {
    const scheme = dialect.name === 'postgres' ? 'postgresql' : 'mysql'

    async function firstQuery(url: string, options: EngineOptions) {
      const engine = createEngine(url, options)
      const started = Date.now()
      try {
        await using session = new Session(engine)
        const error = await session.exec(select(AppHero)).then(
          () => assert.fail('no server answers there'),
          (error: unknown) => error,
        )
        return { error, elapsed: Date.now() - started }
      } finally {
        await engine.dispose()
      }
    }

    test('a closed port is a ConnectionError (OM_ENGINE_CONNECTION) at once', async () => {
      const { error, elapsed } = await firstQuery(`${scheme}://user:secret@127.0.0.1:1/onemodel_test`, {
        pool: { connectTimeout: 2000 },
      })
      assert.ok(error instanceof ConnectionError, `expected ConnectionError, got ${String(error)}`)
      assert.equal(error.code, 'OM_ENGINE_CONNECTION')
      assert.match(error.message, /127\.0\.0\.1:1/)
      assert.doesNotMatch(error.message, /secret/, 'the password never appears')
      assert.ok(elapsed < 2000, `refused after ${elapsed} ms, before the 2000 ms connect timeout`)
    })

    test('a server that accepts but never answers is a ConnectionError after the connect timeout', async () => {
      // A TCP listener that never says a word: the driver's handshake waits until connectTimeout.
      const sockets = new Set<Socket>()
      const silent = createServer((socket) => sockets.add(socket))
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
      const { port } = silent.address() as { port: number }
      try {
        const { error, elapsed } = await firstQuery(
          `${scheme}://user:secret@127.0.0.1:${port}/onemodel_test`,
          {
            pool: { connectTimeout: 300 },
          },
        )
        assert.ok(error instanceof ConnectionError, `expected ConnectionError, got ${String(error)}`)
        assert.equal(error.code, 'OM_ENGINE_CONNECTION')
        assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`))
        assert.ok(elapsed >= 250, `failed after ${elapsed} ms: the 300 ms timeout, not a refusal`)
        assert.ok(elapsed < 3000, `failed after ${elapsed} ms: no hang past the 300 ms timeout`)
      } finally {
        for (const socket of sockets) socket.destroy()
        await new Promise((resolve) => silent.close(resolve))
      }
    })
  })
}
