/**
 * The whole /openapi.json of the Heroes API (examples/heroes/app.ts), against the document FastAPI writes
 * for the tutorial's final app (FastAPI 0.142, pydantic 2.13), with the title set to 'Heroes API'.
 *
 * Where it differs from FastAPI's, on purpose (each marked below):
 * - `"default": null` stays on `age` of HeroCreate and HeroPublic. pydantic's schema has it; FastAPI drops
 *   every `null` of the document when it encodes it (`exclude_none=True`, fastapi/fastapi#5559).
 * - HeroUpdate's `name` and `secret_name` are strings, not `string | null`: `partial()` keeps the types, so
 *   `PATCH {"name": null}` is a 422 rather than a 500 from the NOT NULL column (docs/architecture.md).
 * - `offset` and `limit` have `"minimum": 0`: the example bounds them, so a negative one is a 422.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { heroesApp } from '../../examples/heroes/app.ts'
import { tempSqliteUrl } from '../support/sqlite.ts'

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` })

const json = (schema: object) => ({ 'application/json': { schema } })

const VALIDATION_ERROR_RESPONSE = {
  description: 'Validation Error',
  content: json(ref('HTTPValidationError')),
}

const HERO_ID = { name: 'hero_id', in: 'path', required: true, schema: { type: 'integer', title: 'Hero Id' } }

const NULLABLE_INTEGER = { anyOf: [{ type: 'integer' }, { type: 'null' }] }

const EXPECTED = {
  openapi: '3.1.0',
  info: { title: 'Heroes API', version: '0.1.0' },
  paths: {
    '/heroes/': {
      post: {
        summary: 'Create Hero',
        operationId: 'create_hero_heroes__post',
        requestBody: { required: true, content: json(ref('HeroCreate')) },
        responses: {
          '200': { description: 'Successful Response', content: json(ref('HeroPublic')) },
          '422': VALIDATION_ERROR_RESPONSE,
        },
      },
      get: {
        summary: 'Read Heroes',
        operationId: 'read_heroes_heroes__get',
        parameters: [
          {
            name: 'offset',
            in: 'query',
            required: false,
            // minimum: on purpose, see above
            schema: { type: 'integer', minimum: 0, default: 0, title: 'Offset' },
          },
          {
            name: 'limit',
            in: 'query',
            required: false,
            // minimum: on purpose, see above
            schema: { type: 'integer', minimum: 0, maximum: 100, default: 100, title: 'Limit' },
          },
        ],
        responses: {
          '200': {
            description: 'Successful Response',
            content: json({
              type: 'array',
              items: ref('HeroPublic'),
              title: 'Response Read Heroes Heroes  Get',
            }),
          },
          '422': VALIDATION_ERROR_RESPONSE,
        },
      },
    },
    '/heroes/{hero_id}': {
      get: {
        summary: 'Read Hero',
        operationId: 'read_hero_heroes__hero_id__get',
        parameters: [HERO_ID],
        responses: {
          '200': { description: 'Successful Response', content: json(ref('HeroPublic')) },
          '422': VALIDATION_ERROR_RESPONSE,
        },
      },
      patch: {
        summary: 'Update Hero',
        operationId: 'update_hero_heroes__hero_id__patch',
        parameters: [HERO_ID],
        requestBody: { required: true, content: json(ref('HeroUpdate')) },
        responses: {
          '200': { description: 'Successful Response', content: json(ref('HeroPublic')) },
          '422': VALIDATION_ERROR_RESPONSE,
        },
      },
      delete: {
        summary: 'Delete Hero',
        operationId: 'delete_hero_heroes__hero_id__delete',
        parameters: [HERO_ID],
        responses: {
          '200': { description: 'Successful Response', content: json({}) },
          '422': VALIDATION_ERROR_RESPONSE,
        },
      },
    },
  },
  components: {
    schemas: {
      HTTPValidationError: {
        properties: { detail: { items: ref('ValidationError'), type: 'array', title: 'Detail' } },
        type: 'object',
        title: 'HTTPValidationError',
      },
      HeroCreate: {
        properties: {
          name: { type: 'string', title: 'Name' },
          age: { ...NULLABLE_INTEGER, title: 'Age', default: null }, // default: on purpose, see above
          secret_name: { type: 'string', title: 'Secret Name' },
        },
        type: 'object',
        required: ['name', 'secret_name'],
        title: 'HeroCreate',
      },
      HeroPublic: {
        properties: {
          name: { type: 'string', title: 'Name' },
          age: { ...NULLABLE_INTEGER, title: 'Age', default: null }, // default: on purpose, see above
          id: { type: 'integer', title: 'Id' },
        },
        type: 'object',
        required: ['name', 'id'],
        title: 'HeroPublic',
      },
      HeroUpdate: {
        properties: {
          name: { type: 'string', title: 'Name' }, // not nullable: on purpose, see above
          age: { ...NULLABLE_INTEGER, title: 'Age' },
          secret_name: { type: 'string', title: 'Secret Name' }, // not nullable: on purpose, see above
        },
        type: 'object',
        title: 'HeroUpdate',
      },
      ValidationError: {
        properties: {
          loc: {
            items: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
            type: 'array',
            title: 'Location',
          },
          msg: { type: 'string', title: 'Message' },
          type: { type: 'string', title: 'Error Type' },
          input: { title: 'Input' },
          ctx: { type: 'object', title: 'Context' },
        },
        type: 'object',
        required: ['loc', 'msg', 'type'],
        title: 'ValidationError',
      },
    },
  },
}

/** Every `$ref` in a JSON value. */
function refsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found)
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string') found.add(item)
      else refsIn(item, found)
    }
  }
  return found
}

describe('the OpenAPI document of the Heroes API', () => {
  test('GET /openapi.json is the whole document FastAPI writes, with the differences above', async () => {
    const { app } = heroesApp(tempSqliteUrl())
    try {
      const response = await app.inject({ method: 'GET', url: '/openapi.json' })
      assert.equal(response.statusCode, 200)
      assert.match(String(response.headers['content-type']), /^application\/json/)
      assert.deepEqual(response.json(), EXPECTED)
      assert.deepEqual(app.openapi(), EXPECTED, 'app.openapi() is the document served')
    } finally {
      await app.close()
    }
  })

  test('every $ref names a component and every component is referred to; the Hero table is not one', async () => {
    const { app } = heroesApp(tempSqliteUrl())
    try {
      const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as typeof EXPECTED
      const components = Object.keys(document.components.schemas).map(
        (name) => `#/components/schemas/${name}`,
      )
      assert.deepEqual([...refsIn(document)].sort(), components.sort())
      assert.equal('Hero' in document.components.schemas, false, 'the table model is never in the API')
      assert.doesNotMatch(JSON.stringify(document.paths), /secret_name/, 'only components name secret_name')
    } finally {
      await app.close()
    }
  })
})
