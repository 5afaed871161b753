/** docs/tutorial/18-bulk-writes.md: an upsert, a bulk update and a bulk delete told as one story, on a real SQLite file. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { runProgram, testPageShows } from '../support/tutorial.ts'

const name = '18-bulk-writes'

const imported = `[
  [ 'Deadpond', null ],
  [ 'Rusty-Man', 48 ],
  [ 'Spider-Boy', 16 ],
  [ 'Tarantula', 32 ],
  [ 'Dr. Weird', 36 ],
  [ 'Captain North America', 93 ]
]
`
const synced = '3 recruited; the Captain is in team 1\n1 retired; undefined\n'
const final = `[
  [ 'Deadpond', null, 'Z-Force' ],
  [ 'Rusty-Man', 48, 'Preventers' ],
  [ 'Spider-Boy', 16, null ],
  [ 'Tarantula', 32, 'Preventers' ],
  [ 'Dr. Weird', 36, 'Preventers' ]
]
`
const printed = imported + synced + final

describe('tutorial: bulk writes', () => {
  test("the upsert updates Spider-Boy's age and inserts three; update and delete keep the held Captain in sync", () => {
    const { stdout } = runProgram(name)
    assert.equal(stdout, printed)
  })

  testPageShows(name, printed)
})
