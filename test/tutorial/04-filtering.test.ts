/** docs/tutorial/04-filtering.md: the seed's filtering and ordering snippet, run on a real SQLite file. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { page, programSource, runProgram } from '../support/tutorial.ts'

const name = '04-filtering'

describe('tutorial: filtering and ordering', () => {
  test('two ANDed where() calls, orderBy, limit and offset print only Rusty-Man', () => {
    const { stdout } = runProgram(name)
    assert.equal(stdout, 'Rusty-Man 48\n', "Deadpond's null age and Spider-Boy's 16 are filtered out")
  })

  test('the page shows the program as it is, and what it prints', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
    assert.equal(page(name).output, 'Rusty-Man 48\n')
  })
})
