/**
 * Response models and error answers: a secret field never leaves the server (alone, in a list, nested),
 * extra keys are dropped, a result that fails its model is a 500 whose log names the route and field but no
 * value, success statuses, HTTPError, and errors of the model and database layers as 422, 409, 400 and 404.
 */
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { describe, test } from 'node:test'
import { inspect } from 'node:util'
import {
  body,
  createAll,
  createApp,
  createEngine,
  depends,
  field,
  HTTPError,
  list,
  ResponseValidationError,
  Metadata,
  model,
  path,
  query,
  select,
  Session,
  table,
  ValidationError,
  type App,
} from 'onemodel-ts'
import { tempSqliteUrl } from '../support/sqlite.ts'

const SECRET = 'Dive Wilson'
const TEAM_SECRET = 'Sister Margaret’s Bar'

const metadata = new Metadata()
const Hero = table(
  'hero',
  model('Hero', {
    id: field.integer({ primaryKey: true }),
    name: field.string({ unique: true }),
    secret_name: field.string({ secret: true }),
    age: field.integer({ nullable: true, default: null }),
  }),
  { metadata },
)
const HeroCreate = Hero.omit('HeroCreate', 'id')
const HeroPublic = Hero.omit('HeroPublic', 'secret_name')
const TeamPublic = model('TeamPublic', { id: field.integer(), name: field.string() })
const HeroPublicWithTeam = HeroPublic.extend('HeroPublicWithTeam', {
  team: field.model(TeamPublic, { nullable: true, default: null }),
})
const TeamPublicWithHeroes = TeamPublic.extend('TeamPublicWithHeroes', {
  heroes: field.list(HeroPublic, { default: [] }),
})

const deadpond = { id: 1, name: 'Deadpond', secret_name: SECRET, age: null, internal_note: 'drop me' }
const rusty = { id: 2, name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 }
const team = { id: 1, name: 'Preventers', headquarters: TEAM_SECRET }

/** A logger writing into `lines`, as a test passes `logger: { level: 'error', stream }` to createApp. */
function capturedLogger() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean))
      done()
    },
  })
  return { lines, logger: { level: 'error', stream } }
}

async function send(app: App, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown) {
  const response = await app.inject({
    method,
    url,
    ...(payload === undefined
      ? {}
      : { payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } }),
  })
  return response
}

describe('response models filter what leaves the server', () => {
  test('a secret field is never in the body, and the other fields are exactly the model’s', async () => {
    const app = createApp()
    app.get('/hero', { response: HeroPublic }, () => deadpond)
    const response = await send(app, 'GET', '/hero')
    assert.equal(response.statusCode, 200)
    assert.match(String(response.headers['content-type']), /^application\/json/)
    assert.deepEqual(response.json(), { id: 1, name: 'Deadpond', age: null })
    assert.ok(!response.body.includes(SECRET), response.body)
    assert.ok(!response.body.includes('internal_note'), 'an extra key is dropped')
  })

  test('in a list: every item is filtered', async () => {
    const app = createApp()
    app.get('/heroes', { response: list(HeroPublic) }, () => [deadpond, rusty])
    const response = await send(app, 'GET', '/heroes')
    assert.deepEqual(response.json(), [
      { id: 1, name: 'Deadpond', age: null },
      { id: 2, name: 'Rusty-Man', age: 48 },
    ])
    assert.ok(!response.body.includes(SECRET) && !response.body.includes('Tommy Sharp'), response.body)
  })

  test('an empty list is []', async () => {
    const app = createApp()
    app.get('/heroes', { response: list(HeroPublic) }, () => [])
    assert.equal((await send(app, 'GET', '/heroes')).body, '[]')
  })

  test('nested with field.model: the nested object holds only its model’s fields', async () => {
    const app = createApp()
    app.get('/hero', { response: HeroPublicWithTeam }, () => ({ ...deadpond, team }))
    const response = await send(app, 'GET', '/hero')
    assert.deepEqual(response.json(), {
      id: 1,
      name: 'Deadpond',
      age: null,
      team: { id: 1, name: 'Preventers' },
    })
    assert.ok(!response.body.includes(SECRET) && !response.body.includes('Sister Margaret'), response.body)
  })

  test('nested with field.model: a null or absent team is null', async () => {
    const app = createApp()
    app.get('/heroes', { response: list(HeroPublicWithTeam) }, () => [
      { ...deadpond, team: null },
      rusty as never, // a row without the field: its default applies
    ])
    assert.deepEqual((await send(app, 'GET', '/heroes')).json(), [
      { id: 1, name: 'Deadpond', age: null, team: null },
      { id: 2, name: 'Rusty-Man', age: 48, team: null },
    ])
  })

  test('nested with field.list: every nested row is filtered', async () => {
    const app = createApp()
    app.get('/team', { response: TeamPublicWithHeroes }, () => ({ ...team, heroes: [deadpond, rusty] }))
    const response = await send(app, 'GET', '/team')
    assert.deepEqual(response.json(), {
      id: 1,
      name: 'Preventers',
      heroes: [
        { id: 1, name: 'Deadpond', age: null },
        { id: 2, name: 'Rusty-Man', age: 48 },
      ],
    })
    for (const secret of [SECRET, 'Tommy Sharp', 'Sister Margaret', 'internal_note']) {
      assert.ok(!response.body.includes(secret), `${secret} leaked: ${response.body}`)
    }
  })

  test('a list of teams each with heroes: filtered at every level', async () => {
    const app = createApp()
    app.get('/teams', { response: list(TeamPublicWithHeroes) }, () => [
      { ...team, heroes: [deadpond] },
      { id: 2, name: 'Z-Force', headquarters: 'Sister Margaret', heroes: [] },
    ])
    const response = await send(app, 'GET', '/teams')
    assert.deepEqual(response.json(), [
      { id: 1, name: 'Preventers', heroes: [{ id: 1, name: 'Deadpond', age: null }] },
      { id: 2, name: 'Z-Force', heroes: [] },
    ])
    assert.ok(!response.body.includes(SECRET) && !response.body.includes('Sister Margaret'), response.body)
  })

  test('rows read by a Session are filtered too', async () => {
    const engine = createEngine(tempSqliteUrl())
    await using _ = engine
    await createAll(engine, { metadata })
    await using seed = new Session(engine)
    seed.add(Hero.create({ name: 'Deadpond', secret_name: SECRET }))
    await seed.commit()
    const getSession = depends(async function* getSession() {
      await using session = new Session(engine)
      yield session
    })
    const app = createApp()
    app.get(
      '/heroes/{hero_id}',
      { params: { hero_id: path.integer(), session: getSession }, response: HeroPublic },
      async ({ hero_id, session }) =>
        (await session.get(Hero, hero_id)) ?? HTTPError.raise(404, 'Hero not found'),
    )
    const response = await send(app, 'GET', '/heroes/1')
    assert.deepEqual(response.json(), { id: 1, name: 'Deadpond', age: null })
    assert.ok(!response.body.includes(SECRET))
    assert.deepEqual((await send(app, 'GET', '/heroes/2')).json(), { detail: 'Hero not found' })
    await app.close()
  })

  test('a datetime field is written as ISO 8601 text', async () => {
    const Event = model('Event', { at: field.datetime() })
    const app = createApp()
    app.get('/event', { response: Event }, () => ({ at: new Date(Date.UTC(2024, 4, 6, 7, 8, 9)) }))
    assert.deepEqual((await send(app, 'GET', '/event')).json(), { at: '2024-05-06T07:08:09.000Z' })
  })

  test('without a response model, the result is sent as JSON as it is', async () => {
    const app = createApp()
    app.get('/raw', {}, () => ({ a: [1, 'two'], b: null }))
    app.get('/nothing', {}, () => undefined)
    assert.deepEqual((await send(app, 'GET', '/raw')).json(), { a: [1, 'two'], b: null })
    const nothing = await send(app, 'GET', '/nothing')
    assert.equal(nothing.statusCode, 200)
    assert.equal(nothing.body, 'null')
  })
})

describe('a result that fails its response model', () => {
  function failingApp() {
    const { lines, logger } = capturedLogger()
    const app = createApp({ logger })
    app.get(
      '/heroes/{hero_id}',
      { params: { hero_id: path.integer() }, response: HeroPublic },
      // A bug: the name is missing and the id holds the secret.
      () => ({ id: SECRET, secret_name: SECRET, age: 3 }) as never,
    )
    app.get(
      '/heroes',
      { response: list(HeroPublic) },
      () => [rusty, { ...deadpond, name: undefined }] as never,
    )
    app.get(
      '/team',
      { response: TeamPublicWithHeroes },
      () => ({ ...team, heroes: [{ id: 3, secret_name: SECRET }] }) as never,
    )
    app.get('/not-a-list', { response: list(HeroPublic) }, () => ({ secret_name: SECRET }) as never)
    return { app, lines }
  }

  test('is a 500 with only {"detail":"Internal Server Error"}', async () => {
    const { app } = failingApp()
    for (const url of ['/heroes/1', '/heroes', '/team', '/not-a-list']) {
      const response = await send(app, 'GET', url)
      assert.equal(response.statusCode, 500, url)
      assert.match(String(response.headers['content-type']), /^application\/json/)
      assert.equal(response.body, '{"detail":"Internal Server Error"}', url)
    }
  })

  test('the log names the route and the fields, never a value', async () => {
    const { app, lines } = failingApp()
    await send(app, 'GET', '/heroes/1')
    const log = lines.join('\n')
    assert.match(log, /GET \/heroes\/\{hero_id\}/)
    assert.match(log, /HeroPublic/)
    assert.match(log, /response\.id/)
    assert.match(log, /response\.name/)
    assert.ok(!log.includes(SECRET), `the log holds the secret:\n${log}`)
  })

  test('in a list and nested: the log gives the index and the nested field, never a value', async () => {
    const { app, lines } = failingApp()
    await send(app, 'GET', '/heroes')
    await send(app, 'GET', '/team')
    await send(app, 'GET', '/not-a-list')
    const log = lines.join('\n')
    assert.match(log, /GET \/heroes/)
    assert.match(log, /response\.1\.name/)
    assert.match(log, /GET \/team/)
    assert.match(log, /response\.heroes\.0\.name/)
    assert.match(log, /GET \/not-a-list/)
    assert.ok(!log.includes(SECRET), `the log holds the secret:\n${log}`)
    assert.ok(!log.includes('Tommy Sharp'), `the log holds a secret:\n${log}`)
  })

  test('without a logger, what goes to stderr holds no value either', async (t) => {
    const errors = t.mock.method(console, 'error', () => {})
    const app = createApp()
    app.get('/hero', { response: HeroPublic }, () => ({ id: 1, secret_name: SECRET }) as never)
    assert.equal((await send(app, 'GET', '/hero')).statusCode, 500)
    const printed = errors.mock.calls.map((call) =>
      call.arguments.map((a) => inspect(a, { depth: 10 })).join(' '),
    )
    assert.ok(printed.length > 0, 'the failure is reported')
    assert.match(printed.join('\n'), /GET \/hero/)
    assert.ok(!printed.join('\n').includes(SECRET), `stderr holds the secret:\n${printed.join('\n')}`)
  })
  test('a JSON field holding what JSON cannot write fails its model, rather than going missing', async (t) => {
    t.mock.method(console, 'error', () => {})
    const Out = model('Out', {
      name: field.string(),
      data: field.json(),
      toJSON: field.json({ nullable: true, default: null }),
    })
    const app = createApp()
    app.get('/function', { response: Out }, () => ({ name: 'x', data: () => 1 }) as never)
    app.get('/symbol', { response: Out }, () => ({ name: 'x', data: Symbol('s') }) as never)
    // A field named toJSON holding a function would have replaced the whole answer.
    app.get(
      '/to-json',
      { response: Out },
      () => ({ name: 'x', data: 1, toJSON: () => ({ hacked: true }) }) as never,
    )
    for (const url of ['/function', '/symbol', '/to-json']) {
      const response = await send(app, 'GET', url)
      assert.equal(response.statusCode, 500, url)
      assert.equal(response.body, '{"detail":"Internal Server Error"}', url)
    }
    assert.equal(Out.safeValidate({ name: 'x', data: () => 1 }).success, false, 'validate() agrees')
  })

  test('a field named __proto__ is written as a field, not taken for the prototype', async () => {
    const Odd = model('Odd', { ['__proto__']: field.string(), name: field.string() })
    const app = createApp()
    app.get('/odd', { response: Odd }, () => JSON.parse('{"__proto__":"x","name":"n","extra":1}'))
    const response = await send(app, 'GET', '/odd')
    assert.equal(response.statusCode, 200)
    assert.equal(response.body, '{"__proto__":"x","name":"n"}')
  })

  test('field names that are not identifiers are written as the names they are, and never run', async () => {
    const names = ['a"b', 'c\\d', "e'f", 'g}; throw 1; {', '</script>', 'line\u2028sep', '0', 'constructor']
    const Odd = model('OddNames', Object.fromEntries(names.map((name) => [name, field.string()])))
    const Wrapper = model('OddWrapper', { odd: field.model(Odd), optional: field.string() }).partial(
      'OddUpdate',
    )
    const app = createApp()
    const odd = Object.fromEntries(names.map((name, i) => [name, `value ${i}`]))
    app.get('/odd', { response: Wrapper }, () => ({ odd: { ...odd, extra: 'not in the model' } }))
    const response = await send(app, 'GET', '/odd')
    assert.equal(response.statusCode, 200)
    assert.deepEqual(JSON.parse(response.body), { odd })
    assert.ok(!response.body.includes('optional'), 'an absent optional field stays absent')
  })

  test('ResponseValidationError keeps its issues for code, but not for serializers', () => {
    const issue = {
      type: 'missing',
      loc: ['response', 'name'],
      msg: 'Field required',
      input: { secret_name: SECRET },
    }
    const error = new ResponseValidationError('GET /hero', 'HeroPublic', [issue])
    assert.equal(error.code, 'OM_HTTP_RESPONSE_VALIDATION')
    assert.deepEqual(error.issues, [issue])
    assert.ok(!inspect(error, { depth: 10 }).includes(SECRET))
    assert.ok(!JSON.stringify({ ...error }).includes(SECRET))
  })
})

describe('success statuses', () => {
  test('status: 201 answers 201 with the filtered body, and OpenAPI documents 201', async () => {
    const app = createApp()
    app.post(
      '/heroes',
      { params: { hero: body(HeroCreate) }, response: HeroPublic, status: 201 },
      function createHero({ hero }) {
        return { ...hero, id: 7 }
      },
    )
    const response = await send(app, 'POST', '/heroes', { name: 'Deadpond', secret_name: SECRET })
    assert.equal(response.statusCode, 201)
    assert.deepEqual(response.json(), { id: 7, name: 'Deadpond', age: null })
    const responses = (
      app.openapi().paths as Record<string, { post: { responses: Record<string, unknown> } }>
    )['/heroes']!.post.responses
    assert.deepEqual(Object.keys(responses), ['201', '422'])
  })

  test('status: 204 answers with an empty body', async () => {
    const app = createApp()
    app.delete('/heroes/{hero_id}', { params: { hero_id: path.integer() }, status: 204 }, () => ({
      ok: true,
    }))
    const response = await send(app, 'DELETE', '/heroes/1')
    assert.equal(response.statusCode, 204)
    assert.equal(response.body, '')
    assert.equal(response.headers['content-length'], undefined)
    const responses = (
      app.openapi().paths as Record<string, { delete: { responses: Record<string, unknown> } }>
    )['/heroes/{hero_id}']!.delete.responses
    assert.deepEqual(responses['204'], { description: 'Successful Response' })
  })
})

describe('error answers', () => {
  test('HTTPError: status, detail and headers', async () => {
    const app = createApp()
    app.get('/secure', {}, () => {
      throw new HTTPError(401, 'Not authenticated', { 'WWW-Authenticate': 'Bearer', 'X-Reason': 'no token' })
    })
    app.get('/teapot', {}, () => HTTPError.raise(418))
    app.get('/structured', {}, () => HTTPError.raise(400, { code: 'bad', fields: ['name'] }))
    const secure = await send(app, 'GET', '/secure')
    assert.equal(secure.statusCode, 401)
    assert.equal(secure.headers['www-authenticate'], 'Bearer')
    assert.equal(secure.headers['x-reason'], 'no token')
    assert.deepEqual(secure.json(), { detail: 'Not authenticated' })
    assert.deepEqual((await send(app, 'GET', '/teapot')).json(), { detail: "I'm a Teapot" })
    const structured = await send(app, 'GET', '/structured')
    assert.equal(structured.statusCode, 400)
    assert.deepEqual(structured.json(), { detail: { code: 'bad', fields: ['name'] } })
  })

  test('a ValidationError thrown in a handler is a 422 with its issues', async () => {
    const app = createApp()
    app.post('/heroes/validate', { params: { hero: body(HeroCreate) } }, ({ hero }) =>
      Hero.validate({ ...hero, age: 'old' }),
    )
    const response = await send(app, 'POST', '/heroes/validate', { name: 'Deadpond', secret_name: SECRET })
    assert.equal(response.statusCode, 422)
    assert.deepEqual(response.json(), {
      detail: [
        {
          type: 'int_parsing',
          loc: ['age'],
          msg: 'Input should be a valid integer, unable to parse string as an integer',
          input: 'old',
        },
      ],
    })
  })

  test('a thrown ValidationError is one of the model layer', () => {
    assert.throws(() => Hero.validate({}), ValidationError)
  })

  test('an IntegrityError (a unique violation) is a 409 JSON answer, never a 500', async () => {
    const engine = createEngine(tempSqliteUrl())
    await using _ = engine
    await createAll(engine, { metadata })
    const { lines, logger } = capturedLogger()
    const getSession = depends(async function* getSession() {
      await using session = new Session(engine)
      yield session
    })
    const app = createApp({ logger })
    app.post(
      '/heroes',
      { params: { hero: body(HeroCreate), session: getSession }, response: HeroPublic, status: 201 },
      async function createHero({ hero, session }) {
        const row = Hero.validate(hero)
        session.add(row)
        await session.commit()
        return row
      },
    )
    const first = await send(app, 'POST', '/heroes', { name: 'Deadpond', secret_name: SECRET })
    assert.equal(first.statusCode, 201)
    const again = await send(app, 'POST', '/heroes', { name: 'Deadpond', secret_name: 'Another Secret' })
    assert.equal(again.statusCode, 409)
    assert.match(String(again.headers['content-type']), /^application\/json/)
    const detail = (again.json() as { detail: string }).detail
    assert.match(detail, /^Conflict: a row with the same value already exists/)
    assert.ok(!again.body.includes('Another Secret'), again.body)
    assert.deepEqual(lines, [], 'a conflict is not a server error')
    // The server is fine afterwards.
    const other = await send(app, 'POST', '/heroes', { name: 'Rusty-Man', secret_name: 'Tommy Sharp' })
    assert.equal(other.statusCode, 201)
    await app.close()
  })

  test('a query the ORM refuses (a negative limit from the request) is a 400 JSON answer, never a 500', async () => {
    const engine = createEngine(tempSqliteUrl())
    await using _ = engine
    await createAll(engine, { metadata })
    const { lines, logger } = capturedLogger()
    const app = createApp({ logger })
    app.get(
      '/heroes',
      { params: { limit: query.integer({ default: 10 }) } },
      async function readHeroes({ limit }) {
        await using session = new Session(engine)
        return session.exec(select(Hero).limit(limit)).all()
      },
    )
    const answer = await app.inject('/heroes?limit=-1')
    assert.equal(answer.statusCode, 400)
    assert.deepEqual(answer.json(), { detail: 'Bad Request: limit must be a whole number >= 0' })
    assert.deepEqual(lines, [], 'a refused query is not a server error')
    await app.close()
  })

  test('a StaleDataError (the row was deleted meanwhile) is a 404 JSON answer, never a 500', async () => {
    const engine = createEngine(tempSqliteUrl())
    await using _ = engine
    await createAll(engine, { metadata })
    {
      await using session = new Session(engine)
      session.add(Hero.create({ name: 'Deadpond', secret_name: SECRET }))
      await session.commit()
    }
    const { lines, logger } = capturedLogger()
    const app = createApp({ logger })
    app.post(
      '/heroes/{hero_id}/rename',
      { params: { hero_id: path.integer(), name: query.string() }, response: HeroPublic },
      async function renameHero({ hero_id, name }) {
        await using session = new Session(engine)
        const hero = (await session.get(Hero, hero_id)) ?? HTTPError.raise(404, 'Hero not found')
        // A concurrent request deletes the hero between this handler's read and its write.
        {
          await using other = new Session(engine)
          await other.delete((await other.get(Hero, hero_id))!)
          await other.commit()
        }
        hero.name = name
        await session.commit()
        return hero
      },
    )
    const answer = await send(app, 'POST', '/heroes/1/rename?name=Deadpool')
    assert.deepEqual(
      { status: answer.statusCode, body: answer.json() },
      { status: 404, body: { detail: 'Not Found: the resource was deleted concurrently' } },
    )
    assert.ok(!answer.body.includes(SECRET) && !answer.body.includes('Deadpool'), answer.body)
    assert.deepEqual(lines, [], 'a row deleted meanwhile is not a server error')
    await app.close()
  })
})
