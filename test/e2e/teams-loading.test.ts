/**
 * The queries of the Heroes & Teams API (examples/teams/app.ts), counted from the echoed SQL on every
 * dialect: its handlers return rows, and each route loads what its response model nests with one query
 * for all the rows, so a team with many heroes costs what a team with few does.
 */
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import { teamsApp } from '../../examples/teams/app.ts'
import { DIALECTS } from '../support/dialects.ts'
import { recordSql } from '../support/heroes.ts'

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: the Heroes & Teams API's queries`, () => {
    /** The app on a fresh database, with `heroes` heroes in team 1 and one hero of no team. */
    async function serve(t: TestContext, heroes: number) {
      const recorded = recordSql()
      const teams = teamsApp(await dialect.isolatedUrl(), recorded.options)
      const base = await teams.app.listen({ port: 0, signals: false })
      t.after(() => teams.app.close())
      async function call(method: string, path: string, json?: unknown) {
        recorded.log.length = 0
        const response = await fetch(`${base}${path}`, {
          method,
          headers: json === undefined ? {} : { 'content-type': 'application/json' },
          body: json === undefined ? undefined : JSON.stringify(json),
        })
        const body = (await response.json()) as unknown
        return {
          status: response.status,
          body,
          selects: recorded.log.filter((line) => /^select/i.test(line)),
        }
      }
      await call('POST', '/teams/', { name: 'Preventers', headquarters: 'Sharp Tower' })
      for (let i = 1; i <= heroes; i++)
        await call('POST', '/heroes/', { name: `Hero ${i}`, secret_name: `S${i}`, team_id: 1 })
      await call('POST', '/heroes/', { name: 'Loner', secret_name: 'Nobody' })
      return call
    }

    test('GET /teams/{id} reads the team and all its heroes in 2 queries, whatever their number', async (t) => {
      for (const heroes of [2, 40]) {
        const call = await serve(t, heroes)
        const answer = await call('GET', '/teams/1')
        assert.equal(answer.status, 200)
        assert.equal(answer.selects.length, 2, answer.selects.join('\n'))
        const team = answer.body as { name: string; heroes: { name: string }[] }
        assert.equal(team.name, 'Preventers')
        assert.equal(team.heroes.length, heroes)
        assert.deepEqual(team.heroes[0], { name: 'Hero 1', secret_name: 'S1', age: null, team_id: 1, id: 1 })
      }
    })

    test('GET /heroes/{id} reads the hero and its team in 2 queries; a hero of no team in 1', async (t) => {
      const call = await serve(t, 2)
      const hero = await call('GET', '/heroes/2')
      assert.deepEqual(hero.body, {
        name: 'Hero 2',
        secret_name: 'S2',
        age: null,
        team_id: 1,
        id: 2,
        team: { name: 'Preventers', headquarters: 'Sharp Tower', id: 1 },
      })
      assert.equal(hero.selects.length, 2, hero.selects.join('\n'))
      const loner = await call('GET', '/heroes/3')
      assert.deepEqual(loner.body, {
        name: 'Loner',
        secret_name: 'Nobody',
        age: null,
        team_id: null,
        id: 3,
        team: null,
      })
      assert.equal(loner.selects.length, 1)
    })

    test('GET /teams/ nests no heroes, and reads none: 1 query', async (t) => {
      const call = await serve(t, 5)
      const answer = await call('GET', '/teams/')
      assert.deepEqual(answer.body, [{ name: 'Preventers', headquarters: 'Sharp Tower', id: 1 }])
      assert.equal(answer.selects.length, 1)
    })
  })
}
