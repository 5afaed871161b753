/**
 * Request parameters: each location (path, query, header, cookie) in each form (required, optional, default,
 * list, alias). For each, what the handler receives (with its JS type), the exact 422 body FastAPI would
 * answer, and the OpenAPI parameter. Then the route declarations that cannot work.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  body,
  cookie,
  createApp,
  depends,
  field,
  header,
  model,
  path,
  query,
  RouteDefinitionError,
  type Args,
  type Params,
} from 'onemodel-ts'

/** An app with one GET route whose handler records the arguments it receives. */
function echoApp<const P extends Params>(route: string, params: P) {
  const app = createApp()
  const calls: Args<P>[] = []
  app.get(route, { params }, function echo(args) {
    calls.push(args)
    return { ok: true }
  })
  return { app, calls }
}

/** Sends a GET and returns the status and parsed body. */
async function get(
  app: ReturnType<typeof createApp>,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const response = await app.inject({ method: 'GET', url, headers })
  return { status: response.statusCode, body: response.json() }
}

/** The OpenAPI parameter object named `name` of `GET route`. */
function parameter(app: ReturnType<typeof createApp>, route: string, name: string): unknown {
  const paths = app.openapi().paths as Record<string, { get: { parameters?: { name: string }[] } }>
  const found = paths[route]!.get.parameters?.find((p) => p.name === name)
  assert.ok(found, `no OpenAPI parameter '${name}' on GET ${route}`)
  return found
}

const missing = (loc: (string | number)[]) => ({ type: 'missing', loc, msg: 'Field required', input: null })

const INT_PARSING = 'Input should be a valid integer, unable to parse string as an integer'

describe('path parameters', () => {
  test('required: the handler gets a number from the path segment', async () => {
    const { app, calls } = echoApp('/items/{item_id}', { item_id: path.integer() })
    assert.deepEqual(await get(app, '/items/5'), { status: 200, body: { ok: true } })
    assert.equal(calls.length, 1)
    assert.equal(calls[0]!.item_id, 5)
    assert.equal(typeof calls[0]!.item_id, 'number')
  })

  test('int_parsing: the 422 item names the path parameter and echoes the text', async () => {
    const { app, calls } = echoApp('/items/{item_id}', { item_id: path.integer() })
    assert.deepEqual(await get(app, '/items/foo'), {
      status: 422,
      body: { detail: [{ type: 'int_parsing', loc: ['path', 'item_id'], msg: INT_PARSING, input: 'foo' }] },
    })
    assert.equal(calls.length, 0, 'the handler does not run')
  })

  test('less_than_equal: a constraint failure carries ctx {le}', async () => {
    const { app } = echoApp('/items/{item_id}', { item_id: path.integer({ ge: 1, le: 10 }) })
    assert.deepEqual(await get(app, '/items/11'), {
      status: 422,
      body: {
        detail: [
          {
            type: 'less_than_equal',
            loc: ['path', 'item_id'],
            msg: 'Input should be less than or equal to 10',
            input: '11',
            ctx: { le: 10 },
          },
        ],
      },
    })
    assert.deepEqual((await get(app, '/items/0')).body, {
      detail: [
        {
          type: 'greater_than_equal',
          loc: ['path', 'item_id'],
          msg: 'Input should be greater than or equal to 1',
          input: '0',
          ctx: { ge: 1 },
        },
      ],
    })
  })

  test('a percent-encoded segment arrives decoded', async () => {
    const { app, calls } = echoApp('/files/{name}', { name: path.string() })
    assert.equal((await get(app, '/files/a%20b')).status, 200)
    assert.equal(calls[0]!.name, 'a b')
  })

  test('uuid: normalized to lower case with hyphens; a bad one is uuid_parsing', async () => {
    const { app, calls } = echoApp('/things/{id}', { id: path.uuid() })
    assert.equal((await get(app, '/things/A8098C1A-F86E-11DA-BD1A-00112444BE1E')).status, 200)
    assert.equal(calls[0]!.id, 'a8098c1a-f86e-11da-bd1a-00112444be1e')
    assert.deepEqual((await get(app, '/things/nope')).body, {
      detail: [
        {
          type: 'uuid_parsing',
          loc: ['path', 'id'],
          msg: 'Input should be a valid UUID, invalid format',
          input: 'nope',
          ctx: { error: 'invalid format' },
        },
      ],
    })
  })

  test('alias: the template names the wire name; the handler uses its own', async () => {
    const { app, calls } = echoApp('/users/{userId}', { user_id: path.integer({ alias: 'userId' }) })
    assert.equal((await get(app, '/users/7')).status, 200)
    assert.equal(calls[0]!.user_id, 7)
    assert.deepEqual((await get(app, '/users/x')).body, {
      detail: [{ type: 'int_parsing', loc: ['path', 'userId'], msg: INT_PARSING, input: 'x' }],
    })
    assert.deepEqual(parameter(app, '/users/{userId}', 'userId'), {
      name: 'userId',
      in: 'path',
      required: true,
      schema: { type: 'integer', title: 'Userid' },
    })
  })

  test('OpenAPI: required, with its constraints and a pydantic title', () => {
    const { app } = echoApp('/items/{item_id}', {
      item_id: path.integer({ ge: 1, le: 10, description: 'The item' }),
    })
    assert.deepEqual(parameter(app, '/items/{item_id}', 'item_id'), {
      name: 'item_id',
      in: 'path',
      required: true,
      description: 'The item',
      schema: { type: 'integer', minimum: 1, maximum: 10, description: 'The item', title: 'Item Id' },
    })
  })
})

describe('query parameters', () => {
  test('required: present gives the coerced value; absent is missing with input null', async () => {
    const { app, calls } = echoApp('/items', { limit: query.integer() })
    assert.equal((await get(app, '/items?limit=5')).status, 200)
    assert.equal(calls[0]!.limit, 5)
    assert.deepEqual(await get(app, '/items'), {
      status: 422,
      body: { detail: [missing(['query', 'limit'])] },
    })
    assert.deepEqual(parameter(app, '/items', 'limit'), {
      name: 'limit',
      in: 'query',
      required: true,
      schema: { type: 'integer', title: 'Limit' },
    })
  })

  test('an empty value is present, not missing: int_parsing with input ""', async () => {
    const { app } = echoApp('/items', { limit: query.integer({ default: 10 }) })
    assert.deepEqual((await get(app, '/items?limit=')).body, {
      detail: [{ type: 'int_parsing', loc: ['query', 'limit'], msg: INT_PARSING, input: '' }],
    })
  })

  test('optional: absent gives undefined; a present value is still validated', async () => {
    const { app, calls } = echoApp('/items', { q: query.string({ optional: true, minLength: 3 }) })
    assert.equal((await get(app, '/items')).status, 200)
    assert.equal(calls[0]!.q, undefined)
    assert.ok('q' in calls[0]!, 'the key is there, with undefined')
    assert.equal((await get(app, '/items?q=abc')).status, 200)
    assert.equal(calls[1]!.q, 'abc')
    assert.deepEqual(await get(app, '/items?q=ab'), {
      status: 422,
      body: {
        detail: [
          {
            type: 'string_too_short',
            loc: ['query', 'q'],
            msg: 'String should have at least 3 characters',
            input: 'ab',
            ctx: { min_length: 3 },
          },
        ],
      },
    })
    assert.deepEqual(parameter(app, '/items', 'q'), {
      name: 'q',
      in: 'query',
      required: false,
      schema: { type: 'string', minLength: 3, title: 'Q' },
    })
  })

  test('default: absent gives the default; present gives the number from text', async () => {
    const { app, calls } = echoApp('/items', { offset: query.integer({ default: 0, ge: 0 }) })
    await get(app, '/items')
    await get(app, '/items?offset=20')
    assert.deepEqual(
      calls.map((c) => c.offset),
      [0, 20],
    )
    assert.deepEqual((await get(app, '/items?offset=-1')).body, {
      detail: [
        {
          type: 'greater_than_equal',
          loc: ['query', 'offset'],
          msg: 'Input should be greater than or equal to 0',
          input: '-1',
          ctx: { ge: 0 },
        },
      ],
    })
    assert.deepEqual(parameter(app, '/items', 'offset'), {
      name: 'offset',
      in: 'query',
      required: false,
      schema: { type: 'integer', minimum: 0, default: 0, title: 'Offset' },
    })
  })

  test('gt and lt: strict bounds, ctx {gt} and {lt}', async () => {
    const { app } = echoApp('/n', { x: query.number({ gt: 0, lt: 1 }) })
    assert.equal((await get(app, '/n?x=0.5')).status, 200)
    assert.deepEqual((await get(app, '/n?x=0')).body, {
      detail: [
        {
          type: 'greater_than',
          loc: ['query', 'x'],
          msg: 'Input should be greater than 0',
          input: '0',
          ctx: { gt: 0 },
        },
      ],
    })
    assert.deepEqual((await get(app, '/n?x=1')).body, {
      detail: [
        {
          type: 'less_than',
          loc: ['query', 'x'],
          msg: 'Input should be less than 1',
          input: '1',
          ctx: { lt: 1 },
        },
      ],
    })
    assert.deepEqual((parameter(app, '/n', 'x') as { schema: unknown }).schema, {
      type: 'number',
      exclusiveMinimum: 0,
      exclusiveMaximum: 1,
      title: 'X',
    })
  })

  test('each scalar kind arrives with its JS type', async () => {
    const { app, calls } = echoApp('/kinds', {
      i: query.integer(),
      n: query.number(),
      b: query.boolean(),
      off: query.boolean(),
      at: query.datetime(),
      day: query.date(),
      id: query.uuid(),
      color: query.enum(['red', 'green']),
      s: query.string(),
    })
    const url =
      '/kinds?i=5&n=2.5&b=yes&off=off&at=2024-05-06T07:08:09Z&day=2024-05-06' +
      '&id=a8098c1a-f86e-11da-bd1a-00112444be1e&color=green&s=42'
    assert.equal((await get(app, url)).status, 200)
    const args = calls[0]!
    assert.equal(args.i, 5)
    assert.equal(args.n, 2.5)
    assert.equal(args.b, true)
    assert.equal(args.off, false)
    assert.ok(args.at instanceof Date, 'a datetime is a Date')
    assert.equal(args.at.toISOString(), '2024-05-06T07:08:09.000Z')
    assert.equal(args.day, '2024-05-06')
    assert.equal(args.id, 'a8098c1a-f86e-11da-bd1a-00112444be1e')
    assert.equal(args.color, 'green')
    assert.equal(args.s, '42', 'a string parameter keeps digits as text')
  })

  test('a datetime without an offset is UTC, one with an offset is converted', async () => {
    const { app, calls } = echoApp('/at', { at: query.datetime() })
    await get(app, '/at?at=2024-05-06T07:08:09')
    await get(app, '/at?at=2024-05-06T07:08:09%2B02:00')
    assert.deepEqual(
      calls.map((c) => c.at.toISOString()),
      ['2024-05-06T07:08:09.000Z', '2024-05-06T05:08:09.000Z'],
    )
  })

  test('bool_parsing, datetime_parsing and literal_error items', async () => {
    const { app } = echoApp('/kinds', {
      b: query.boolean(),
      at: query.datetime(),
      color: query.enum(['red', 'green', 'blue']),
    })
    assert.deepEqual((await get(app, '/kinds?b=maybe&at=yesterday&color=pink')).body, {
      detail: [
        {
          type: 'bool_parsing',
          loc: ['query', 'b'],
          msg: 'Input should be a valid boolean, unable to interpret input',
          input: 'maybe',
        },
        {
          type: 'datetime_parsing',
          loc: ['query', 'at'],
          msg: 'Input should be a valid datetime, invalid datetime format',
          input: 'yesterday',
          ctx: { error: 'invalid datetime format' },
        },
        {
          type: 'literal_error',
          loc: ['query', 'color'],
          msg: "Input should be 'red', 'green' or 'blue'",
          input: 'pink',
          ctx: { expected: "'red', 'green' or 'blue'" },
        },
      ],
    })
    assert.deepEqual((parameter(app, '/kinds', 'color') as { schema: unknown }).schema, {
      type: 'string',
      enum: ['red', 'green', 'blue'],
      title: 'Color',
    })
    assert.deepEqual((parameter(app, '/kinds', 'at') as { schema: unknown }).schema, {
      type: 'string',
      format: 'date-time',
      title: 'At',
    })
  })

  test('string_pattern_mismatch and string_too_long', async () => {
    const { app } = echoApp('/s', { code: query.string({ pattern: '^[A-Z]{3}$', maxLength: 3 }) })
    assert.equal((await get(app, '/s?code=ABC')).status, 200)
    assert.deepEqual((await get(app, '/s?code=abc')).body, {
      detail: [
        {
          type: 'string_pattern_mismatch',
          loc: ['query', 'code'],
          msg: "String should match pattern '^[A-Z]{3}$'",
          input: 'abc',
          ctx: { pattern: '^[A-Z]{3}$' },
        },
      ],
    })
    const tooLong = (await get(app, '/s?code=ABCD')).body as { detail: { type: string }[] }
    assert.equal(tooLong.detail.length, 1)
    assert.ok(['string_too_long', 'string_pattern_mismatch'].includes(tooLong.detail[0]!.type))
    assert.deepEqual((parameter(app, '/s', 'code') as { schema: unknown }).schema, {
      type: 'string',
      pattern: '^[A-Z]{3}$',
      maxLength: 3,
      title: 'Code',
    })
  })

  test('a repeated scalar parameter takes the last value', async () => {
    const { app, calls } = echoApp('/items', { limit: query.integer(), q: query.string() })
    await get(app, '/items?limit=1&limit=2&limit=3&q=a&q=b')
    assert.equal(calls[0]!.limit, 3)
    assert.equal(calls[0]!.q, 'b')
    // Only the last one is validated, as FastAPI does.
    assert.equal((await get(app, '/items?limit=x&limit=4&q=a')).status, 200)
    assert.deepEqual((await get(app, '/items?limit=4&limit=x&q=a')).body, {
      detail: [{ type: 'int_parsing', loc: ['query', 'limit'], msg: INT_PARSING, input: 'x' }],
    })
  })

  test('list: every value, each coerced; a bad item has its index in loc', async () => {
    const { app, calls } = echoApp('/items', { tag: query.list(field.integer({ ge: 0 })) })
    await get(app, '/items?tag=1&tag=2')
    await get(app, '/items?tag=3')
    assert.deepEqual(calls[0]!.tag, [1, 2])
    assert.deepEqual(calls[1]!.tag, [3], 'a single value is a list of one')
    assert.deepEqual(await get(app, '/items?tag=1&tag=x&tag=-1'), {
      status: 422,
      body: {
        detail: [
          { type: 'int_parsing', loc: ['query', 'tag', 1], msg: INT_PARSING, input: 'x' },
          {
            type: 'greater_than_equal',
            loc: ['query', 'tag', 2],
            msg: 'Input should be greater than or equal to 0',
            input: '-1',
            ctx: { ge: 0 },
          },
        ],
      },
    })
    assert.deepEqual((await get(app, '/items')).body, { detail: [missing(['query', 'tag'])] })
    assert.deepEqual(parameter(app, '/items', 'tag'), {
      name: 'tag',
      in: 'query',
      required: true,
      schema: { type: 'array', items: { type: 'integer', minimum: 0 }, title: 'Tag' },
    })
  })

  test('list with a default: absent gives a fresh copy, which a handler cannot change for the next request', async () => {
    const app = createApp()
    const seen: string[][] = []
    app.get('/items', { params: { tag: query.list(field.string(), { default: ['a'] }) } }, ({ tag }) => {
      seen.push([...tag])
      tag.push('changed')
      return tag
    })
    assert.deepEqual((await get(app, '/items')).body, ['a', 'changed'])
    assert.deepEqual((await get(app, '/items')).body, ['a', 'changed'])
    assert.deepEqual(seen, [['a'], ['a']])
    assert.deepEqual(parameter(app, '/items', 'tag'), {
      name: 'tag',
      in: 'query',
      required: false,
      schema: { type: 'array', items: { type: 'string' }, default: ['a'], title: 'Tag' },
    })
  })

  test('optional list: absent gives undefined', async () => {
    const { app, calls } = echoApp('/items', { tag: query.list(field.string(), { optional: true }) })
    await get(app, '/items')
    assert.equal(calls[0]!.tag, undefined)
  })

  test('alias: read under the alias only; loc and OpenAPI use the alias', async () => {
    const { app, calls } = echoApp('/items', { q: query.string({ alias: 'item-query', default: 'none' }) })
    await get(app, '/items?item-query=foo')
    await get(app, '/items?q=ignored')
    assert.deepEqual(
      calls.map((c) => c.q),
      ['foo', 'none'],
    )
    const { app: required } = echoApp('/r', { q: query.string({ alias: 'item-query' }) })
    assert.deepEqual((await get(required, '/r?q=x')).body, { detail: [missing(['query', 'item-query'])] })
    assert.deepEqual(parameter(app, '/items', 'item-query'), {
      name: 'item-query',
      in: 'query',
      required: false,
      schema: { type: 'string', default: 'none', title: 'Item-Query' },
    })
  })

  test('names that are not identifiers reach the handler and its dependencies as the names they are', async () => {
    const names = ['a"b', 'c\\d', 'e}); throw 1; ({', '__proto__', 'constructor', '0']
    const params = Object.fromEntries(names.map((name) => [name, query.string()]))
    const seen = depends(params, function seen(args) {
      return args
    })
    const app = createApp()
    const calls: Record<string, unknown>[] = []
    app.get('/odd', { params: { ...params, seen } }, function odd(args) {
      calls.push(args)
      return { ok: true }
    })
    const search = new URLSearchParams(names.map((name, i): [string, string] => [name, `value ${i}`]))
    assert.equal((await get(app, `/odd?${search}`)).status, 200)
    const expected = Object.fromEntries(names.map((name, i) => [name, `value ${i}`]))
    const { seen: fromDependency, ...fromRoute } = calls[0]!
    for (const args of [fromRoute, fromDependency as Record<string, unknown>]) {
      assert.deepEqual({ ...args }, expected)
      assert.ok(Object.hasOwn(args, '__proto__'), '__proto__ is an own argument, not the prototype')
      assert.equal(Object.getPrototypeOf(args), Object.prototype)
    }
  })

  test('list with an alias: loc of a bad item uses the alias', async () => {
    const { app, calls } = echoApp('/items', { tags: query.list(field.integer(), { alias: 'tag' }) })
    await get(app, '/items?tag=1&tag=2')
    assert.deepEqual(calls[0]!.tags, [1, 2])
    assert.deepEqual((await get(app, '/items?tag=1&tag=z')).body, {
      detail: [{ type: 'int_parsing', loc: ['query', 'tag', 1], msg: INT_PARSING, input: 'z' }],
    })
  })

  test('nullable with a default null: the handler gets null when absent', async () => {
    const { app, calls } = echoApp('/items', { age: query.integer({ nullable: true, default: null }) })
    await get(app, '/items')
    await get(app, '/items?age=3')
    assert.deepEqual(
      calls.map((c) => c.age),
      [null, 3],
    )
    assert.deepEqual((parameter(app, '/items', 'age') as { schema: unknown }).schema, {
      anyOf: [{ type: 'integer' }, { type: 'null' }],
      default: null,
      title: 'Age',
    })
  })

  test('deprecated and description reach the OpenAPI parameter', () => {
    const { app } = echoApp('/items', {
      q: query.string({ optional: true, deprecated: true, description: 'Search text' }),
    })
    assert.deepEqual(parameter(app, '/items', 'q'), {
      name: 'q',
      in: 'query',
      required: false,
      deprecated: true,
      description: 'Search text',
      schema: { type: 'string', description: 'Search text', title: 'Q' },
    })
  })

  test('names of Object.prototype members are not read from the prototype', async () => {
    const { app, calls } = echoApp('/items', {
      toString: query.string({ optional: true }),
      constructor: query.string({ default: 'none' }),
      valueOf: query.integer({ optional: true }),
    })
    assert.deepEqual(await get(app, '/items'), { status: 200, body: { ok: true } })
    assert.deepEqual(calls[0], { toString: undefined, constructor: 'none', valueOf: undefined })
    await get(app, '/items?toString=a&constructor=b&valueOf=3')
    assert.deepEqual(calls[1], { toString: 'a', constructor: 'b', valueOf: 3 })
    const { app: required } = echoApp('/r', { hasOwnProperty: query.string() })
    assert.deepEqual((await get(required, '/r')).body, { detail: [missing(['query', 'hasOwnProperty'])] })
  })
})

describe('header parameters', () => {
  test('required: user_agent reads the user-agent header; loc and OpenAPI use the hyphenated name', async () => {
    const { app, calls } = echoApp('/h', { user_agent: header.string(), accept_language: header.string() })
    assert.equal((await get(app, '/h', { 'user-agent': 'curl/8', 'accept-language': 'fr' })).status, 200)
    assert.equal(calls[0]!.user_agent, 'curl/8')
    assert.equal(calls[0]!.accept_language, 'fr')
    assert.deepEqual(await get(app, '/h', { 'user-agent': 'curl/8' }), {
      status: 422,
      body: { detail: [missing(['header', 'accept-language'])] },
    })
    assert.deepEqual(parameter(app, '/h', 'user-agent'), {
      name: 'user-agent',
      in: 'header',
      required: true,
      schema: { type: 'string', title: 'User-Agent' },
    })
  })

  test('an underscore header on the wire is not the parameter', async () => {
    const { app } = echoApp('/h', { accept_language: header.string() })
    assert.deepEqual((await get(app, '/h', { accept_language: 'fr' })).body, {
      detail: [missing(['header', 'accept-language'])],
    })
  })

  test('header names are case-insensitive on the wire', async () => {
    const { app, calls } = echoApp('/h', { x_request_count: header.integer() })
    await get(app, '/h', { 'X-Request-Count': '5' })
    assert.equal(calls[0]!.x_request_count, 5)
    assert.deepEqual((await get(app, '/h', { 'x-request-count': 'five' })).body, {
      detail: [{ type: 'int_parsing', loc: ['header', 'x-request-count'], msg: INT_PARSING, input: 'five' }],
    })
  })

  test('optional and default', async () => {
    const { app, calls } = echoApp('/h', {
      x_trace: header.string({ optional: true }),
      x_debug: header.boolean({ default: false }),
    })
    await get(app, '/h')
    await get(app, '/h', { 'x-trace': 't1', 'x-debug': 'yes' })
    assert.deepEqual(calls, [
      { x_trace: undefined, x_debug: false },
      { x_trace: 't1', x_debug: true },
    ])
    assert.deepEqual(parameter(app, '/h', 'x-debug'), {
      name: 'x-debug',
      in: 'header',
      required: false,
      schema: { type: 'boolean', default: false, title: 'X-Debug' },
    })
  })

  test('alias: used as given, no underscore conversion; loc keeps its case', async () => {
    const { app, calls } = echoApp('/h', { token: header.string({ alias: 'X-Token' }) })
    await get(app, '/h', { 'x-token': 'secret-token' })
    assert.equal(calls[0]!.token, 'secret-token')
    assert.deepEqual((await get(app, '/h')).body, { detail: [missing(['header', 'X-Token'])] })
    assert.deepEqual(parameter(app, '/h', 'X-Token'), {
      name: 'X-Token',
      in: 'header',
      required: true,
      schema: { type: 'string', title: 'X-Token' },
    })
  })
})

describe('cookie parameters', () => {
  test('required: read from the Cookie header; absent is missing', async () => {
    const { app, calls } = echoApp('/c', { session_id: cookie.string() })
    await get(app, '/c', { cookie: 'other=1; session_id=abc' })
    assert.equal(calls[0]!.session_id, 'abc')
    assert.deepEqual(await get(app, '/c', { cookie: 'other=1' }), {
      status: 422,
      body: { detail: [missing(['cookie', 'session_id'])] },
    })
    assert.deepEqual(parameter(app, '/c', 'session_id'), {
      name: 'session_id',
      in: 'cookie',
      required: true,
      schema: { type: 'string', title: 'Session Id' },
    })
  })

  test('coerced like any parameter: an integer cookie, and int_parsing', async () => {
    const { app, calls } = echoApp('/c', { visits: cookie.integer() })
    await get(app, '/c', { cookie: 'visits=5' })
    assert.equal(calls[0]!.visits, 5)
    assert.deepEqual((await get(app, '/c', { cookie: 'visits=many' })).body, {
      detail: [{ type: 'int_parsing', loc: ['cookie', 'visits'], msg: INT_PARSING, input: 'many' }],
    })
  })

  test('optional, default, and a percent-encoded value', async () => {
    const { app, calls } = echoApp('/c', {
      theme: cookie.enum(['light', 'dark'], { default: 'light' }),
      name: cookie.string({ optional: true }),
    })
    await get(app, '/c')
    await get(app, '/c', { cookie: 'theme=dark; name=Dive%20Wilson' })
    assert.deepEqual(calls, [
      { theme: 'light', name: undefined },
      { theme: 'dark', name: 'Dive Wilson' },
    ])
  })

  test('alias: the cookie name differs from the handler name; no hyphen conversion', async () => {
    const { app, calls } = echoApp('/c', { session_id: cookie.string({ alias: 'session-id' }) })
    await get(app, '/c', { cookie: 'session-id=s1; session_id=wrong' })
    assert.equal(calls[0]!.session_id, 's1')
    assert.deepEqual((await get(app, '/c', { cookie: 'session_id=s1' })).body, {
      detail: [missing(['cookie', 'session-id'])],
    })
    assert.deepEqual(parameter(app, '/c', 'session-id'), {
      name: 'session-id',
      in: 'cookie',
      required: true,
      schema: { type: 'string', title: 'Session-Id' },
    })
  })
})

describe('several locations at once', () => {
  test('every invalid parameter is reported in one 422, and the handler does not run', async () => {
    const { app, calls } = echoApp('/items/{item_id}', {
      item_id: path.integer(),
      q: query.string(),
      x_token: header.string(),
      session: cookie.string(),
    })
    const { status, body: answer } = await get(app, '/items/abc')
    assert.equal(status, 422)
    assert.deepEqual(answer, {
      detail: [
        { type: 'int_parsing', loc: ['path', 'item_id'], msg: INT_PARSING, input: 'abc' },
        missing(['query', 'q']),
        missing(['header', 'x-token']),
        missing(['cookie', 'session']),
      ],
    })
    assert.equal(calls.length, 0)
  })

  test('the same name in two locations is two parameters', async () => {
    const { app, calls } = echoApp('/items/{id}', {
      id: path.integer(),
      query_id: query.integer({ alias: 'id' }),
      header_id: header.integer({ alias: 'id' }),
    })
    await get(app, '/items/1?id=2', { id: '3' })
    assert.deepEqual(calls[0], { id: 1, query_id: 2, header_id: 3 })
    const parameters = (app.openapi().paths as Record<string, { get: { parameters: unknown[] } }>)[
      '/items/{id}'
    ]!.get.parameters
    assert.deepEqual(
      parameters.map((p) => [(p as { in: string }).in, (p as { name: string }).name]),
      [
        ['path', 'id'],
        ['query', 'id'],
        ['header', 'id'],
      ],
    )
  })
})

describe('route declaration errors', () => {
  const Hero = model('Hero', { name: field.string() })
  const Team = model('Team', { title: field.string() })

  /** Asserts that `declare` throws a RouteDefinitionError whose message matches `message`. */
  function refuses(declare: () => unknown, message: RegExp): void {
    assert.throws(declare, (error: unknown) => {
      assert.ok(
        error instanceof RouteDefinitionError,
        `expected a RouteDefinitionError, got ${String(error)}`,
      )
      assert.equal(error.code, 'OM_HTTP_ROUTE_DEFINITION')
      assert.match(error.message, message)
      return true
    })
  }

  test('a {name} in the path that no parameter declares', () => {
    refuses(
      () => createApp().get('/items/{item_id}', {}, () => null),
      /GET \/items\/\{item_id\}: the path has '\{item_id\}' but no parameter declares it/,
    )
    refuses(
      () => createApp().get('/items/{item_id}', { params: { item_id: query.integer() } }, () => null),
      /no parameter declares it/,
    )
  })

  test('a path parameter that is not in the template', () => {
    refuses(
      () => createApp().get('/items', { params: { item_id: path.integer() } }, () => null),
      /path parameter 'item_id' is not in the path template/,
    )
  })

  test('a path parameter in a dependency is checked against the template too', () => {
    const byId = depends({ item_id: path.integer() }, ({ item_id }) => item_id)
    refuses(
      () => createApp().get('/items', { params: { id: byId } }, () => null),
      /path parameter 'item_id' is not in the path template/,
    )
    assert.doesNotThrow(() => createApp().get('/items/{item_id}', { params: { id: byId } }, () => null))
  })

  test('a path parameter with a default or optional', () => {
    refuses(
      () =>
        createApp().get(
          '/items/{item_id}',
          { params: { item_id: path.integer({ default: 1 }) } },
          () => null,
        ),
      /path parameter 'item_id' cannot have a default or be optional/,
    )
    refuses(
      () =>
        createApp().get(
          '/items/{item_id}',
          { params: { item_id: path.integer({ optional: true }) } },
          () => null,
        ),
      /cannot have a default or be optional/,
    )
  })

  test('two body() parameters, when the route is declared', () => {
    refuses(
      () => createApp().post('/heroes', { params: { hero: body(Hero), team: body(Team) } }, () => null),
      /POST \/heroes: 'team' of the route is a second body\(\) parameter/,
    )
  })

  test('a second body() hidden in a dependency', () => {
    const team = depends({ team: body(Team) }, ({ team }) => team)
    refuses(
      () => createApp().post('/heroes', { params: { hero: body(Hero), team } }, () => null),
      /second body\(\) parameter/,
    )
  })

  test('a value that is not a parameter', () => {
    refuses(
      () => createApp().get('/items', { params: { limit: 10 as never } }, () => null),
      /'limit' of the route is not a parameter/,
    )
  })

  test('a route added after the app started', async () => {
    const app = createApp()
    app.get('/a', {}, () => null)
    await app.ready()
    try {
      refuses(() => app.get('/b', {}, () => null), /GET \/b: routes must be added before the app starts/)
    } finally {
      await app.close()
    }
  })

  test('a duplicate route', () => {
    const app = createApp()
    app.get('/items', {}, () => null)
    refuses(() => app.get('/items', {}, () => null), /GET \/items is declared twice/)
    assert.doesNotThrow(() => app.post('/items', {}, () => null), 'another method of the path is fine')
  })

  test('a duplicate that differs only by a trailing slash or a parameter name', () => {
    const app = createApp()
    app.get('/items', {}, () => null)
    refuses(() => app.get('/items/', {}, () => null), /GET \/items\/ is declared twice/)
    app.get('/items/{item_id}', { params: { item_id: path.integer() } }, () => null)
    refuses(
      () => app.get('/items/{id}', { params: { id: path.integer() } }, () => null),
      /GET \/items\/\{id\} is declared twice/,
    )
  })

  test('a route on the paths of the OpenAPI document or the docs', () => {
    refuses(() => createApp().get('/docs', {}, () => null), /serves its OpenAPI document and docs at/)
    refuses(() => createApp().get('/openapi.json', {}, () => null), /Choose another path/)
    refuses(() => createApp().get('/docs/{file}', { params: { file: path.string() } }, () => null), /docs/)
    assert.doesNotThrow(() => createApp({ docsUrl: '/api-docs' }).get('/docs', {}, () => null))
    assert.doesNotThrow(() => createApp({ openapiUrl: null }).get('/openapi.json', {}, () => null))
  })

  test('a path that does not start with /', () => {
    refuses(() => createApp().get('items', {}, () => null), /a path starts with '\/'/)
  })
})

describe('routes of one path declared with different slashes or parameter names', () => {
  test('GET /items and POST /items/ start, and both answer', async () => {
    const app = createApp()
    app.get('/items', {}, () => 'get')
    app.post('/items/', {}, () => 'post')
    app.get('/items/{item_id}', { params: { item_id: path.integer() } }, ({ item_id }) => item_id)
    app.delete('/items/{id}', { params: { id: path.integer() } }, ({ id }) => -id)
    assert.equal((await app.inject({ method: 'GET', url: '/items' })).json(), 'get')
    assert.equal((await app.inject({ method: 'POST', url: '/items' })).json(), 'post')
    assert.equal((await app.inject({ method: 'GET', url: '/items/3' })).json(), 3)
    assert.equal((await app.inject({ method: 'DELETE', url: '/items/3' })).json(), -3)
    const put = await app.inject({ method: 'PUT', url: '/items/3' })
    assert.equal(put.statusCode, 405)
    assert.equal(put.headers.allow, 'GET, HEAD, DELETE, OPTIONS')
    await app.close()
  })
})
