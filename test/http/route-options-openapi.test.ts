/**
 * The OpenAPI output of route options, shaped as FastAPI's `get_openapi_path` writes them for the same path
 * operations (Path Operation Configuration, Additional Responses, Response Status Code).
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { body, createApp, field, model, path } from 'onemodel-ts'

const Item = model('Item', { id: field.string(), value: field.string() })
const Message = model('Message', { message: field.string() })

const itemRef = { $ref: '#/components/schemas/Item' }
const validationError = {
  description: 'Validation Error',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/HTTPValidationError' } } },
}

function operations() {
  const app = createApp()
  app.get(
    '/items/{item_id}',
    {
      params: { item_id: path.string() },
      response: Item,
      responses: { 404: { model: Message }, 200: { description: 'Item requested by ID' } },
      summary: 'Read an item',
      description: 'Read an item with all the information',
      tags: ['items'],
      deprecated: true,
      operationId: 'readItem',
    },
    function readItem({ item_id }) {
      return { id: item_id, value: 'there goes my hero' }
    },
  )
  app.post(
    '/items/',
    { params: { item: body(Item) }, status: 201, response: Item },
    function createItem({ item }) {
      return item
    },
  )
  app.delete(
    '/items/{item_id}',
    { params: { item_id: path.string() }, status: 204, responses: { 422: { description: 'Never' } } },
    function deleteItem() {},
  )
  app.get('/internal/health', { includeInSchema: false }, () => ({ ok: true }))
  return app.openapi() as { paths: Record<string, Record<string, unknown>>; components: { schemas: object } }
}

describe('route options in the OpenAPI document', () => {
  test('summary, description, tags, deprecated, operationId and documented responses with a model', () => {
    assert.deepEqual(operations().paths['/items/{item_id}']!.get, {
      tags: ['items'],
      summary: 'Read an item',
      description: 'Read an item with all the information',
      operationId: 'readItem',
      deprecated: true,
      parameters: [
        { name: 'item_id', in: 'path', required: true, schema: { type: 'string', title: 'Item Id' } },
      ],
      responses: {
        '200': { description: 'Item requested by ID', content: { 'application/json': { schema: itemRef } } },
        '404': {
          description: 'Not Found',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Message' } } },
        },
        '422': validationError,
      },
    })
    assert.deepEqual(Object.keys(operations().components.schemas), [
      'HTTPValidationError',
      'Item',
      'Message',
      'ValidationError',
    ])
  })

  test('201 documents the body under its status; 204 documents no content; a declared 422 is kept', () => {
    const { paths } = operations()
    assert.deepEqual((paths['/items/']!.post as { responses: unknown }).responses, {
      '201': { description: 'Successful Response', content: { 'application/json': { schema: itemRef } } },
      '422': validationError,
    })
    assert.deepEqual((paths['/items/{item_id}']!.delete as { responses: unknown }).responses, {
      '204': { description: 'Successful Response' },
      '422': { description: 'Never' },
    })
  })

  test('includeInSchema: false leaves the route out', () => {
    assert.equal(operations().paths['/internal/health'], undefined)
  })
})
