/** The identity map, through its own API: rows by table and key, and a guarded delete. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { declareHeroes } from '../support/heroes.ts'
import { IdentityMap } from '../../src/orm/identity-map.ts'

const { Hero, Team } = declareHeroes()
const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
const team = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })

test('a key names one row per table: the same key in another table is another row', () => {
  const identity = new IdentityMap()
  identity.set(Hero, 1, hero)
  identity.set(Team, 1, team)
  assert.equal(identity.get(Hero, 1), hero)
  assert.equal(identity.get(Team, 1), team)
  assert.equal(identity.get(Hero, 2), undefined)
  assert.deepEqual([...identity.rowsOf(Hero)], [hero])
  assert.deepEqual([...identity.rowsOf(Team)], [team])
})

test('a delete with a row leaves a key alone once it names another row', () => {
  const identity = new IdentityMap()
  const other = Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp' })
  identity.set(Hero, 1, other)
  identity.delete(Hero, 1, hero)
  assert.equal(identity.get(Hero, 1), other, 'hero no longer held key 1: the delete is ignored')
  identity.delete(Hero, 1, other)
  assert.equal(identity.get(Hero, 1), undefined)
  identity.set(Hero, 2, hero)
  identity.delete(Hero, 2)
  assert.equal(identity.get(Hero, 2), undefined, 'without a row, the key goes whatever it names')
})

test('clear forgets every table', () => {
  const identity = new IdentityMap()
  identity.set(Hero, 1, hero)
  identity.clear()
  assert.equal(identity.get(Hero, 1), undefined)
  assert.deepEqual([...identity.rowsOf(Hero)], [])
})
