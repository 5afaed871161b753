/**
 * docs/tutorial/13-cascade-delete.md: what deleting a team does to its heroes, with each onDelete of the
 * foreign key and each cascade of the collection, run as a program on a real SQLite file.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { runProgram, testPageShows } from '../support/tutorial.ts'

const name = '13-cascade-delete'

const printed = `onDelete: 'cascade' []
onDelete: 'set null' [ [ 'Black Lion', null ], [ 'Princess Sure-E', null ] ]
IntegrityError
onDelete: 'restrict' [ [ 'Black Lion', null ], [ 'Princess Sure-E', null ] ]
cascade: 'delete' []
cascade: 'delete-orphan' [ [ 'Black Lion', 2 ] ]
`

describe('tutorial: cascade delete relationships', () => {
  test('the database deletes, keeps or refuses; the Session deletes the heroes and the orphan', () => {
    const { stdout, stderr } = runProgram(name)
    assert.equal(stdout, printed)
    // onDelete: 'cascade' is the database's: the Session sends the team's DELETE only.
    const first = stderr.slice(0, stderr.indexOf('drop table', stderr.indexOf('delete from')))
    assert.deepEqual(
      first.split('\n').filter((line) => line.startsWith('delete')),
      ['delete from "team" where "id" = ? returning "id" -- 1 parameter'],
    )
  })

  testPageShows(name, printed)
})
