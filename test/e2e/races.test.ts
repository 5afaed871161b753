/**
 * Requests that race for one row, against both example apps on a real port, on every dialect: a PATCH
 * against a DELETE of the same id, and two DELETEs of the same id, fired together for a number of rounds.
 * On the server dialects each request's Session writes on its own pooled connection, so the requests
 * interleave in the database: the loser finds the row gone at its flush or its refresh. It must answer
 * 404, never 500, and of two DELETEs exactly one answers 200.
 *
 * Each race tallies its outcomes and then asserts them, so a failure shows the outcomes of every round.
 */
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import { isDeepStrictEqual } from 'node:util'
import type { App } from 'onemodel-ts'
import { heroesApp } from '../../examples/heroes/app.ts'
import { teamsApp } from '../../examples/teams/app.ts'
import { DIALECTS } from '../support/dialects.ts'

interface Answer {
  status: number
  body: unknown
}

type Call = (method: string, path: string, json?: unknown) => Promise<Answer>

const ROUNDS = 30

/** What the app answers when the row was deleted between the handler's read and its write. */
const GONE = { status: 404, body: { detail: 'Not Found: the resource was deleted concurrently' } }

/** A resource of an app: where it lives, how to make one (its POST answer) and a PATCH body. */
interface Resource {
  readonly path: string
  readonly create: (call: Call) => Promise<{ id: number }>
  readonly patch: object
  /** The handler's own 404, when its `session.get()` already found nothing. */
  readonly notFound: Answer
}

/** Starts an app on a fresh database and a free port; it closes after the test. */
async function serve(t: TestContext, app: App): Promise<Call> {
  const base = await app.listen({ port: 0, signals: false })
  t.after(() => app.close())
  const call: Call = async (method, path, json) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: json === undefined ? {} : { 'content-type': 'application/json' },
      body: json === undefined ? undefined : JSON.stringify(json),
    })
    return { status: response.status, body: await response.json() }
  }
  return call
}

/** A name for an answer in the tally: the method, the status, and which 404 it is. */
function outcome(method: string, answer: Answer, expected: Answer, resource: Resource): string {
  if (isDeepStrictEqual(answer, expected)) return `${method} ${answer.status}`
  if (isDeepStrictEqual(answer, GONE)) return `${method} 404 gone`
  if (isDeepStrictEqual(answer, resource.notFound)) return `${method} 404 not found`
  return `${method} ${answer.status} ${JSON.stringify(answer.body)}`
}

interface Race {
  readonly methods: readonly ['PATCH' | 'DELETE', 'DELETE']
  /** The outcomes a round may have, each its answers' names sorted. */
  readonly allowed: readonly string[]
}

/**
 * A PATCH racing a DELETE: the DELETE always deletes the row (the PATCH deletes nothing), and the PATCH
 * answers the patched row or a 404, whichever way they interleaved.
 */
const PATCH_DELETE: Race = {
  methods: ['PATCH', 'DELETE'],
  allowed: ['DELETE 200, PATCH 200', 'DELETE 200, PATCH 404 not found', 'DELETE 200, PATCH 404 gone'],
}

/** Two DELETEs: exactly one deletes the row and answers 200, the other answers 404. */
const DELETE_DELETE: Race = {
  methods: ['DELETE', 'DELETE'],
  allowed: ['DELETE 200, DELETE 404 not found', 'DELETE 200, DELETE 404 gone'],
}

/**
 * Runs `race` for {@link ROUNDS} rounds, each on a new row of `resource`, checks that the row is gone
 * after each round, and asserts that every round had an allowed outcome. Returns the tally.
 */
async function run(
  t: TestContext,
  call: Call,
  resource: Resource,
  race: Race,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (let round = 0; round < ROUNDS; round++) {
    const row = await resource.create(call)
    const url = `${resource.path}${row.id}`
    const answers = await Promise.all(
      race.methods.map((method) => call(method, url, method === 'PATCH' ? resource.patch : undefined)),
    )
    const names = answers.map((answer, i) => {
      const method = race.methods[i]!
      const expected = method === 'PATCH' ? { ...row, ...resource.patch } : { ok: true }
      return outcome(method, answer, { status: 200, body: expected }, resource)
    })
    const name = names.sort().join(', ')
    counts[name] = (counts[name] ?? 0) + 1
    assert.deepEqual(await call('GET', url), resource.notFound, `${url} is gone after the round`)
  }
  t.diagnostic(`${race.methods.join(' vs ')} ${resource.path}: ${JSON.stringify(counts)}`)
  const unexpected = Object.keys(counts).filter((name) => !race.allowed.includes(name))
  assert.deepEqual(unexpected, [], `${race.methods.join(' vs ')} ${resource.path}: ${JSON.stringify(counts)}`)
  return counts
}

/** POSTs `json` to `path`, checks the 200, and returns the answer's body. */
async function created(call: Call, path: string, json: object): Promise<{ id: number }> {
  const answer = await call('POST', path, json)
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  return answer.body as { id: number }
}

const heroesHero: Resource = {
  path: '/heroes/',
  create: (call) => created(call, '/heroes/', { name: 'Deadpond', secret_name: 'Dive Wilson' }),
  patch: { age: 30 },
  notFound: { status: 404, body: { detail: 'Hero not found' } },
}

/** A team with a hero, so that its DELETE also detaches the hero: a transaction of two statements. */
const teamsTeam: Resource = {
  path: '/teams/',
  async create(call) {
    const team = await created(call, '/teams/', { name: 'Preventers', headquarters: 'Sharp Tower' })
    await created(call, '/heroes/', { name: 'Rusty-Man', secret_name: 'Tommy Sharp', team_id: team.id })
    return team
  },
  patch: { headquarters: 'Sister Margaret’s Bar' },
  notFound: { status: 404, body: { detail: 'Team not found' } },
}

/** A hero of a team, whose row a DELETE takes out of its team's collection. */
const teamsHero: Resource = {
  path: '/heroes/',
  async create(call) {
    const team = await created(call, '/teams/', { name: 'Z-Force', headquarters: 'Bar' })
    return created(call, '/heroes/', { name: 'Deadpond', secret_name: 'Dive Wilson', team_id: team.id })
  },
  patch: { age: 30 },
  notFound: { status: 404, body: { detail: 'Hero not found' } },
}

/** The server still answers normally after the races: a new row is created and read back. */
async function stillServes(call: Call, resource: Resource): Promise<void> {
  const row = await resource.create(call)
  const read = await call('GET', `${resource.path}${row.id}`)
  assert.equal(read.status, 200, JSON.stringify(read.body))
  assert.equal((read.body as { id: number }).id, row.id)
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: requests racing for one row`, () => {
    /**
     * Runs both races on `resource`. On a server dialect the requests must really have raced: some DELETE
     * found the row deleted by the other one. SQLite runs one request's statements without a pause, so
     * there the second request's read already finds nothing; test/orm/stale.test.ts covers it.
     */
    async function races(t: TestContext, call: Call, resource: Resource): Promise<void> {
      await run(t, call, resource, PATCH_DELETE)
      const deletes = await run(t, call, resource, DELETE_DELETE)
      if (dialect.name !== 'sqlite') {
        assert.ok(deletes['DELETE 200, DELETE 404 gone']! > 0, 'the two DELETEs raced in the database')
      }
      await stillServes(call, resource)
    }

    test('Heroes API: PATCH against DELETE, and DELETE against DELETE, of /heroes/{id}', async (t) => {
      const call = await serve(t, heroesApp(await dialect.isolatedUrl()).app)
      await races(t, call, heroesHero)
    })

    test('Heroes & Teams API: the same races for /teams/{id} and /heroes/{id}', async (t) => {
      const call = await serve(t, teamsApp(await dialect.isolatedUrl()).app)
      await races(t, call, teamsTeam)
      await races(t, call, teamsHero)
    })
  })
}
