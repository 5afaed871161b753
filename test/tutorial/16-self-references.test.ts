/** docs/tutorial/16-self-references.md: a mentor and apprentices, and heroes who follow heroes, run as a program on a real SQLite file. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { runProgram, testPageShows } from '../support/tutorial.ts'

const name = '16-self-references'

const printed =
  "Professor apprentices: [ 'Deadpond', 'Spider-Boy' ]\nSpider-Boy followers: [ 'Tarantula' ]\nDeadpond | mentor: Professor | apprentices: [] | followers: [ 'Spider-Boy' ]\nProfessor | mentor: null | apprentices: [ 'Deadpond', 'Spider-Boy' ] | followers: [ 'Spider-Boy' ]\nSpider-Boy | mentor: Professor | apprentices: [ 'Tarantula' ] | followers: [ 'Tarantula' ]\nTarantula | mentor: Spider-Boy | apprentices: [] | followers: []\nMentors of an S-hero: [ 'Professor' ]\nFollows left: []\nTarantula mentor: null\n"

describe('tutorial: self-references', () => {
  test('mentors come before apprentices, each relationship loads in one query, a deleted hero takes his follows', () => {
    const { stdout, stderr } = runProgram(name)
    assert.equal(stdout, printed)
    const lines = stderr.split('\n')
    assert.equal(
      lines.filter((line) => line.startsWith('update')).length,
      1,
      'no update after the inserts: only the mentor detach',
    )
  })

  testPageShows(name, printed)
})
