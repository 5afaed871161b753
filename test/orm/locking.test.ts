/**
 * select().forUpdate(): row locks held until the Session's transaction ends, on every dialect of DIALECTS.
 * PostgreSQL and MariaDB lock rows, which two Sessions show: NOWAIT fails with a LockNotAvailableError,
 * SKIP LOCKED passes over the locked row, and a plain FOR UPDATE waits for the other commit. SQLite has no
 * row locks: the clause is left out and the transaction begun for the select stands in.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import {
  createApp,
  InvalidQueryError,
  DeadlockError,
  LockNotAvailableError,
  path,
  select,
  Session,
  type DialectName,
  type Engine,
} from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { addTutorialHeroes, heroesDatabase } from '../support/heroes.ts'

type Db = Awaited<ReturnType<typeof heroesDatabase>>

const COLUMNS = '"hero"."id", "hero"."name", "hero"."secret_name", "hero"."age", "hero"."team_id"'

/** Statements waiting for a row lock on the server, seen from a third connection. */
const LOCK_WAITS: Record<Exclude<DialectName, 'sqlite'>, string> = {
  postgres: `select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()`,
  mysql: 'select count(*) as n from information_schema.innodb_lock_waits',
}

/**
 * How long to leave between two reads of the lock waits. InnoDB's lock tables are a snapshot that it
 * refreshes only when nobody has read it for over 100 ms (`can_cache_be_updated()` in MariaDB's
 * `trx0i_s.cc`): reads back to back would keep a snapshot taken before the wait began for ever.
 */
const POLL_MS: Record<Exclude<DialectName, 'sqlite'>, number> = { postgres: 0, mysql: 120 }

/** Resolves once some statement waits for a row lock: the order of the test's events, seen on the server. */
async function someoneWaits(engine: Engine, dialect: Exclude<DialectName, 'sqlite'>): Promise<void> {
  for (;;) {
    const { rows } = await sql<{ n: number | string }>`${sql.raw(LOCK_WAITS[dialect])}`.execute(engine.db)
    if (Number(rows[0]!.n) > 0) return
    await new Promise((resolve) => setTimeout(resolve, POLL_MS[dialect]))
  }
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: select().forUpdate()`, () => {
    // 1 Deadpond (age null), 2 Rusty-Man (48), 3 Spider-Boy (16).
    let db: Db
    before(async () => {
      db = await heroesDatabase({ dialect })
      await addTutorialHeroes(db)
    })
    after(() => db?.engine.dispose())

    test('begins the transaction, so the lock is held until commit', async () => {
      const { Hero } = db
      await using session = new Session(db.engine)
      assert.equal(session.inTransaction, false)
      const hero = await session.exec(select(Hero).where(Hero.c.id.eq(2)).forUpdate()).one()
      assert.equal(hero.name, 'Rusty-Man')
      assert.equal(session.inTransaction, true)
      await session.commit()
      assert.equal(session.inTransaction, false)
    })

    test('skipLocked and noWait together are refused', () => {
      const { Hero } = db
      // @ts-expect-error: the two options exclude each other
      assert.throws(() => select(Hero).forUpdate({ skipLocked: true, noWait: true }), InvalidQueryError)
    })

    if (dialect.name === 'sqlite') {
      test('leaves the clause out: SQLite has no row locks, its write transaction serializes writers', async () => {
        const { Hero, log } = db
        await using session = new Session(db.engine)
        log.length = 0
        await session.exec(select(Hero).where(Hero.c.id.eq(1)).forUpdate({ noWait: true })).all()
        assert.deepEqual(
          log.filter((line) => line.startsWith('select')),
          [`select ${COLUMNS} from "hero" where "hero"."id" = ? -- 1 parameter`],
        )
      })

      test("a second Session's forUpdate waits for the first's commit: the write transactions queue", async () => {
        const { Hero } = db
        await using holder = new Session(db.engine)
        await using other = new Session(db.engine)
        const held = await holder.exec(select(Hero).where(Hero.c.id.eq(3)).forUpdate()).one()
        let settled = false
        const waiting = other
          .exec(select(Hero).where(Hero.c.id.eq(3)).forUpdate())
          .one()
          .finally(() => (settled = true))
        held.age = 18
        await holder.flush()
        assert.equal(settled, false, 'the second transaction waits while the first is open')
        await holder.commit()
        assert.equal((await waiting).age, 18)
        await other.commit()
      })
      return
    }
    const server = dialect.name

    test('writes FOR UPDATE, SKIP LOCKED and NOWAIT, one statement per shape', async () => {
      const { Hero, log } = db
      await using session = new Session(db.engine)
      log.length = 0
      const byId = select(Hero).where(Hero.c.id.eq(1))
      await session.exec(byId.forUpdate()).all()
      await session.exec(byId.forUpdate({ skipLocked: true })).all()
      await session.exec(byId.forUpdate({ noWait: true })).all()
      const base = `select ${COLUMNS} from "hero" where "hero"."id" = ?`
      assert.deepEqual(
        log.filter((line) => line.startsWith('select')),
        [
          `${base} for update -- 1 parameter`,
          `${base} for update skip locked -- 1 parameter`,
          `${base} for update nowait -- 1 parameter`,
        ],
      )
    })

    test('noWait fails with a LockNotAvailableError while another Session holds the row', async () => {
      const { Hero } = db
      await using holder = new Session(db.engine)
      await using other = new Session(db.engine)
      await holder.exec(select(Hero).where(Hero.c.id.eq(1)).forUpdate()).one()
      const locked = other.exec(select(Hero).where(Hero.c.id.eq(1)).forUpdate({ noWait: true })).one()
      await assert.rejects(
        locked,
        (error) => error instanceof LockNotAvailableError && error.code === 'OM_ORM_LOCKED',
      )
      await other.rollback()
      await holder.commit()
      const free = await other.exec(select(Hero).where(Hero.c.id.eq(1)).forUpdate({ noWait: true })).one()
      assert.equal(free.name, 'Deadpond')
    })

    test('a deadlock is a DeadlockError: the database rolled back one of the two transactions', async () => {
      const { Hero } = db
      await using first = new Session(db.engine)
      await using second = new Session(db.engine)
      await first.exec(select(Hero).where(Hero.c.id.eq(1)).forUpdate()).one()
      await second.exec(select(Hero).where(Hero.c.id.eq(2)).forUpdate()).one()
      // Each waits for the row the other holds: the database ends one of them.
      const firstWaits = first.exec(select(Hero).where(Hero.c.id.eq(2)).forUpdate()).one()
      await someoneWaits(db.engine, server)
      const secondWaits = second.exec(select(Hero).where(Hero.c.id.eq(1)).forUpdate()).one()
      const outcomes = await Promise.allSettled([firstWaits, secondWaits])
      const failed = outcomes.filter((outcome) => outcome.status === 'rejected')
      assert.equal(failed.length, 1, 'one transaction is the victim, the other goes on')
      const { reason } = failed[0] as PromiseRejectedResult
      assert.ok(reason instanceof DeadlockError, String(reason))
      assert.ok(reason instanceof LockNotAvailableError, 'a handler of a lock not taken catches it too')
      assert.equal(reason.code, 'OM_ORM_DEADLOCK')
      assert.match(reason.message, /rolled this one back\. Run the transaction again/)
      await first.rollback()
      await second.rollback()
    })

    test('skipLocked passes over the rows another Session holds', async () => {
      const { Hero } = db
      await using holder = new Session(db.engine)
      await using other = new Session(db.engine)
      await holder.exec(select(Hero).where(Hero.c.id.eq(1)).forUpdate()).one()
      const free = await other.exec(select(Hero).orderBy(Hero.c.id).forUpdate({ skipLocked: true })).all()
      assert.deepEqual(
        free.map((hero) => hero.name),
        ['Rusty-Man', 'Spider-Boy'],
      )
    })

    // Bounded: a forUpdate that locked nothing would leave someoneWaits polling forever.
    test(
      "a plain forUpdate waits for the other Session's commit, then reads what it wrote",
      { timeout: 10_000 },
      async () => {
        const { Hero } = db
        await using holder = new Session(db.engine)
        await using other = new Session(db.engine)
        const held = await holder.exec(select(Hero).where(Hero.c.id.eq(3)).forUpdate()).one()
        let settled = false
        const waiting = other
          .exec(select(Hero).where(Hero.c.id.eq(3)).forUpdate())
          .one()
          .finally(() => (settled = true))
        await someoneWaits(db.engine, server)
        assert.equal(settled, false, 'the second lock waits while the first is held')
        held.age = 17
        await holder.commit()
        assert.equal((await waiting).age, 17)
        await other.commit()
      },
    )

    test('over HTTP, a row lock not taken answers 503 with Retry-After, and no driver message', async () => {
      const { Hero } = db
      const app = createApp({ logger: false })
      app.get('/heroes/{hero_id}/claim', { params: { hero_id: path.integer() } }, async ({ hero_id }) => {
        await using session = new Session(db.engine)
        const query = select(Hero).where(Hero.c.id.eq(hero_id)).forUpdate({ noWait: true })
        return (await session.exec(query).one()).name
      })
      await using holder = new Session(db.engine)
      await holder.exec(select(Hero).where(Hero.c.id.eq(2)).forUpdate()).one()
      const response = await app.inject({ method: 'GET', url: '/heroes/2/claim' })
      assert.equal(response.statusCode, 503)
      assert.equal(response.headers['retry-after'], '1')
      assert.deepEqual(response.json(), {
        detail: 'Service Unavailable: the database is busy or unreachable',
      })
      await holder.rollback()
      assert.equal((await app.inject({ method: 'GET', url: '/heroes/2/claim' })).json(), 'Rusty-Man')
    })
  })
}
