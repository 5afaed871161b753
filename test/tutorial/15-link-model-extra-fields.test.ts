/** docs/tutorial/15-link-model-extra-fields.md: SQLModel's "Link Model with Extra Fields", run as a program on a real SQLite file. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { runProgram, testPageShows } from '../support/tutorial.ts'

const name = '15-link-model-extra-fields'

const printed =
  "Z-Force hero: Hero { id: 1, name: 'Deadpond', secret_name: 'Dive Wilson', age: null } is training: false\nPreventers hero: Hero { id: 1, name: 'Deadpond', secret_name: 'Dive Wilson', age: null } is training: true\nPreventers hero: Hero { id: 2, name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: null } is training: true\nPreventers hero: Hero { id: 3, name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 } is training: false\nUpdated Spider-Boy's Teams: [\n  HeroTeamLink { team_id: 2, hero_id: 2, is_training: true },\n  HeroTeamLink { team_id: 1, hero_id: 2, is_training: true }\n]\nZ-Force heroes: [\n  HeroTeamLink { team_id: 1, hero_id: 1, is_training: false },\n  HeroTeamLink { team_id: 1, hero_id: 2, is_training: true }\n]\nSpider-Boy team: Team { id: 2, name: 'Preventers', headquarters: 'Sharp Tower' } is training: false\nSpider-Boy team: Team { id: 1, name: 'Z-Force', headquarters: 'Sister Margaret\u2019s Bar' } is training: true\n"

describe('tutorial: link model with extra fields', () => {
  test('links are created with the rows they link, then one is added and one updated', () => {
    const { stdout, stderr } = runProgram(name)
    assert.equal(stdout, printed)
    // Four links, then Spider-Boy's Z-Force link (once, though it was pushed twice), then one update.
    const writes = stderr.split('\n').filter((line) => /^(insert into|update) "heroteamlink"/.test(line))
    assert.equal(writes.filter((line) => line.startsWith('insert')).length, 5)
    assert.equal(writes.filter((line) => line.startsWith('update')).length, 1)
  })

  testPageShows(name, printed)
})
