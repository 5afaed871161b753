/**
 * Change tracking through its own parts: a table's rows are observed yet plain to their users, their
 * writes reach the ORM's per-row state, and the tracked-rows registry marks only what a flush must compare.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { inspect, types } from 'node:util'
import { field, Metadata, model, table, type TableModel } from 'onemodel-ts'
import { unloadAll } from '../../src/model/relationship-values.ts'
import { RowState } from '../../src/orm/row-state.ts'
import { layoutOf } from '../../src/orm/snapshot.ts'
import { TrackedRows } from '../../src/orm/tracked-rows.ts'
import { declareTeams } from '../support/teams.ts'

const { Team, Hero } = declareTeams()

/** A registry holding `row` as persistent, as a load leaves it. */
function tracking(row: object, model: TableModel) {
  const rows = new TrackedRows()
  const state = RowState.of(row, model)
  rows.track(state, layoutOf(model).take(row as Record<string, unknown>))
  return { rows, state }
}

test("a table's row is observed, and reads, spreads, prints and serializes as a plain object", () => {
  const hero = Hero.create({ name: 'Deadpond', age: 30 })
  assert.ok(types.isProxy(hero), 'a Proxy with write traps only')
  assert.ok(hero instanceof Hero.rowClass)
  const fields = { id: undefined, name: 'Deadpond', age: 30, team_id: null }
  assert.deepEqual({ ...hero }, fields)
  assert.deepEqual(Object.keys(hero), ['id', 'name', 'age', 'team_id'])
  assert.equal(JSON.stringify(hero), '{"name":"Deadpond","age":30,"team_id":null}')
  assert.equal(inspect(hero), "Hero { id: undefined, name: 'Deadpond', age: 30, team_id: null }")
  assert.ok(
    !types.isProxy(model('HeroCreate', { name: field.string() }).create({ name: 'x' })),
    'only table rows',
  )
})

test("every kind of write reaches the row's observer: fields, relationships, defines and deletes", () => {
  const hero = Hero.create({ name: 'Deadpond' })
  const team = Team.create({ name: 'Preventers' })
  const seen: (string | symbol)[] = []
  const { state } = tracking(hero, Hero)
  state.assigned = (key) => void seen.push(key)
  hero.age = 31
  hero.team = team
  Object.defineProperty(hero, 'name', { value: 'Dive', enumerable: true, writable: true, configurable: true })
  delete (hero as { age?: number | null }).age
  assert.deepEqual(seen, ['age', 'team', 'name', 'age'])
  assert.throws(() => Object.assign(hero, { team: 'Preventers' }), { code: 'OM_ORM_NOT_A_ROW' })
  assert.equal(seen.length, 4, 'a refused value is no write')
})

test('a write marks a persistent row changed, and a relationship write marks it related', () => {
  const hero = Hero.create({ name: 'Deadpond' })
  const other = Hero.create({ name: 'Rusty-Man' })
  hero.id = 1
  other.id = 2
  const { rows } = tracking(hero, Hero)
  rows.track(RowState.of(other, Hero), layoutOf(Hero).take(other))
  assert.deepEqual([...rows.changed], [], 'a load marks nothing')
  hero.age = 31
  assert.deepEqual([...rows.changed], [hero], 'only the row written')
  assert.deepEqual([...rows.related], [])
  hero.team = Team.create({ name: 'Preventers' })
  assert.deepEqual([...rows.related], [hero])
})

test('a pending row is not marked: its insert writes it whole', () => {
  const rows = new TrackedRows()
  const hero = Hero.create({ name: 'Deadpond' })
  rows.addPending(RowState.of(hero, Hero))
  hero.age = 31
  assert.deepEqual([...rows.changed], [])
  assert.deepEqual([...rows.pending], [hero])
})

/** Whether the owner `state` points at holds its row (read apart, as an assertion narrowed `owner`). */
function isHeld(state: RowState): boolean {
  return state.owner?.holds(state) ?? false
}

test('a row that leaves the registry is no longer marked, and has no owner', () => {
  const hero = Hero.create({ name: 'Deadpond' })
  hero.id = 1
  const { rows, state } = tracking(hero, Hero)
  rows.forget(hero)
  hero.age = 31
  assert.equal(rows.changed.size, 0)
  assert.equal(state.owner, undefined)
  const again = tracking(hero, Hero)
  again.rows.clear()
  // Clearing lets go of every row at once: the owner a state still points at holds nothing any more.
  assert.equal(isHeld(state), false, 'clear releases every row')
  assert.equal(again.rows.has(hero), false)
})

test('rows whose writes cannot all be seen are compared at every flush: dates and JSON change in place', () => {
  const Event = table(
    'event',
    model('Event', { id: field.integer({ primaryKey: true }), at: field.datetime(), tags: field.json() }),
    { metadata: new Metadata() },
  )
  const event = Event.create({ at: new Date(0), tags: [] })
  event.id = 1
  const { rows } = tracking(event, Event)
  assert.deepEqual([...rows.unobserved], [event])
  const { rows: heroes } = tracking(Object.assign(Hero.create({ name: 'Deadpond' }), { id: 1 }), Hero)
  assert.equal(heroes.unobserved.size, 0, 'a row of plain values is compared only once written')
})

test("a child given a parent whose collection is not loaded is recorded on the parent's state", () => {
  const team = Team.create({ name: 'Preventers' })
  team.id = 1
  unloadAll(team) // as a load leaves it: team.heroes is not loaded
  const { rows, state } = tracking(team, Team)
  const hero = Hero.create({ name: 'Deadpond' })
  hero.team = team
  assert.deepEqual([...state.appended!], [[hero, 'heroes']])
  assert.deepEqual([...rows.related], [team], 'the parent is looked at by the next flush')
})
