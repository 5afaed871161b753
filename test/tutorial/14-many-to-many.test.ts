/** docs/tutorial/14-many-to-many.md: SQLModel's "Many to Many", run as a program on a real SQLite file. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { runProgram, testPageShows } from '../support/tutorial.ts'

const name = '14-many-to-many'

const printed =
  "Deadpond: Hero { id: 1, name: 'Deadpond', secret_name: 'Dive Wilson', age: null }\nDeadpond teams: [\n  Team { id: 1, name: 'Z-Force', headquarters: 'Sister Margaret\u2019s Bar' },\n  Team { id: 2, name: 'Preventers', headquarters: 'Sharp Tower' }\n]\nRusty-Man: Hero { id: 2, name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 }\nRusty-Man Teams: [ Team { id: 2, name: 'Preventers', headquarters: 'Sharp Tower' } ]\nSpider-Boy: Hero { id: 3, name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: null }\nSpider-Boy Teams: [ Team { id: 2, name: 'Preventers', headquarters: 'Sharp Tower' } ]\nUpdated Spider-Boy's Teams: [\n  Team { id: 2, name: 'Preventers', headquarters: 'Sharp Tower' },\n  Team { id: 1, name: 'Z-Force', headquarters: 'Sister Margaret\u2019s Bar' }\n]\nZ-Force heroes: [\n  Hero { id: 1, name: 'Deadpond', secret_name: 'Dive Wilson', age: null },\n  Hero { id: 3, name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: null }\n]\nReverted Z-Force's heroes: [\n  Hero { id: 1, name: 'Deadpond', secret_name: 'Dive Wilson', age: null }\n]\nReverted Spider-Boy's teams: [ Team { id: 2, name: 'Preventers', headquarters: 'Sharp Tower' } ]\n"

describe('tutorial: many to many', () => {
  test('heroes are created in their teams, then Spider-Boy joins Z-Force and leaves it again', () => {
    const { stdout, stderr } = runProgram(name)
    assert.equal(stdout, printed)
    // The first session writes the four pairs in one insert; the second links, then unlinks, one pair.
    const links = stderr.split('\n').filter((line) => /^(insert into|delete from) "heroteamlink"/.test(line))
    assert.deepEqual(links, [
      'insert into "heroteamlink" ("team_id", "hero_id") values (?, ?), (?, ?), (?, ?), (?, ?) -- 8 parameters',
      'insert into "heroteamlink" ("team_id", "hero_id") values (?, ?) -- 2 parameters',
      'delete from "heroteamlink" where ("hero_id" = ? and "team_id" = ?) -- 2 parameters',
    ])
  })

  testPageShows(name, printed)
})
