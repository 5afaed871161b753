/** docs/tutorial/03-crud.md: the seed's CRUD snippets, run as one program on a real SQLite file. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { page, programSource, runProgram } from '../support/tutorial.ts'

const name = '03-crud'

// The seed's output, block by block. Python's [Hero(id=3, …)] is an array holding one row here.
const readAll = '1 Deadpond\n2 Rusty-Man\n3 Spider-Boy\n'
const readFiltered = "[\n  Hero { id: 3, name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16 }\n]\n"
const update = "Hero { id: 1, name: 'Deadpond', secret_name: 'Dive Wilson', age: 35 }\n"
const deleted = 'Deleted: Spider-Boy\n'

describe('tutorial: CRUD', () => {
  test('create, read all, read filtered, update and delete print what the seed prints', () => {
    const { stdout } = runProgram(name)
    const lines = stdout.split('\n')
    assert.equal(lines.slice(0, 3).join('\n') + '\n', readAll, 'ids 1, 2, 3 are assigned in insertion order')
    assert.equal(stdout, readAll + readFiltered + update + deleted)
  })

  test('the page shows the program as it is, and what it prints', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
    assert.equal(page(name).output, readAll + readFiltered + update + deleted)
  })
})
