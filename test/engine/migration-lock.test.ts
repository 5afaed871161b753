/**
 * PostgreSQL's migration lock, on a direct connection and through PgBouncer in transaction pooling mode:
 * the wait for it ends after the server's `lock_timeout`, or an hour without one, with `OM_MIGRATE_LOCK`
 * and nothing run, while the revisions run under the server's own `lock_timeout`; and an engine that finds
 * the pooler itself (no `?pgbouncer=true`) takes the transaction lock, which the pooler keeps. Each test has
 * a database of its own, since advisory locks are per database.
 */
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import {
  createEngine,
  createMigrator,
  field,
  Metadata,
  model,
  select,
  Session,
  sql,
  table,
  type Engine,
} from 'onemodel-ts'
import { admin, DIALECTS, dropAfterFile, POSTGRES_URL, uniqueName } from '../support/dialects.ts'
import { tempProject } from '../support/project.ts'
import { PGBOUNCER_URL, THROUGH_PGBOUNCER } from '../support/scale-out.ts'

/** Kysely's migration lock key, which onemodel's commands share. */
const LOCK_ID = '3853314791062309107'

/** A database of its own on the test server, reached directly and through PgBouncer. */
async function database(settings: string[] = []): Promise<{ direct: string; pooled: string }> {
  const name = uniqueName()
  await admin(POSTGRES_URL, `create database ${name}`)
  // WITH (FORCE): PgBouncer may still hold server connections to it.
  dropAfterFile(() => admin(POSTGRES_URL, `drop database if exists ${name} with (force)`))
  for (const setting of settings) await admin(POSTGRES_URL, `alter database ${name} set ${setting}`)
  const at = (url: string) => Object.assign(new URL(url), { pathname: `/${name}` }).href
  return { direct: at(POSTGRES_URL), pooled: at(PGBOUNCER_URL) }
}

/**
 * A migrations folder with one revision, which records the `lock_timeout` it ran under, after running
 * `first` when given.
 */
async function folderWithRevision(engine: Engine, first?: string): Promise<string> {
  const folder = join(tempProject(), 'migrations')
  const written = await createMigrator(engine, { folder }).revision('record lock timeout', { empty: true })
  writeFileSync(
    written!.path,
    `import type { Kysely } from 'kysely'
import { sql } from 'onemodel-ts'

export async function up(db: Kysely<any>): Promise<void> {
${first === undefined ? '' : `  await sql.raw(${JSON.stringify(first)}).execute(db)\n`}  await sql\`create table seen as select current_setting('lock_timeout') as lock_timeout\`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql\`drop table seen\`.execute(db)
}
`,
  )
  return folder
}

async function lockTimeoutSeen(engine: Engine): Promise<string> {
  const { rows } = await sql<{ lock_timeout: string }>`select lock_timeout from seen`.execute(engine.db)
  return rows[0]!.lock_timeout
}

/** Runs `work` while a transaction of another connection holds the migration lock. */
async function whileLocked<T>(directUrl: string, work: (holder: Engine) => Promise<T>): Promise<T> {
  await using holder = createEngine(directUrl, { pool: { size: 2 } })
  return await holder.db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(LOCK_ID)})`.execute(trx)
    return work(holder)
  })
}

/** The statement of the backend waiting for the migration lock, once one waits. */
async function waiter(holder: Engine): Promise<{ pid: number; query: string }> {
  for (const start = Date.now(); Date.now() - start < 10_000;) {
    const { rows } = await sql<{ pid: number; query: string }>`select a.pid, a.query
      from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and not l.granted and l.database = (select oid from pg_database where datname = current_database())`.execute(
      holder.db,
    )
    if (rows[0] !== undefined) return rows[0]
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  assert.fail('no command waited for the migration lock')
}

const isLockError = (pattern: RegExp) => (error: unknown) =>
  (error as { code?: unknown }).code === 'OM_MIGRATE_LOCK' && pattern.test((error as Error).message)

const POSTGRES = DIALECTS.some((dialect) => dialect.name === 'postgres')
const WAYS = [
  ...(POSTGRES ? [{ label: 'postgres, directly', url: 'direct', lock: 'pg_advisory_lock' } as const] : []),
  ...(THROUGH_PGBOUNCER.length > 0
    ? [{ label: 'postgres through PgBouncer', url: 'pooled', lock: 'pg_advisory_xact_lock' } as const]
    : []),
]

for (const way of WAYS) {
  describe(`the migration lock, ${way.label}`, () => {
    test('a command that waits past lock_timeout fails with OM_MIGRATE_LOCK and runs nothing', async () => {
      const urls = await database([`lock_timeout = '300ms'`])
      await using engine = createEngine(urls[way.url])
      const folder = await folderWithRevision(engine)
      const migrator = createMigrator(engine, { folder })
      await whileLocked(urls.direct, async () => {
        const started = Date.now()
        await assert.rejects(
          migrator.upgrade(),
          isLockError(/held it for longer than lock_timeout \(300ms\)/),
        )
        assert.ok(Date.now() - started < 5000, 'the wait ended at lock_timeout')
      })
      assert.equal(await migrator.current(), undefined, 'nothing was applied')
      assert.equal(
        await migrator.upgrade().then((names) => names.length),
        1,
        'once the lock is free, it runs',
      )
      assert.equal(await lockTimeoutSeen(engine), '300ms', "the revision ran under the server's lock_timeout")
    })

    test('without a lock_timeout the wait is bounded for the lock alone; a cancelled wait runs nothing', async () => {
      const urls = await database()
      await using engine = createEngine(urls[way.url])
      const folder = await folderWithRevision(engine)
      const migrator = createMigrator(engine, { folder })
      await whileLocked(urls.direct, async (holder) => {
        const upgrade = assert.rejects(migrator.upgrade(), isLockError(/the wait for it was cancelled/))
        const waiting = await waiter(holder)
        assert.match(waiting.query, new RegExp(`^select ${way.lock}\\(${LOCK_ID}\\)$`))
        await sql`select pg_cancel_backend(${waiting.pid})`.execute(holder.db)
        await upgrade
      })
      assert.equal(await migrator.current(), undefined, 'nothing was applied')
      await migrator.upgrade()
      assert.equal(await lockTimeoutSeen(engine), '0', "the lock's bound was lifted before the revision ran")
    })
  })
}

describe('the session migration lock of a direct connection', { skip: !POSTGRES }, () => {
  test('a release that finds nothing to unlock fails loudly with OM_MIGRATE_LOCK', async () => {
    const urls = await database()
    await using engine = createEngine(urls.direct)
    // What a pooler the engine did not find would do: the unlock reaches a server connection without it.
    const folder = await folderWithRevision(engine, 'select pg_advisory_unlock_all()')
    await assert.rejects(
      createMigrator(engine, { folder }).upgrade(),
      isLockError(/Could not release the migration lock.*may still be held/),
    )
  })
})

describe('a failed revision whose lock release fails too', { skip: !POSTGRES }, () => {
  test("fails with the revision's error, which names the failed release as well", async () => {
    const urls = await database()
    await using engine = createEngine(urls.direct)
    const folder = await folderWithRevision(engine, 'select pg_advisory_unlock_all()')
    // The revision then fails: the table it creates is there already.
    await sql`create table seen (lock_timeout text)`.execute(engine.db)
    await assert.rejects(createMigrator(engine, { folder }).upgrade(), (error: unknown) => {
      assert.equal((error as { code?: unknown }).code, 'OM_MIGRATE_FAILED')
      assert.match((error as Error).message, /already exists/)
      assert.match((error as Error).message, /Then: Could not release the migration lock.*may still be held/)
      return true
    })
  })
})

describe(
  'the migration lock of an engine that finds PgBouncer itself',
  { skip: THROUGH_PGBOUNCER.length === 0, timeout: 60_000 },
  () => {
    test('finds it as it connects, and takes the transaction lock, which two migrators share correctly', async () => {
      const urls = await database()
      const untold = new URL(urls.pooled)
      untold.searchParams.delete('pgbouncer')
      await using engine = createEngine(untold.href, { pool: { size: 10 } })
      const folder = await folderWithRevision(engine)
      await sql`select 1`.execute(engine.db)
      assert.ok(engine.dialect.executor.transactionPooling, 'the first connection found the pooler')
      assert.equal(engine.dialect.migrations.migrationLock().inTransaction, true)
      await using other = createEngine(untold.href)
      const upgrades = await whileLocked(urls.direct, async (holder) => {
        const started = Promise.all([
          createMigrator(engine, { folder }).upgrade(),
          createMigrator(other, { folder }).upgrade(),
        ])
        assert.match(
          (await waiter(holder)).query,
          new RegExp(`^select pg_advisory_xact_lock\\(${LOCK_ID}\\)$`),
        )
        return { started } // not awaited here: they wait for this transaction to end
      })
      assert.equal(
        (await upgrades.started).flat().length,
        1,
        'one upgrade ran the revision, the other found nothing to do',
      )
      assert.equal(await lockTimeoutSeen(engine), '0')
    })

    test('with other clients keeping the pooler busy, a command leaves no lock behind', async () => {
      const urls = await database()
      const untold = new URL(urls.pooled)
      untold.searchParams.delete('pgbouncer')
      await using engine = createEngine(untold.href)
      const folder = await folderWithRevision(engine)
      // Other clients of the same pooler database keep its server connections turning over, so that a
      // command's statements outside a transaction reach different ones.
      await using noise = createEngine(untold.href, { pool: { size: 15 } })
      let busy = true
      const load = Array.from({ length: 15 }, async () => {
        while (busy) await sql`select pg_sleep(0.005)`.execute(noise.db)
      })
      await new Promise((resolve) => setTimeout(resolve, 300))
      try {
        assert.equal((await createMigrator(engine, { folder }).upgrade()).length, 1)
      } finally {
        busy = false
        await Promise.all(load)
      }
      await using direct = createEngine(urls.direct)
      const { rows } = await sql`select pid from pg_locks where locktype = 'advisory'
        and database = (select oid from pg_database where datname = current_database())`.execute(direct.db)
      assert.deepEqual(rows, [], 'no advisory lock is left on any server connection')
      assert.ok(engine.dialect.executor.transactionPooling, 'the engine reports the pooler')
    })

    test("a server connection that holds another client's lock is refused", async () => {
      const urls = await database()
      const untold = new URL(urls.pooled)
      untold.searchParams.delete('pgbouncer')
      // Another client's session lock, left on a server connection of PgBouncer's. PgBouncer may open up to
      // default_pool_size of them for this database, but these commands run one after the other, so it hands
      // the next client the one it has, idle: a session holds its lock as many times as it asks for it,
      // and its transactions share it.
      await using other = createEngine(untold.href)
      await sql`select pg_advisory_lock(${sql.lit(LOCK_ID)})`.execute(other.db)
      await using engine = createEngine(untold.href)
      const migrator = createMigrator(engine, { folder: await folderWithRevision(engine) })
      await assert.rejects(
        migrator.upgrade(),
        (error: unknown) =>
          (error as { code?: unknown }).code === 'OM_ENGINE_TRANSACTION_POOLING' &&
          /already holds the migration lock.*\?pgbouncer=true/.test((error as Error).message),
      )
      assert.equal(await migrator.current(), undefined, 'nothing ran')
    })
  },
)
