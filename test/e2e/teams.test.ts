/**
 * The Heroes & Teams API of SQLModel's "FastAPI > Relationships" tutorial (examples/teams/app.ts) on a
 * real port, driven with fetch, on SQLite, PostgreSQL and MySQL: teams and heroes, a hero read with its
 * team, a team read with its heroes, moving and removing heroes, deleting a team, the 404s and 422s and the
 * OpenAPI components. Answers are asserted whole, so their key sets are exact.
 */
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import { teamsApp } from '../../examples/teams/app.ts'
import { DIALECTS } from '../support/dialects.ts'

interface Answer {
  status: number
  body: unknown
}

const PREVENTERS = { name: 'Preventers', headquarters: 'Sharp Tower' }
const Z_FORCE = { name: 'Z-Force', headquarters: "Sister Margaret's Bar" }
const DEADPOND = { name: 'Deadpond', secret_name: 'Dive Wilson' }
const RUSTY_MAN = { name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 }

const heroNotFound = { status: 404, body: { detail: 'Hero not found' } }
const teamNotFound = { status: 404, body: { detail: 'Team not found' } }

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: the Heroes & Teams API over HTTP`, () => {
    async function serve(t: TestContext) {
      const teams = teamsApp(await dialect.isolatedUrl())
      const base = await teams.app.listen({ port: 0, signals: false })
      t.after(() => teams.app.close())
      async function call(method: string, path: string, json?: unknown): Promise<Answer> {
        const response = await fetch(`${base}${path}`, {
          method,
          headers: json === undefined ? {} : { 'content-type': 'application/json' },
          body: json === undefined ? undefined : JSON.stringify(json),
        })
        assert.match(response.headers.get('content-type') ?? '', /^application\/json/, `${method} ${path}`)
        return { status: response.status, body: await response.json() }
      }
      return { call }
    }

    test('teams and heroes: create, read with nesting, move, remove, delete the team', async (t) => {
      const { call } = await serve(t)
      assert.deepEqual(await call('POST', '/teams/', PREVENTERS), {
        status: 200,
        body: { ...PREVENTERS, id: 1 },
      })
      assert.deepEqual(await call('POST', '/teams/', Z_FORCE), { status: 200, body: { ...Z_FORCE, id: 2 } })
      assert.deepEqual(await call('POST', '/heroes/', { ...DEADPOND, team_id: 2 }), {
        status: 200,
        body: { ...DEADPOND, age: null, team_id: 2, id: 1 },
      })
      assert.deepEqual(await call('POST', '/heroes/', { ...RUSTY_MAN, team_id: 1 }), {
        status: 200,
        body: { ...RUSTY_MAN, team_id: 1, id: 2 },
      })

      // A hero with its team, a team with its heroes: HeroPublic here includes secret_name and team_id.
      assert.deepEqual(await call('GET', '/heroes/2'), {
        status: 200,
        body: { ...RUSTY_MAN, team_id: 1, id: 2, team: { ...PREVENTERS, id: 1 } },
      })
      assert.deepEqual(await call('GET', '/teams/2'), {
        status: 200,
        body: { ...Z_FORCE, id: 2, heroes: [{ ...DEADPOND, age: null, team_id: 2, id: 1 }] },
      })

      // Rusty-Man moves to Z-Force: both teams see it.
      assert.deepEqual(await call('PATCH', '/heroes/2', { team_id: 2 }), {
        status: 200,
        body: { ...RUSTY_MAN, team_id: 2, id: 2 },
      })
      assert.deepEqual(await call('GET', '/teams/1'), {
        status: 200,
        body: { ...PREVENTERS, id: 1, heroes: [] },
      })
      assert.deepEqual(await call('GET', '/teams/2'), {
        status: 200,
        body: {
          ...Z_FORCE,
          id: 2,
          heroes: [
            { ...DEADPOND, age: null, team_id: 2, id: 1 },
            { ...RUSTY_MAN, team_id: 2, id: 2 },
          ],
        },
      })

      // Deadpond leaves every team.
      assert.deepEqual(await call('PATCH', '/heroes/1', { team_id: null }), {
        status: 200,
        body: { ...DEADPOND, age: null, team_id: null, id: 1 },
      })
      assert.deepEqual(await call('GET', '/heroes/1'), {
        status: 200,
        body: { ...DEADPOND, age: null, team_id: null, id: 1, team: null },
      })

      // Deleting Z-Force keeps Rusty-Man, with no team.
      assert.deepEqual(await call('DELETE', '/teams/2'), { status: 200, body: { ok: true } })
      assert.deepEqual(await call('GET', '/teams/2'), teamNotFound)
      assert.deepEqual(await call('GET', '/heroes/2'), {
        status: 200,
        body: { ...RUSTY_MAN, team_id: null, id: 2, team: null },
      })
      assert.deepEqual(await call('GET', '/heroes/'), {
        status: 200,
        body: [
          { ...DEADPOND, age: null, team_id: null, id: 1 },
          { ...RUSTY_MAN, team_id: null, id: 2 },
        ],
      })
      assert.deepEqual(await call('GET', '/teams/'), { status: 200, body: [{ ...PREVENTERS, id: 1 }] })
    })

    test('lists page with offset and limit; PATCH and DELETE of a team and of a hero', async (t) => {
      const { call } = await serve(t)
      for (const team of [PREVENTERS, Z_FORCE, { name: 'Wakaland', headquarters: 'Wakaland Capital' }]) {
        assert.equal((await call('POST', '/teams/', team)).status, 200)
      }
      assert.deepEqual(await call('GET', '/teams/?offset=1&limit=1'), {
        status: 200,
        body: [{ ...Z_FORCE, id: 2 }],
      })
      assert.deepEqual(await call('PATCH', '/teams/3', { headquarters: 'Birnin Zana' }), {
        status: 200,
        body: { name: 'Wakaland', headquarters: 'Birnin Zana', id: 3 },
      })
      assert.deepEqual(await call('DELETE', '/teams/3'), { status: 200, body: { ok: true } })
      assert.equal((await call('POST', '/heroes/', { ...DEADPOND, team_id: 1 })).status, 200)
      assert.equal((await call('POST', '/heroes/', RUSTY_MAN)).status, 200)
      assert.deepEqual(await call('GET', '/heroes/?offset=1'), {
        status: 200,
        body: [{ ...RUSTY_MAN, team_id: null, id: 2 }],
      })
      assert.deepEqual(await call('PATCH', '/heroes/2', { age: 49 }), {
        status: 200,
        body: { ...RUSTY_MAN, age: 49, team_id: null, id: 2 },
      })
      assert.deepEqual(await call('DELETE', '/heroes/1'), { status: 200, body: { ok: true } })
      assert.deepEqual(await call('GET', '/teams/1'), {
        status: 200,
        body: { ...PREVENTERS, id: 1, heroes: [] },
      })
    })

    test('missing rows are 404s; bad input is a 422; a team_id naming no team is a 409', async (t) => {
      const { call } = await serve(t)
      assert.deepEqual(await call('GET', '/heroes/1'), heroNotFound)
      assert.deepEqual(await call('PATCH', '/heroes/1', { age: 1 }), heroNotFound)
      assert.deepEqual(await call('DELETE', '/heroes/1'), heroNotFound)
      assert.deepEqual(await call('GET', '/teams/1'), teamNotFound)
      assert.deepEqual(await call('PATCH', '/teams/1', { name: 'X' }), teamNotFound)
      assert.deepEqual(await call('DELETE', '/teams/1'), teamNotFound)

      assert.deepEqual(await call('POST', '/teams/', { name: 'Preventers' }), {
        status: 422,
        body: {
          detail: [
            {
              type: 'missing',
              loc: ['body', 'headquarters'],
              msg: 'Field required',
              input: { name: 'Preventers' },
            },
          ],
        },
      })
      assert.deepEqual(await call('POST', '/heroes/', { ...DEADPOND, team_id: 'one' }), {
        status: 422,
        body: {
          detail: [
            {
              type: 'int_parsing',
              loc: ['body', 'team_id'],
              msg: 'Input should be a valid integer, unable to parse string as an integer',
              input: 'one',
            },
          ],
        },
      })
      assert.equal((await call('GET', '/teams/one')).status, 422)
      assert.equal((await call('GET', '/teams/?limit=101')).status, 422)

      const conflict = await call('POST', '/heroes/', { ...DEADPOND, team_id: 42 })
      assert.equal(conflict.status, 409, JSON.stringify(conflict.body))
      assert.deepEqual(Object.keys(conflict.body as object), ['detail'])
      assert.deepEqual(await call('GET', '/heroes/'), { status: 200, body: [] }, 'nothing was inserted')
    })

    test('/openapi.json has a component for every model, nesting by reference', async (t) => {
      const { call } = await serve(t)
      const { body } = await call('GET', '/openapi.json')
      const doc = body as {
        components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> }
        paths: Record<string, Record<string, { responses: Record<string, unknown> }>>
      }
      const schemas = doc.components.schemas
      assert.deepEqual(Object.keys(schemas).sort(), [
        'HTTPValidationError',
        'HeroCreate',
        'HeroPublic',
        'HeroPublicWithTeam',
        'HeroUpdate',
        'TeamCreate',
        'TeamPublic',
        'TeamPublicWithHeroes',
        'TeamUpdate',
        'ValidationError',
      ])
      const nullableInteger = (title: string) => ({
        anyOf: [{ type: 'integer' }, { type: 'null' }],
        title,
        default: null,
      })
      assert.deepEqual(schemas.HeroPublicWithTeam, {
        type: 'object',
        required: ['name', 'secret_name', 'id'],
        properties: {
          name: { type: 'string', title: 'Name' },
          secret_name: { type: 'string', title: 'Secret Name' },
          age: nullableInteger('Age'),
          team_id: nullableInteger('Team Id'),
          id: { type: 'integer', title: 'Id' },
          team: {
            anyOf: [{ $ref: '#/components/schemas/TeamPublic' }, { type: 'null' }],
            title: 'Team',
            default: null,
          },
        },
        title: 'HeroPublicWithTeam',
      })
      assert.deepEqual(schemas.TeamPublicWithHeroes, {
        type: 'object',
        required: ['name', 'headquarters', 'id'],
        properties: {
          name: { type: 'string', title: 'Name' },
          headquarters: { type: 'string', title: 'Headquarters' },
          id: { type: 'integer', title: 'Id' },
          heroes: {
            type: 'array',
            items: { $ref: '#/components/schemas/HeroPublic' },
            title: 'Heroes',
            default: [],
          },
        },
        title: 'TeamPublicWithHeroes',
      })
      assert.deepEqual(Object.keys(schemas.HeroCreate!.properties), ['name', 'secret_name', 'age', 'team_id'])
      assert.deepEqual(schemas.HeroUpdate!.required, undefined, 'every HeroUpdate field is optional')
      assert.deepEqual(Object.keys(schemas.TeamUpdate!.properties), ['name', 'headquarters'])
      assert.deepEqual(
        Object.fromEntries(Object.entries(doc.paths).map(([path, item]) => [path, Object.keys(item).sort()])),
        {
          '/heroes/': ['get', 'post'],
          '/heroes/{hero_id}': ['delete', 'get', 'patch'],
          '/teams/': ['get', 'post'],
          '/teams/{team_id}': ['delete', 'get', 'patch'],
        },
      )
      assert.deepEqual(doc.paths['/teams/{team_id}']!.get!.responses['200'], {
        description: 'Successful Response',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/TeamPublicWithHeroes' } } },
      })
    })
  })
}
