/**
 * A Session's statements fail as promises fail, on every dialect: node:sqlite answers before its call
 * returns, and the Session hands a result it has at once along without an `async` step, so each method
 * must still turn what fails on the way (before the driver runs, or in it) into a rejection, never a throw
 * at its caller.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  bindParam,
  createAll,
  createEngine,
  field,
  insert,
  IntegrityError,
  InvalidQueryError,
  Metadata,
  model,
  select,
  Session,
  table,
} from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { declareTeams, teamsDatabase } from '../support/teams.ts'

/** A table declared and never created: a select of it fails in the database. */
const Ghost = table('ghost', model('Ghost', { id: field.integer({ primaryKey: true }) }), {
  metadata: new Metadata(),
})

/** What a rejection must match, as `assert.rejects()` takes it: a class, a pattern, an object of fields. */
type Expected = Exclude<Parameters<typeof assert.rejects>[1], string | undefined>
type Teams = ReturnType<typeof declareTeams>

/** `call()` gives a promise (or a thenable) rather than throwing, and it rejects with `expected`. */
async function rejects(call: () => PromiseLike<unknown>, expected: Expected = Error): Promise<void> {
  let promise: PromiseLike<unknown> | undefined
  assert.doesNotThrow(() => void (promise = call()))
  // Awaited as a thenable is, as `await session.exec(query)` is.
  await assert.rejects(Promise.resolve(promise), expected)
}

/** `session.get()`, a select and a bulk insert each reject with `expected`. */
async function readsAndWritesReject(session: Session, Hero: Teams['Hero'], expected: Expected) {
  await rejects(() => session.get(Hero, 1), expected)
  await rejects(() => session.exec(select(Hero)).all(), expected)
  await rejects(() => session.exec(insert(Hero).values({ name: 'Black Lion' })), expected)
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: failures reject`, () => {
    test('a select the database refuses rejects exec(), all(), first() and one(), and the Session goes on', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      await rejects(() => session.exec(select(Ghost)))
      await rejects(() => session.exec(select(Ghost)).all())
      await rejects(() => session.exec(select(Ghost)).first())
      await rejects(() => session.exec(select(Ghost)).one())
      const names = await session.exec(select(Hero.c.name).orderBy(Hero.c.id)).all()
      assert.deepEqual(names, ['Deadpond', 'Rusty-Man', 'Spider-Boy'])
    })

    test('a select without its bind parameter rejects with InvalidQueryError', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const byName = select(Hero).where(Hero.c.name.eq(bindParam('name')))
      await rejects(() => session.exec(byName).first(), InvalidQueryError)
    })

    test('one() of no row rejects; first() of no row resolves undefined', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const nobody = select(Hero).where(Hero.c.name.eq('Nobody'))
      await rejects(() => session.exec(nobody).one(), /expected 1 row from "hero", got 0/)
      assert.equal(await session.exec(nobody).first(), undefined)
    })

    test('a bulk insert that breaks a constraint rejects with IntegrityError', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      await rejects(() => session.exec(insert(Hero).values({ name: 'Deadpond' })), IntegrityError)
      const { affected } = await session.exec(insert(Hero).values({ name: 'Black Lion' }))
      assert.equal(affected, 1)
    })

    test('every method of a closed Session rejects with OM_ORM_SESSION_CLOSED, and close() again resolves', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      const session = new Session(engine)
      await session.close()
      const closed = { name: 'SessionError', code: 'OM_ORM_SESSION_CLOSED' }
      await readsAndWritesReject(session, Hero, closed)
      await rejects(() => session.commit(), closed)
      let closing: Promise<void> | undefined
      assert.doesNotThrow(() => void (closing = session.close()))
      await closing
    })

    test('a statement that fails before the driver runs (its echo throws) rejects get, exec and a bulk write', async (t) => {
      const { Hero, Team } = declareTeams()
      let failing = false
      const echo = () => {
        if (failing) throw new Error('the echo failed')
      }
      const engine = createEngine(await dialect.isolatedUrl(), { echo: true, logger: echo })
      t.after(() => engine.dispose())
      await createAll(engine, { metadata: Team.metadata })
      await using session = new Session(engine)
      failing = true
      await readsAndWritesReject(session, Hero, /the echo failed/)
      failing = false
      assert.deepEqual(await session.exec(select(Hero)).all(), [])
    })
  })
}
