/** docs/tutorial/10-joins.md: SQLModel's "Joins", run as a program on a real SQLite file. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { runProgram, testPageShows } from '../support/tutorial.ts'

const name = '10-joins'

const deadpond =
  "Hero: Hero { id: 1, name: 'Deadpond', secret_name: 'Dive Wilson', age: null, team_id: 2 } Team: Team { id: 2, name: 'Z-Force', headquarters: \"Sister Margaret's Bar\" }\n"
const rustyMan =
  "Hero: Hero { id: 2, name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48, team_id: 1 } Team: Team { id: 1, name: 'Preventers', headquarters: 'Sharp Tower' }\n"
const spiderBoy =
  "Hero: Hero { id: 3, name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: null, team_id: null } Team: null\n"
const preventers =
  "Preventer Hero: Hero { id: 2, name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48, team_id: 1 }\n" +
  "Preventer Hero: Hero { id: 2, name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48, team_id: 1 } Team: Team { id: 1, name: 'Preventers', headquarters: 'Sharp Tower' }\n"
const columns =
  "[ [ 'Preventers', 'Rusty-Man' ], [ 'Z-Force', 'Deadpond' ] ]\n" +
  "[\n  [ 'Deadpond', 'Z-Force' ],\n  [ 'Rusty-Man', 'Preventers' ],\n  [ 'Spider-Boy', null ]\n]\n"
const refused =
  "select(…).join(Hero): the query reads 'hero' already. To read the table a second time, join an alias: const Other = alias(Hero, 'other').\n"
const printed = deadpond + rustyMan + (deadpond + rustyMan + spiderBoy) + preventers + columns + refused

describe('tutorial: joins', () => {
  test('join(Team) pairs as the where did, leftJoin(Team) keeps Spider-Boy with a null team, join filters', () => {
    const { stdout } = runProgram(name)
    assert.equal(stdout, printed)
  })

  testPageShows(name, printed)
})
