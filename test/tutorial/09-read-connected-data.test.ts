/** docs/tutorial/09-read-connected-data.md: SQLModel's "Read Connected Data", run as a program on a real SQLite file. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { runProgram, testPageShows } from '../support/tutorial.ts'

const name = '09-read-connected-data'

const pairs =
  "Hero: Hero { id: 1, name: 'Deadpond', secret_name: 'Dive Wilson', age: null, team_id: 2 } Team: Team { id: 2, name: 'Z-Force', headquarters: \"Sister Margaret's Bar\" }\n" +
  "Hero: Hero { id: 2, name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48, team_id: 1 } Team: Team { id: 1, name: 'Preventers', headquarters: 'Sharp Tower' }\n"
const columns = "[ [ 'Deadpond', 'Z-Force' ], [ 'Rusty-Man', 'Preventers' ] ]\n"

describe('tutorial: read connected data', () => {
  test('select(Hero, Team) with a where on the foreign key prints the heroes that have a team, with it', () => {
    const { stdout } = runProgram(name)
    assert.equal(stdout, pairs + columns, 'Spider-Boy has no team, so no pair of his matches')
  })

  test('runs again on the same database and prints the same', () => {
    const first = runProgram(name, { databaseUrl: undefined })
    assert.equal(first.stdout, pairs + columns)
    assert.equal(runProgram(name, { databaseUrl: undefined, cwd: first.cwd }).stdout, pairs + columns)
  })

  testPageShows(name, pairs + columns)
})
