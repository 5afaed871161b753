/** Derived models (extend, pick, omit, partial) and dump/update: the HeroCreate / HeroUpdate / HeroPublic shapes. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { field, Metadata, model, ModelDefinitionError, table, ValidationError } from 'onemodel-ts'

const HeroBase = model('HeroBase', {
  name: field.string({ index: true }),
  age: field.integer({ nullable: true, default: null, index: true }),
})
const HeroCreate = HeroBase.extend('HeroCreate', { secret_name: field.string() })
const HeroUpdate = HeroCreate.partial('HeroUpdate')
const HeroPublic = HeroBase.extend('HeroPublic', { id: field.integer() })

describe('Model.extend', () => {
  test('adds fields after the parent’s, under a new name, leaving the parent unchanged', () => {
    assert.deepEqual(Object.keys(HeroCreate.fields), ['name', 'age', 'secret_name'])
    assert.equal(HeroCreate.name, 'HeroCreate')
    assert.deepEqual(Object.keys(HeroBase.fields), ['name', 'age'])
  })

  test('a field of the same name replaces the parent’s, in the parent’s position', () => {
    const Renamed = HeroCreate.extend('Renamed', { name: field.string({ maxLength: 3 }) })
    assert.deepEqual(Object.keys(Renamed.fields), ['name', 'age', 'secret_name'])
    assert.throws(() => Renamed.validate({ name: 'Deadpond', secret_name: 'x' }), ValidationError)
    assert.equal(HeroCreate.validate({ name: 'Deadpond', secret_name: 'x' }).name, 'Deadpond')
  })

  test('keeps the parent’s options unless given new ones', () => {
    const Strict = model('Strict', { a: field.string() }, { extra: 'forbid' })
    assert.equal(Strict.extend('Child', { b: field.string() }).options.extra, 'forbid')
    assert.equal(Strict.extend('Loose', { b: field.string() }, { extra: 'ignore' }).options.extra, 'ignore')
  })

  test('validating a row of another model copies the shared fields (model_validate)', () => {
    const metadata = new Metadata()
    const Hero = table('hero', HeroCreate.extend('Hero', { id: field.integer({ primaryKey: true }) }), {
      metadata,
    })
    const input = HeroCreate.validate({ name: 'Deadpond', secret_name: 'Dive Wilson' })
    const hero = Hero.validate(input)
    assert.deepEqual({ ...hero }, { name: 'Deadpond', age: null, secret_name: 'Dive Wilson', id: undefined })
    assert.notEqual(hero, input)
    const output = HeroPublic.validate({ ...hero, id: 1 })
    assert.deepEqual({ ...output }, { name: 'Deadpond', age: null, id: 1 }, 'secret_name is filtered out')
  })
})

describe('Model.pick and Model.omit', () => {
  test('keep or drop the named fields', () => {
    assert.deepEqual(Object.keys(HeroCreate.pick('HeroName', 'name').fields), ['name'])
    assert.deepEqual(Object.keys(HeroCreate.omit('HeroNoSecret', 'secret_name').fields), ['name', 'age'])
  })

  test('an unknown field name fails at declaration, listing the fields', () => {
    assert.throws(
      () => HeroCreate.pick('X', 'power' as 'name'),
      (error: unknown) =>
        error instanceof ModelDefinitionError &&
        error.message ===
          "HeroCreate.pick(): 'power' is not a field of HeroCreate. Its fields are: name, age, secret_name.",
    )
    assert.throws(() => HeroCreate.omit('X', 'power' as 'name'), ModelDefinitionError)
  })
})

describe('Model.partial', () => {
  test('every field may be left out, and no default is applied', () => {
    const update = HeroUpdate.validate({})
    assert.deepEqual({ ...update }, {}, 'no age: null appears out of nowhere')
    assert.deepEqual({ ...HeroUpdate.validate({ age: 35 }) }, { age: 35 })
  })

  test('types do not widen: null is still refused where the field does not allow it', () => {
    assert.deepEqual(
      HeroUpdate.safeValidate({ name: null }),
      {
        success: false,
        issues: [{ type: 'string_type', loc: ['name'], msg: 'Input should be a valid string', input: null }],
      },
      'a PATCH cannot null a required column',
    )
    assert.equal(HeroUpdate.validate({ age: null }).age, null, 'a nullable field can still be cleared')
  })
})

describe('Model.dump', () => {
  test('excludeUnset keeps only what the input set (model_dump(exclude_unset=True))', () => {
    const patch = HeroUpdate.validate({ age: null, power: 'ignored' })
    assert.deepEqual(HeroUpdate.dump(patch, { excludeUnset: true }), { age: null })
    const created = HeroCreate.validate({ name: 'Deadpond', secret_name: 'Dive Wilson' })
    assert.deepEqual(HeroCreate.dump(created, { excludeUnset: true }), {
      name: 'Deadpond',
      secret_name: 'Dive Wilson',
    })
    assert.deepEqual(
      HeroCreate.dump(created),
      { name: 'Deadpond', age: null, secret_name: 'Dive Wilson' },
      'without the option, defaults are included',
    )
  })

  test('exclude leaves fields out, and the result is a plain object', () => {
    const created = HeroCreate.validate({ name: 'Deadpond', secret_name: 'Dive Wilson' })
    const dumped = HeroCreate.dump(created, { exclude: ['secret_name'] })
    assert.deepEqual(dumped, { name: 'Deadpond', age: null })
    assert.equal(Object.getPrototypeOf(dumped), Object.prototype)
  })
})

describe('Model.update', () => {
  test('copies the given fields onto the row and returns it (sqlmodel_update)', () => {
    const hero = HeroCreate.validate({ name: 'Deadpond', secret_name: 'Dive Wilson' })
    const changes = HeroUpdate.dump(HeroUpdate.validate({ age: 35 }), { excludeUnset: true })
    assert.equal(HeroCreate.update(hero, changes), hero)
    assert.deepEqual({ ...hero }, { name: 'Deadpond', age: 35, secret_name: 'Dive Wilson' })
  })

  test('ignores undefined values and keys that are not fields', () => {
    const hero = HeroCreate.validate({ name: 'Deadpond', secret_name: 'Dive Wilson' })
    HeroCreate.update(hero, { name: undefined, power: 'x' } as never)
    assert.deepEqual({ ...hero }, { name: 'Deadpond', age: null, secret_name: 'Dive Wilson' })
  })
})
