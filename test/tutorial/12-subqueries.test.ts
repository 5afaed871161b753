/**
 * docs/tutorial/12-subqueries.md: exists, in, scalar and array subqueries and any()/has(), on a real SQLite
 * file.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { runProgram, testPageShows } from '../support/tutorial.ts'

const name = '12-subqueries'

const printed =
  "[ 'Preventers' ] [ 'Wakaland', 'Z-Force' ]\n" +
  "[ 'Black Lion', 'Princess Sure-E' ]\n" +
  "[ [ 'Preventers', 4 ], [ 'Wakaland', 2 ], [ 'Z-Force', 1 ] ]\n" +
  "[ 'Black Lion', 'Dr. Weird', 'Rusty-Man', 'Tarantula' ]\n" +
  '[\n' +
  '  [\n' +
  "    'Preventers',\n" +
  "    [ 'Captain North America', 'Dr. Weird', 'Rusty-Man', 'Tarantula' ]\n" +
  '  ],\n' +
  "  [ 'Wakaland', [ 'Black Lion', 'Princess Sure-E' ] ],\n" +
  "  [ 'Z-Force', [ 'Deadpond' ] ]\n" +
  ']\n' +
  "[ 'Preventers' ] [ 'Black Lion', 'Princess Sure-E' ] [ 'Spider-Boy' ]\n"

describe('tutorial: subqueries', () => {
  test('exists and not exists split the teams, in() and a scalar subquery filter, any()/has() agree', () => {
    const { stdout } = runProgram(name)
    assert.equal(stdout, printed, 'any() and has() find what exists() and in() found')
  })

  testPageShows(name, printed)
})
