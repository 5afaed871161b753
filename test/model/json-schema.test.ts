/** Model.schema: the JSON Schema / OpenAPI component, shaped as pydantic writes it. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { field, Metadata, model, table } from 'onemodel-ts'

describe('Model.schema', () => {
  test('HeroCreate: titles in Title Case, required fields, a nullable field with its default', () => {
    const HeroCreate = model('HeroCreate', {
      name: field.string(),
      secret_name: field.string(),
      age: field.integer({ nullable: true, default: null }),
    })
    assert.deepEqual(JSON.parse(JSON.stringify(HeroCreate.schema)), {
      type: 'object',
      title: 'HeroCreate',
      required: ['name', 'secret_name'],
      properties: {
        name: { type: 'string', title: 'Name' },
        secret_name: { type: 'string', title: 'Secret Name' },
        age: { anyOf: [{ type: 'integer' }, { type: 'null' }], title: 'Age', default: null },
      },
    })
  })

  test('constraints use JSON Schema keywords, and description and title options appear', () => {
    const Hero = model(
      'Hero',
      {
        name: field.string({ minLength: 1, maxLength: 100, pattern: '^[A-Z]', description: 'Public name' }),
        age: field.integer({ ge: 0, le: 150, title: 'Age in years' }),
        score: field.number({ gt: 0, lt: 1 }),
      },
      { description: 'A hero of the tutorial' },
    )
    const schema = JSON.parse(JSON.stringify(Hero.schema))
    assert.equal(schema.description, 'A hero of the tutorial')
    assert.deepEqual(schema.properties, {
      name: {
        type: 'string',
        minLength: 1,
        maxLength: 100,
        pattern: '^[A-Z]',
        description: 'Public name',
        title: 'Name',
      },
      age: { type: 'integer', minimum: 0, maximum: 150, title: 'Age in years' },
      score: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, title: 'Score' },
    })
  })

  test('formats for dates, datetimes and uuids, and enum values', () => {
    const Event = model('Event', {
      at: field.datetime(),
      on: field.date(),
      key: field.uuid(),
      kind: field.enum(['launch', 'landing']),
      at_default: field.datetime({ default: new Date('2024-01-01T00:00:00Z') }),
    })
    const { properties } = JSON.parse(JSON.stringify(Event.schema))
    assert.deepEqual(properties.at, { type: 'string', format: 'date-time', title: 'At' })
    assert.deepEqual(properties.on, { type: 'string', format: 'date', title: 'On' })
    assert.deepEqual(properties.key, { type: 'string', format: 'uuid', title: 'Key' })
    assert.deepEqual(properties.kind, { type: 'string', enum: ['launch', 'landing'], title: 'Kind' })
    assert.equal(
      properties.at_default.default,
      '2024-01-01T00:00:00.000Z',
      'a Date default is written as JSON',
    )
  })

  test('a generated primary key is optional; extra: forbid closes the object', () => {
    const Hero = table(
      'hero',
      model('Hero', { id: field.integer({ primaryKey: true }), name: field.string() }, { extra: 'forbid' }),
      { metadata: new Metadata() },
    )
    const schema = JSON.parse(JSON.stringify(Hero.schema))
    assert.deepEqual(schema.required, ['name'])
    assert.equal(schema.additionalProperties, false)
  })

  test('a partial model requires nothing and shows no defaults', () => {
    const HeroUpdate = model('HeroCreate', {
      name: field.string(),
      age: field.integer({ nullable: true, default: null }),
    }).partial('HeroUpdate')
    const schema = JSON.parse(JSON.stringify(HeroUpdate.schema))
    assert.equal(schema.title, 'HeroUpdate')
    assert.equal(schema.required, undefined)
    assert.deepEqual(schema.properties.age, { anyOf: [{ type: 'integer' }, { type: 'null' }], title: 'Age' })
  })

  test('is built once and reused', () => {
    const HeroCreate = model('HeroCreate', { name: field.string() })
    assert.equal(HeroCreate.schema, HeroCreate.schema)
  })
})
