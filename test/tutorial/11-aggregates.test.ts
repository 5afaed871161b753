/** docs/tutorial/11-aggregates.md: counts, sums, groups, nulls-last ordering and a page total, on a real SQLite file. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { runProgram, testPageShows } from '../support/tutorial.ts'

const name = '11-aggregates'

const totals =
  '8 heroes, 5 with a known age, in 3 teams\n{ total: 244, average: 48.8, youngest: 32, oldest: 93 }\n'
const perTeam = 'Preventers 4 52.25\nWakaland 2 35\nZ-Force 1 null\n'
const having = "[ [ 'Preventers', 4 ], [ 'Wakaland', 2 ] ]\n"
const byAge = [
  'Captain North America 93',
  'Rusty-Man 48',
  'Dr. Weird 36',
  'Black Lion 35',
  'Tarantula 32',
  'Deadpond null',
  'Princess Sure-E null',
  'Spider-Boy null',
]
  .map((line) => `${line}\n`)
  .join('')
const pageTotal = "Page 1 of 3 (5 adults): [ 'Black Lion', 'Captain North America' ]\n"
const printed = totals + perTeam + having + byAge + pageTotal

describe('tutorial: aggregates', () => {
  test('aggregates skip nulls, group per team, order nulls last, and count a page total', () => {
    const { stdout } = runProgram(name)
    assert.equal(stdout, printed)
  })

  testPageShows(name, printed)
})
