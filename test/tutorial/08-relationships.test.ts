/** docs/tutorial/08-relationships.md: the seed's one-to-many relationships, run as a program on a real SQLite file. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { page, programSource, runProgram } from '../support/tutorial.ts'

const name = '08-relationships'

// The seed prints Preventers ['Rusty-Man']; console.log writes a string array as [ 'Rusty-Man' ].
const seed = "Preventers [ 'Rusty-Man' ]\n"
const notLoaded =
  "Team.heroes is not loaded. Load it with the query, select(Team).options(selectinload('heroes')), or for one row with await session.load(row, 'heroes'); a Hero is never fetched by reading the property.\n" +
  "[\n  Hero { id: 1, name: 'Rusty-Man', secret_name: 'Tommy Sharp', team_id: 1 }\n]\n"
const linked = "2 true\nHero { id: 2, name: 'Deadpond', secret_name: 'Dive Wilson', team_id: null }\n"
// Z-Force's id is free again (SQLite reuses the largest), so Wakaland gets 2.
const together = "2 [\n  'Black Lion (team 2)',\n  'Princess Sure-E (team 2)',\n  'Tarantula (team 2)'\n]\n"

describe('tutorial: relationships', () => {
  test("prints Preventers [ 'Rusty-Man' ], the not-loaded error, and links from the collection side, then creates related rows together", () => {
    const { stdout } = runProgram(name)
    assert.equal(stdout, seed + notLoaded + linked + together)
  })

  test('the page shows the program as it is, and what it prints', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
    assert.equal(page(name).output, seed + notLoaded + linked + together)
  })
})
