/**
 * Read replicas against a real PostgreSQL streaming replica (`.ci/run` starts it on port 5433): which
 * server answered is asked of the server itself (`pg_is_in_recovery()`, true on a replica only), through a
 * view that a table model reads like any table. Replication lag is made real with the replica's
 * `recovery_min_apply_delay`, and the replica is stopped under load; each test puts the replica back as it
 * found it, whatever happens. A replica gone from the network without a word is a relay in front of it
 * that stops passing bytes (test/support/tcp-relay.ts). The tests run one after the other: they share the
 * one replica.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { describe, test } from 'node:test'
import { CompiledQuery } from 'kysely'
import {
  ConnectionError,
  createAll,
  createEngine,
  EngineUrlError,
  field,
  Metadata,
  model,
  select,
  Session,
  sql,
  table,
  type Engine,
  type PoolOptions,
} from 'onemodel-ts'
import { Hero, heroesApp } from '../../examples/heroes/app.ts'
import { Hero as TeamHero, metadata as teamsMetadata, teamsApp } from '../../examples/teams/app.ts'
import { DIALECTS, POSTGRES_URL } from '../support/dialects.ts'
import { REPLICA_AVAILABLE, REPLICA_URL, replicaUrlOf } from '../support/scale-out.ts'
import { keepAliveArmed, socketsHeldTo } from '../support/tcp-table.ts'
import { settlesWithin } from '../support/settles.ts'
import { TcpRelay } from '../support/tcp-relay.ts'

/** Rows as objects, any number of them: how the replica reads of raw statements here are read. */
const shape = { arrays: false, oneRow: false }

const postgres = DIALECTS.find((dialect) => dialect.name === 'postgres')

// Views (see ANSWERING), not created by createAll: read like tables, they say which server answered, from
// which port of this machine, and count to 5000 for a stream of several chunks.
const Answering = table(
  'answering',
  model('Answering', {
    id: field.integer({ primaryKey: true }),
    in_recovery: field.boolean(),
    client_port: field.integer(),
  }),
  { metadata: new Metadata() },
)
const Counted = table('counted', model('Counted', { id: field.integer({ primaryKey: true }) }), {
  metadata: new Metadata(),
})

// A table that migrations add while the replica lags (see the test): read before and after a column is.
const Fresh = table('fresh', model('Fresh', { id: field.integer({ primaryKey: true }) }), {
  metadata: new Metadata(),
})
const FreshLabelled = table(
  'fresh',
  model('FreshLabelled', { id: field.integer({ primaryKey: true }), label: field.string() }),
  { metadata: new Metadata() },
)
// A view that takes 30 s to read on a replica, and no time on the primary.
const Slow = table(
  'slow',
  model('Slow', { id: field.integer({ primaryKey: true }), in_recovery: field.boolean() }),
  { metadata: new Metadata() },
)
const SLOW = sql`create view slow as select 1 as id, pg_is_in_recovery() as in_recovery
  where pg_sleep(case when pg_is_in_recovery() then 30 else 0 end) is not null`

const ANSWERING = sql`create view answering as select 1 as id, pg_is_in_recovery() as in_recovery, inet_client_port() as client_port`
const COUNTED = sql`create view counted as select n as id from generate_series(1, 5000) as n`

/** The deadline of a replica reached through a relay: short, so that a blackhole costs a test little. */
const RELAYED_REPLICA_TIMEOUT = 1000

/** The first truthy answer of `probe`, asked every 50 ms for up to `ms`; a probe that throws is asked again. */
async function eventually<T>(what: string, probe: () => Promise<T>, ms = 10_000): Promise<NonNullable<T>> {
  const start = Date.now()
  for (;;) {
    const answer = await probe().catch(() => undefined)
    if (answer) return answer
    if (Date.now() - start > ms) assert.fail(`${what}: not after ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Runs `statement` on the replica itself (ALTER SYSTEM and reloads), as the superuser of the test URL. */
async function onReplica(statement: string): Promise<void> {
  await using engine = createEngine(REPLICA_URL, { pool: { size: 1 } })
  await engine.db.executeQuery({ sql: statement, parameters: [] } as never)
}

/** Replays the WAL `ms` after its commit on the replica, until `reset()`; the reload takes effect at once. */
async function delayReplay(ms: number): Promise<{ reset(): Promise<void> }> {
  await onReplica(`alter system set recovery_min_apply_delay = '${ms}ms'`)
  await onReplica('select pg_reload_conf()')
  return {
    async reset() {
      await onReplica('alter system reset recovery_min_apply_delay')
      await onReplica('select pg_reload_conf()')
    },
  }
}

/**
 * Stops the replica's replay until `resume()`, so it answers from the schema it had. A delayed replay would
 * not do for a new column: `recovery_min_apply_delay` holds back commits only, so the replica takes the
 * ALTER TABLE's lock at once and holds it until the delayed commit, and a read of the table waits.
 */
async function pauseReplay(): Promise<{ resume(): Promise<void> }> {
  await onReplica('select pg_wal_replay_pause()')
  return {
    async resume() {
      await onReplica('select pg_wal_replay_resume()')
    },
  }
}

/** Whether a Session's next read is answered by a replica: a value, which no identity map keeps. */
async function answeredByReplica(session: Session): Promise<boolean> {
  return session.exec(select(Answering.c.in_recovery)).one()
}

/**
 * A fresh schema with the tables and the views, seen by the replica, and an engine whose replica is usable;
 * through `relay`, the engine reaches the replica through it, with a deadline of
 * {@link RELAYED_REPLICA_TIMEOUT}.
 */
async function setup(
  options: {
    maxLag?: number
    checkEvery?: number
    metadata?: Metadata
    relay?: TcpRelay
    replicaTimeout?: number
    pool?: PoolOptions
  } = {},
) {
  const primaryUrl = await postgres!.isolatedUrl()
  const replicaUrl = replicaUrlOf(primaryUrl)
  const engine = createEngine(primaryUrl, {
    replicas: [options.relay?.in(replicaUrl) ?? replicaUrl],
    replicaLag: { max: options.maxLag ?? 10_000, checkEvery: options.checkEvery ?? 100 },
    replicaTimeout: options.replicaTimeout ?? (options.relay ? RELAYED_REPLICA_TIMEOUT : undefined),
    pool: options.pool,
  })
  await createAll(engine, { metadata: options.metadata }) // by default, the Heroes example's table
  await ANSWERING.execute(engine.db)
  await COUNTED.execute(engine.db)
  await replicaServes(engine)
  return { engine, primaryUrl, replicaUrl }
}

/**
 * The {@link Slow} view, created on the primary and replayed by the replica, and how many reads of it the
 * replica is running (sleeping in it), seen from a connection of its own, closed on disposal.
 */
async function slowViewOnReplica(
  engine: Engine,
  replicaUrl: string,
): Promise<AsyncDisposable & { sleepingReads(): Promise<number> }> {
  await SLOW.execute(engine.db)
  const onReplica = createEngine(replicaUrl, { pool: { size: 1 } })
  await eventually('the replica replays the view', async () => {
    const { rows } = await sql<{ has: boolean }>`select to_regclass('slow') is not null as has`.execute(
      onReplica.db,
    )
    return rows[0]!.has
  })
  return {
    async sleepingReads() {
      const { rows } = await sql<{ count: number | string }>`select count(*) as count from pg_stat_activity
        where wait_event = 'PgSleep' and query like '%"slow"%' and pid <> pg_backend_pid()`.execute(
        onReplica.db,
      )
      return Number(rows[0]!.count)
    },
    [Symbol.asyncDispose]: () => onReplica.dispose(),
  }
}

/** A relay in front of the replica, which a test can turn into a blackhole. */
async function relayToReplica(): Promise<TcpRelay> {
  const replica = new URL(REPLICA_URL)
  return TcpRelay.start({ host: replica.hostname, port: Number(replica.port || 5432) })
}

/** Waits until a Session reading from replicas is answered by one. */
async function replicaServes(engine: Engine): Promise<void> {
  await eventually('the replica serves reads', async () => {
    await using session = new Session(engine, { reads: 'replica' })
    return answeredByReplica(session)
  })
}

const cluster = { name: process.env.ONEMODEL_REPLICA_CLUSTER ?? 'replica' }

/** `pg_ctlcluster <version> <name> <action>` for the replica's cluster. */
function replicaCluster(action: 'start' | 'stop', version: string): void {
  const args = ['--skip-systemctl-redirect', version, cluster.name, action]
  execFileSync('pg_ctlcluster', action === 'stop' ? [...args, '-m', 'fast'] : args, { stdio: 'pipe' })
}

if (postgres && REPLICA_AVAILABLE) {
  describe('postgres with a streaming replica', { concurrency: 1 }, () => {
    test('a replica Session reads on the replica until it writes; writes, transactions and primary Sessions use the primary', async () => {
      const { engine } = await setup()
      await using _ = engine
      await using session = new Session(engine, { reads: 'replica' })
      assert.equal(await answeredByReplica(session), true, 'a read in autocommit: the replica')
      assert.deepEqual(await session.exec(select(Hero)).all(), [])
      const streamed = []
      for await (const inRecovery of session.stream(select(Answering.c.in_recovery)))
        streamed.push(inRecovery)
      assert.deepEqual(streamed, [true], 'a stream outside a transaction: the replica')
      assert.equal(
        await session.transaction(() => answeredByReplica(session)),
        false,
        'a read in a transaction: the primary',
      )
      assert.equal(await answeredByReplica(session), false, 'after a transaction: the primary')

      await using writer = new Session(engine, { reads: 'replica' })
      assert.equal(await answeredByReplica(writer), true)
      writer.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
      await writer.commit() // on the primary: the replica is read-only, a write there would fail
      assert.equal(await answeredByReplica(writer), false, 'after a write: the primary')
      assert.deepEqual(
        (await writer.exec(select(Hero)).all()).map((hero) => hero.name),
        ['Deadpond'],
      )

      await using primary = new Session(engine)
      assert.equal(await answeredByReplica(primary), false, "a Session's reads default to the primary")
      const { rows } = await sql<{ in_recovery: boolean }>`select in_recovery from answering`.execute(
        engine.db,
      )
      assert.deepEqual(rows, [{ in_recovery: false }], 'engine.db: the primary')
      const [status] = engine.replicas!.status()
      assert.ok(status!.usable && typeof status!.lag === 'number', JSON.stringify(status))
      assert.ok(!status!.url.includes(':postgres@'), 'the status hides the password')
    })

    test('under replication lag, a Session reads its own writes, and the app finds the hero it created', async () => {
      // Lag bounds far above the delay: the lagging replica stays in use, stale, however slow this machine.
      const { engine, primaryUrl, replicaUrl } = await setup({ maxLag: 60_000, metadata: teamsMetadata })
      await using _ = engine
      const teams = teamsApp(primaryUrl, { replicas: [replicaUrl], replicaLag: { max: 60_000 } })
      const base = await teams.app.listen({ port: 0, signals: false })
      const lag = await delayReplay(8000)
      try {
        await eventually('the app reads its list from the replica', async () => {
          await fetch(`${base}/heroes/`).then((response) => response.json())
          return teams.engine.replicas!.status()[0]!.usable
        })
        await using writer = new Session(engine, { reads: 'replica' })
        writer.add(TeamHero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp' }))
        await writer.commit()
        assert.deepEqual(
          (await writer.exec(select(TeamHero)).all()).map((hero) => hero.name),
          ['Rusty-Man'],
          'the writer reads its write from the primary',
        )
        await using other = new Session(engine, { reads: 'replica' })
        assert.equal(await answeredByReplica(other), true)
        assert.deepEqual(
          await other.exec(select(TeamHero)).all(),
          [],
          'another Session reads the lagging replica',
        )

        const created = await fetch(`${base}/heroes/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Deadpond', secret_name: 'Dive Wilson' }),
        }).then((response) => response.json() as Promise<{ id: number }>)
        const byId = await fetch(`${base}/heroes/${created.id}`)
        assert.equal(byId.status, 200, 'GET by id reads the primary: the client finds what it created')
        const listed = (await fetch(`${base}/heroes/`).then((response) => response.json())) as unknown[]
        assert.deepEqual(listed, [], 'the list, read from the replica, is behind by the lag')
        await lag.reset()
        await eventually('the replica catches up', async () => {
          const list = (await fetch(`${base}/heroes/`).then((response) => response.json())) as unknown[]
          return list.length === 2
        })
      } finally {
        await lag.reset()
        await teams.app.close()
      }
    })

    test('a replica lagging past replicaLag.max is skipped until it catches up', async () => {
      const { engine } = await setup({ maxLag: 300 })
      await using _ = engine
      // Long enough to be noticed however slow this machine; reset as soon as it was.
      const lag = await delayReplay(8000)
      try {
        await using writer = new Session(engine)
        writer.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
        await writer.commit()
        await eventually('the replica is found lagging', async () => !engine.replicas!.status()[0]!.usable)
        await using reader = new Session(engine, { reads: 'replica' })
        assert.equal(await answeredByReplica(reader), false, 'the lagging replica is skipped')
        assert.deepEqual(
          (await reader.exec(select(Hero)).all()).map((hero) => hero.name),
          ['Deadpond'],
          'so the read is up to date',
        )
        await lag.reset()
        await replicaServes(engine)
      } finally {
        await lag.reset()
      }
    })

    test('a read of a table or column the replica has not replayed yet runs on the primary, and the replica stays in use', async () => {
      // Lag bounds far above the pause: the lagging replica stays in use however slow this machine. Checks
      // once a second, not every 100 ms: a check still running when the next is due takes the replica down.
      const { engine, replicaUrl } = await setup({ maxLag: 60_000, checkEvery: 1000 })
      await using _ = engine
      await using onReplica = createEngine(replicaUrl, { pool: { size: 1 } })
      const replicaHas = async (what: string) => {
        const { rows } = await sql<{
          has: boolean
        }>`select count(*) > 0 as has from information_schema.columns
          where table_schema = current_schema() and table_name || '.' || column_name = ${what}`.execute(
          onReplica.db,
        )
        return rows[0]!.has
      }
      let replay = await pauseReplay()
      try {
        await sql`create table fresh as select 1 as id`.execute(engine.db)
        await using reader = new Session(engine, { reads: 'replica' })
        assert.equal(engine.replicas!.status()[0]!.usable, true, 'the read is routed to the replica')
        assert.deepEqual(await reader.exec(select(Fresh.c.id)).all(), [1], 'the new table: from the primary')
        assert.equal(engine.replicas!.status()[0]!.usable, true, 'a replica behind is not taken for down')

        await replay.resume()
        await eventually('the replica replays the new table', () => replicaHas('fresh.id'))
        replay = await pauseReplay()
        await sql`alter table fresh add column label text not null default 'new'`.execute(engine.db)
        assert.equal(await replicaHas('fresh.label'), false, 'the replica has not replayed the new column')
        assert.deepEqual(
          (await reader.exec(select(FreshLabelled)).all()).map(({ id, label }) => [id, label]),
          [[1, 'new']],
          'the new column: from the primary',
        )
        assert.equal(engine.replicas!.status()[0]!.usable, true)
        assert.equal(await answeredByReplica(reader), true, 'the next read is the replica’s again')
      } finally {
        await replay.resume()
      }
    })

    test('a read of a function, type or schema the replica has not replayed yet runs on the primary, and the replica stays in use', async () => {
      const { engine } = await setup({ maxLag: 60_000 })
      await using _ = engine
      const schema = `fresh_${process.pid}_${Date.now()}`
      const lag = await delayReplay(5000)
      try {
        await sql`create function fresh_answer() returns int language sql as 'select 42'`.execute(engine.db)
        await sql`create type fresh_mood as enum ('happy')`.execute(engine.db)
        await sql`create schema ${sql.id(schema)}`.execute(engine.db)
        await sql`create function ${sql.id(schema, 'answer')}() returns int language sql as 'select 7'`.execute(
          engine.db,
        )
        for (const [read, answer] of [
          ['select fresh_answer() as answer', 42], // 42883 on the replica
          ["select 'happy'::fresh_mood as answer", 'happy'], // 42704
          [`select "${schema}".answer() as answer`, 7], // 3F000
        ] as const) {
          assert.equal(engine.replicas!.status()[0]!.usable, true, 'the read is routed to the replica')
          const { rows } = await engine.replicas!.run<{ answer: unknown }>({
            ...CompiledQuery.raw(read),
            shape,
          })
          assert.deepEqual(rows, [{ answer }], `${read}: from the primary`)
          assert.equal(engine.replicas!.status()[0]!.usable, true, 'a replica behind is not taken for down')
        }
      } finally {
        await lag.reset()
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(engine.db)
      }
    })

    test(
      'a read slower than replicaTimeout is answered by the primary, and the replica is asked to cancel it',
      { timeout: 60_000 },
      async () => {
        // Checks once a second, so that a check slowed past the next one by a busy machine does not take
        // the replica down and send the read to the primary at once.
        const { engine, replicaUrl } = await setup({ replicaTimeout: 1000, checkEvery: 1000 })
        await using _ = engine
        await using slow = await slowViewOnReplica(engine, replicaUrl)
        await using session = new Session(engine, { reads: 'replica' })
        assert.equal(engine.replicas!.status()[0]!.usable, true, 'the read is routed to the replica')
        const started = performance.now()
        assert.equal(await session.exec(select(Slow.c.in_recovery)).one(), false, 'answered by the primary')
        assert.ok(performance.now() - started >= 1000, 'after replicaTimeout on the replica')
        // It would sleep 30 s more without the cancel: a closed connection is noticed only when answered.
        await eventually(
          'the replica no longer runs the abandoned read',
          async () => (await slow.sleepingReads()) === 0,
        )
      },
    )

    test(
      'a read the replica cancels for a conflict with its replay (40001) is answered by the primary',
      { timeout: 60_000 },
      async () => {
        const { engine, replicaUrl } = await setup({ replicaTimeout: 20_000, checkEvery: 1000 })
        await using _ = engine
        await using slow = await slowViewOnReplica(engine, replicaUrl)
        // The replay waits for no query: one that holds a lock the replay needs is cancelled at once.
        await onReplica(`alter system set max_standby_streaming_delay = '0'`)
        await onReplica('select pg_reload_conf()')
        try {
          await using session = new Session(engine, { reads: 'replica' })
          const read = session.exec(select(Slow.c.in_recovery)).one()
          await eventually('the replica runs the read', async () => (await slow.sleepingReads()) > 0)
          const started = performance.now()
          // The view's lock, which the replica's read holds, is the one the replay of this takes.
          await sql`create or replace view slow as select 1 as id, false as in_recovery`.execute(engine.db)
          assert.equal(await read, false, 'answered by the primary')
          assert.ok(performance.now() - started < 20_000, 'before replicaTimeout: the replica cancelled it')
        } finally {
          await onReplica('alter system reset max_standby_streaming_delay')
          await onReplica('select pg_reload_conf()')
        }
      },
    )

    test('stopping the replica under load fails no request, and reads return to it when it is back', async () => {
      const { engine, primaryUrl, replicaUrl } = await setup()
      await using _ = engine
      const heroes = heroesApp(primaryUrl, replicaUrl)
      const base = await heroes.app.listen({ port: 0, signals: false })
      const { rows } = await sql<{
        version: string
      }>`select current_setting('server_version_num') as version`.execute(engine.db)
      const version = String(Math.floor(Number(rows[0]!.version) / 10000))
      await eventually('the app reads from the replica', async () => {
        await fetch(`${base}/heroes/`).then((response) => response.json())
        return heroes.engine.replicas!.status()[0]!.usable
      })
      const failures: string[] = []
      let answered = 0
      let loading = true
      const load = Array.from({ length: 8 }, async () => {
        while (loading) {
          const response = await fetch(`${base}/heroes/`)
          await response.text()
          if (response.status === 200) answered++
          else failures.push(`${response.status}`)
        }
      })
      let stopped = false
      try {
        await new Promise((resolve) => setTimeout(resolve, 200))
        replicaCluster('stop', version)
        stopped = true
        await eventually('the replica is skipped', async () => !heroes.engine.replicas!.status()[0]!.usable)
        const during = answered
        await new Promise((resolve) => setTimeout(resolve, 300))
        assert.ok(answered > during, 'the primary answers while the replica is down')
        replicaCluster('start', version)
        stopped = false
        await replicaServes(engine)
        await eventually('the app reads from the replica again', async () => {
          return heroes.engine.replicas!.status()[0]!.usable
        })
      } finally {
        loading = false
        await Promise.all(load)
        if (stopped) replicaCluster('start', version)
        await heroes.app.close()
      }
      assert.deepEqual(failures, [], `${answered} requests answered`)
      assert.ok(answered > 0)
    })

    test(
      'a replica gone silent under load fails no read: each runs on the primary within replicaTimeout, the replica shows as down with no lag, and serves again once it answers',
      { timeout: 120_000 },
      async () => {
        await using relay = await relayToReplica()
        const { engine } = await setup({ relay })
        await using _ = engine
        type Phase = 'forwarding' | 'blackholed' | 'healed'
        let phase: Phase = 'forwarding'
        const answers: { phase: Phase; inRecovery: boolean; ms: number }[] = []
        const failures: unknown[] = []
        let loading = true
        const load = Array.from({ length: 6 }, async () => {
          while (loading) {
            const begun = { phase, at: performance.now() }
            try {
              await using session = new Session(engine, { reads: 'replica' })
              const inRecovery = await answeredByReplica(session)
              answers.push({ phase: begun.phase, inRecovery, ms: performance.now() - begun.at })
            } catch (error) {
              failures.push(error)
            }
          }
        })
        const answeredIn = (which: Phase) => answers.filter((answer) => answer.phase === which)
        try {
          await eventually('the load reads from the replica', async () => answers.some((a) => a.inRecovery))
          relay.blackhole()
          phase = 'blackholed'
          const down = await eventually('the replica is found down', async () => {
            const [status] = engine.replicas!.status()
            return status!.usable ? undefined : status
          })
          assert.equal(down.lag, undefined, 'no lag measured before the blackhole is reported as current')
          await eventually(
            'the primary answers the load',
            async () => answeredIn('blackholed').length >= 50,
            30_000,
          )
          relay.forward()
          phase = 'healed'
          await eventually(
            'reads return to the replica',
            async () => answeredIn('healed').some((answer) => answer.inRecovery),
            30_000,
          )
        } finally {
          loading = false
          await Promise.all(load)
        }
        assert.deepEqual(failures, [])
        assert.deepEqual(
          answeredIn('blackholed').filter((answer) => answer.inRecovery),
          [],
          'every read begun in the blackhole was answered by the primary',
        )
        // Without the deadline a read sent to the silent replica waits for good: this bound only says it did not.
        const slowest = Math.max(...answers.map((answer) => answer.ms))
        assert.ok(slowest < 15 * RELAYED_REPLICA_TIMEOUT, `the slowest read took ${slowest} ms`)
      },
    )

    test(
      'pool.connectTimeout: 0 leaves the replica its deadline: a read that cannot connect to a replica gone silent runs on the primary',
      { timeout: 60_000 },
      async () => {
        await using relay = await relayToReplica()
        // No check is due during the test; idle connections close at once, so the read has to connect.
        const pool = { connectTimeout: 0, idleTimeout: 1 }
        const { engine } = await setup({ relay, checkEvery: 600_000, pool })
        await using _ = engine
        await eventually('only the check keeps a connection to the replica', async () => relay.open === 1)
        relay.blackhole()
        await using session = new Session(engine, { reads: 'replica' })
        assert.equal(await settlesWithin(answeredByReplica(session), 20_000, 'the read'), false)
      },
    )

    test(
      'a stream that read rows from a replica gone silent fails with a ConnectionError, and is not run again',
      { timeout: 60_000 },
      async () => {
        await using relay = await relayToReplica()
        // No check is due during the test: the stream's failure is what finds the replica down.
        const { engine } = await setup({ relay, checkEvery: 600_000 })
        await using _ = engine
        await using session = new Session(engine, { reads: 'replica' })
        const ids: number[] = []
        const streaming = (async () => {
          for await (const id of session.stream(select(Counted.c.id).orderBy(Counted.c.id))) {
            if (ids.length === 0) relay.blackhole() // after the first chunk of 1000, before the next FETCH
            ids.push(id)
          }
        })()
        await assert.rejects(settlesWithin(streaming, 30_000, 'the stream'), ConnectionError)
        assert.deepEqual(
          ids,
          Array.from({ length: 1000 }, (_, i) => i + 1),
          'the first chunk, once',
        )
        assert.equal(engine.replicas!.status()[0]!.usable, false, 'the replica is skipped from now on')
      },
    )

    test(
      'engine.dispose() returns though a replica it holds connections to has gone silent, one of them waiting for an answer',
      { timeout: 60_000 },
      async () => {
        await using relay = await relayToReplica()
        const { engine } = await setup({ relay })
        // Reads at once: the replica's pool opens several connections, idle once they answered.
        const readers = Array.from({ length: 4 }, () => new Session(engine, { reads: 'replica' }))
        const answers = await Promise.all(readers.map(answeredByReplica))
        await Promise.all(readers.map((reader) => reader.close()))
        assert.ok(answers.includes(true), 'the replica answered')
        relay.blackhole()
        // Found down when a lag check is overdue: that check waits on the silent replica as dispose() begins.
        await eventually('the replica is found down', async () => !engine.replicas!.status()[0]!.usable)
        await settlesWithin(engine.dispose(), 20_000, 'engine.dispose()')
        // The server never answers their goodbye: each closes once it is sent, and no socket lingers open.
        await eventually('no connection to the silent replica is left open', async () => {
          return socketsHeldTo(relay.port) === 0
        })
      },
    )

    test('connections to the primary and to the replica have TCP keep-alive on, so a peer gone silent is noticed', async () => {
      const { engine } = await setup()
      await using _ = engine
      const servers = { primary: new URL(POSTGRES_URL), replica: new URL(REPLICA_URL) }
      for (const reads of ['primary', 'replica'] as const) {
        await using session = new Session(engine, { reads })
        const [inRecovery, port] = await session
          .exec(select(Answering.c.in_recovery, Answering.c.client_port))
          .one()
        assert.equal(inRecovery, reads === 'replica')
        const server = Number(servers[reads].port)
        // The connection is back in its pool, idle: once its last packets are acknowledged, the kernel
        // runs its keep-alive timer.
        await eventually(`keep-alive on the connection to the ${reads}`, async () =>
          keepAliveArmed(port, server),
        )
      }
    })
  })
}

describe('replicas anywhere', () => {
  test('are PostgreSQL replicas of a PostgreSQL primary; an empty list, or an unset variable, is none', () => {
    assert.throws(
      () => createEngine('sqlite://', { replicas: ['postgresql://u:secret@replica/db'] }),
      (error: unknown) => error instanceof EngineUrlError && !/secret/.test((error as Error).message),
    )
    assert.throws(
      () => createEngine('postgresql://u:p@primary/db', { replicas: 'mysql://u:p@replica/db' }),
      EngineUrlError,
    )
    assert.equal(createEngine('sqlite://', { replicas: '' }).replicas, undefined)
    assert.equal(createEngine('sqlite://', { replicas: undefined }).replicas, undefined)
    const two = createEngine('postgresql://u:p@primary/db', {
      replicas: ' postgresql://u:p@a/db, postgresql://u:p@b/db,',
    })
    assert.deepEqual(
      two.replicas!.status().map((replica) => [replica.url, replica.usable]),
      [
        ['postgresql://u:***@a/db', false],
        ['postgresql://u:***@b/db', false],
      ],
      'a comma-separated list, as in DATABASE_REPLICA_URLS; none usable before a check answers',
    )
  })

  if (postgres) {
    test('a replica that never answers is skipped: every read runs on the primary', async () => {
      const primaryUrl = await postgres.isolatedUrl()
      // Port 1 refuses connections: a replica that is down from the start.
      await using engine = createEngine(primaryUrl, {
        replicas: ['postgresql://postgres:postgres@127.0.0.1:1/onemodel_test'],
        replicaLag: { checkEvery: 50 },
      })
      await createAll(engine)
      await ANSWERING.execute(engine.db)
      for (let i = 0; i < 10; i++) {
        await using session = new Session(engine, { reads: 'replica' })
        assert.equal(await answeredByReplica(session), false)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      assert.deepEqual(engine.replicas!.status()[0], {
        url: 'postgresql://postgres:***@127.0.0.1:1/onemodel_test',
        usable: false,
        lag: undefined,
      })
    })
  }
})
