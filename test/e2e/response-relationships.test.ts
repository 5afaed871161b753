/**
 * Response models that nest relationships load what they need, on a real port and on every dialect: a
 * handler returns rows whose relationships are not loaded, and the route loads what its response model
 * nests with the Session holding them, one query per level for all the rows of the answer, counted from
 * the echoed SQL. Relationships already loaded are not read again; `loadRelationships: false` opts out;
 * a row no open Session holds fails the answer with a 500 whose log says what is not loaded.
 */
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, test, type TestContext } from 'node:test'
import {
  createAll,
  createApp,
  createEngine,
  depends,
  field,
  HTTPError,
  list,
  model,
  path,
  select,
  selectinload,
  Session,
} from 'onemodel-ts'
import { DIALECTS, type DialectUnderTest } from '../support/dialects.ts'
import { recordSql } from '../support/heroes.ts'
import { declareTeams } from '../support/teams.ts'

const TeamPublic = model('TeamPublic', { id: field.integer(), name: field.string() })
const HeroPublic = model('HeroPublic', {
  id: field.integer(),
  name: field.string(),
  team_id: field.integer({ nullable: true }),
})
const TeamWithHeroes = TeamPublic.extend('TeamWithHeroes', {
  heroes: field.list(HeroPublic, { default: [] }),
})
const HeroWithTeam = HeroPublic.extend('HeroWithTeam', {
  team: field.model(TeamPublic, { nullable: true, default: null }),
})
/** Two levels: a hero, its team, and the team's heroes. */
const HeroWithTeammates = HeroPublic.extend('HeroWithTeammates', {
  team: field.model(TeamWithHeroes, { nullable: true, default: null }),
})

/**
 * An app over a fresh database of `dialect` with `teams` teams of two heroes each (team i: Hero i.a and
 * Hero i.b) and one hero of no team; `log` holds the statements of the requests only.
 */
async function serve(t: TestContext, dialect: DialectUnderTest, teams: number) {
  const { Team, Hero } = declareTeams()
  const recorded = recordSql()
  const engine = createEngine(await dialect.isolatedUrl(), recorded.options)
  await createAll(engine, { metadata: Team.metadata })
  {
    await using session = new Session(engine)
    const rows = Array.from({ length: teams }, (_, i) => Team.create({ name: `Team ${i + 1}` }))
    session.addAll(rows)
    await session.commit()
    for (const team of rows) {
      session.add(Hero.create({ name: `${team.name}.a`, team_id: team.id }))
      session.add(Hero.create({ name: `${team.name}.b`, team_id: team.id }))
    }
    session.add(Hero.create({ name: 'Loner' }))
    await session.commit()
  }

  const getSession = depends(async function* getSession() {
    await using session = new Session(engine)
    yield session
  })
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk))
      done()
    },
  })
  const app = createApp({ logger: { level: 'error', stream } })
  const params = { session: getSession }
  app.get('/teams/', { params, response: list(TeamWithHeroes) }, async function readTeams({ session }) {
    return session.exec(select(Team).orderBy(Team.c.id)).all()
  })
  app.get('/heroes/', { params, response: list(HeroWithTeam) }, async function readHeroes({ session }) {
    return session.exec(select(Hero).orderBy(Hero.c.id)).all()
  })
  app.get(
    '/heroes/{hero_id}',
    { params: { ...params, hero_id: path.integer() }, response: HeroWithTeam },
    async function readHero({ session, hero_id }) {
      const hero = await session.get(Hero, hero_id)
      if (!hero) throw new HTTPError(404, 'Hero not found')
      return hero
    },
  )
  app.get(
    '/teammates/',
    { params, response: list(HeroWithTeammates) },
    async function readTeammates({ session }) {
      return session.exec(select(Hero).orderBy(Hero.c.id)).all()
    },
  )
  app.get(
    '/loaded/teams/',
    { params, response: list(TeamWithHeroes) },
    async function readLoaded({ session }) {
      return session.exec(select(Team).orderBy(Team.c.id).options(selectinload('heroes'))).all()
    },
  )
  app.get(
    '/manual/teams/',
    { params, response: list(TeamWithHeroes), loadRelationships: false },
    async function readManual({ session }) {
      return session.exec(select(Team).orderBy(Team.c.id)).all()
    },
  )
  app.get(
    '/manual/loaded/teams/',
    { params, response: list(TeamWithHeroes), loadRelationships: false },
    async function readManualLoaded({ session }) {
      return session.exec(select(Team).orderBy(Team.c.id).options(selectinload('heroes'))).all()
    },
  )
  app.get('/closed/teams/', { response: list(TeamWithHeroes) }, async function readClosed() {
    await using session = new Session(engine)
    const teams = await session.exec(select(Team).orderBy(Team.c.id)).all()
    return teams // the Session closes as the handler returns
  })
  app.get('/closing/teams/', { response: list(TeamWithHeroes) }, async function readClosing() {
    await using session = new Session(engine)
    // Not awaited: the Session closes while the query runs, and its rows arrive in a closed Session.
    return session.exec(select(Team).orderBy(Team.c.id)).all()
  })

  const base = await app.listen({ port: 0, signals: false })
  t.after(async () => {
    await app.close()
    await engine.dispose()
  })
  recorded.log.length = 0

  /** The answer to `GET path`, and the selects it ran. */
  async function get(path: string) {
    recorded.log.length = 0
    const response = await fetch(`${base}${path}`)
    const body = (await response.json()) as unknown
    return { status: response.status, body, selects: recorded.log.filter((line) => /^select/i.test(line)) }
  }
  return { get, lines }
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: response models that nest relationships load them`, () => {
    test('a list of teams with their heroes is 2 queries, whatever the number of teams', async (t) => {
      for (const teams of [2, 30]) {
        const { get } = await serve(t, dialect, teams)
        const answer = await get('/teams/')
        assert.equal(answer.status, 200)
        assert.equal(answer.selects.length, 2, answer.selects.join('\n'))
        const body = answer.body as { name: string; heroes: { name: string }[] }[]
        assert.equal(body.length, teams)
        assert.deepEqual(body[1], {
          id: 2,
          name: 'Team 2',
          heroes: [
            { id: 3, name: 'Team 2.a', team_id: 2 },
            { id: 4, name: 'Team 2.b', team_id: 2 },
          ],
        })
      }
    })

    test('heroes with their team: one query for all the teams, and a hero of no team has null', async (t) => {
      const { get } = await serve(t, dialect, 3)
      const heroes = await get('/heroes/')
      assert.equal(heroes.selects.length, 2, heroes.selects.join('\n'))
      const body = heroes.body as { name: string; team: { name: string } | null }[]
      assert.deepEqual(
        body.map((hero) => [hero.name, hero.team?.name ?? null]),
        [
          ['Team 1.a', 'Team 1'],
          ['Team 1.b', 'Team 1'],
          ['Team 2.a', 'Team 2'],
          ['Team 2.b', 'Team 2'],
          ['Team 3.a', 'Team 3'],
          ['Team 3.b', 'Team 3'],
          ['Loner', null],
        ],
      )

      const one = await get('/heroes/3')
      assert.deepEqual(one.body, { id: 3, name: 'Team 2.a', team_id: 2, team: { id: 2, name: 'Team 2' } })
      assert.equal(one.selects.length, 2, 'the hero, then its team')
      const loner = await get('/heroes/7')
      assert.deepEqual(loner.body, { id: 7, name: 'Loner', team_id: null, team: null })
      assert.equal(loner.selects.length, 1, 'no team to read')
      const missing = await get('/heroes/99')
      assert.deepEqual([missing.status, missing.body], [404, { detail: 'Hero not found' }])
      assert.equal(missing.selects.length, 1)
    })

    test('two levels (a hero, its team, its teammates) are loaded level by level: 3 queries', async (t) => {
      const { get } = await serve(t, dialect, 10)
      const answer = await get('/teammates/')
      assert.equal(answer.selects.length, 3, answer.selects.join('\n'))
      const body = answer.body as { name: string; team: { heroes: { name: string }[] } | null }[]
      assert.deepEqual(
        body[0]!.team!.heroes.map((hero) => hero.name),
        ['Team 1.a', 'Team 1.b'],
      )
      assert.equal(body.at(-1)!.team, null)
    })

    test('relationships the handler loaded are not read again', async (t) => {
      const { get } = await serve(t, dialect, 5)
      const answer = await get('/loaded/teams/')
      assert.equal(answer.selects.length, 2, 'the teams and their heroes, by the handler only')
      assert.equal((answer.body as unknown[]).length, 5)
    })

    test('loadRelationships: false leaves loading to the handler', async (t) => {
      const { get, lines } = await serve(t, dialect, 2)
      const loaded = await get('/manual/loaded/teams/')
      assert.equal(loaded.status, 200)
      assert.equal(loaded.selects.length, 2)

      const unloaded = await get('/manual/teams/')
      assert.deepEqual(unloaded.body, { detail: 'Internal Server Error' })
      assert.equal(unloaded.status, 500)
      assert.equal(unloaded.selects.length, 1, 'the teams only: nothing is loaded for the handler')
      assert.match(lines.join(''), /Team\.heroes is not loaded/)
    })

    test('rows of a Session already closed fail with the error that says what is not loaded', async (t) => {
      const { get, lines } = await serve(t, dialect, 2)
      for (const path of ['/closed/teams/', '/closing/teams/']) {
        lines.length = 0
        const answer = await get(path)
        assert.deepEqual([answer.status, answer.body], [500, { detail: 'Internal Server Error' }], path)
        assert.equal(answer.selects.length, 1, 'no load is tried without an open Session')
        const logged = lines.map((line) => JSON.parse(line) as { msg: string; err?: { type: string } })
        assert.equal(logged.length, 1)
        assert.match(logged[0]!.msg, /^Team\.heroes is not loaded\. Load it with the query/)
        assert.equal(logged[0]!.err?.type, 'RelationshipNotLoadedError')
      }
    })
  })
}
