/** docs/tutorial/01-quick-example.md: the seed's quick example, run as a program on a real SQLite file. */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, test } from 'node:test'
import { page, programSource, runProgram } from '../support/tutorial.ts'

const name = '01-quick-example'
const tutorial = resolve(import.meta.dirname, '../../docs/tutorial')
const printed = "Hero { id: 1, name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16 }\n"

describe('tutorial: quick example', () => {
  test('prints the hero with the id the database assigned', () => {
    const { stdout } = runProgram(name)
    assert.equal(stdout, printed, 'the row prints on one line, like id=1 name=Spider-Boy … in Python')
  })

  test('uses sqlite:///heroes.db in the working directory when DATABASE_URL is not set', () => {
    const { stdout, cwd } = runProgram(name, { databaseUrl: undefined })
    assert.equal(stdout, printed)
    assert.ok(
      existsSync(join(cwd, 'heroes.db')),
      'the default URL is a file relative to the working directory',
    )
  })

  test('the page shows the program as it is, and what it prints', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
    assert.equal(page(name).output, printed, 'the page shows a different output than the program prints')
  })
})

test('docs/tutorial/README.md links every page, in order', () => {
  const index = readFileSync(join(tutorial, 'README.md'), 'utf8')
  const linked = [...index.matchAll(/\]\((\d\d-[a-z-]+)\.md\)/g)].map((m) => m[1])
  const pages = readdirSync(tutorial)
    .filter((name) => /^\d\d-.*\.md$/.test(name))
    .map((name) => name.slice(0, -3))
    .sort()
  assert.deepEqual(linked, pages)
  const programs = readdirSync(join(tutorial, 'code'))
    .map((name) => name.slice(0, -3))
    .sort()
  assert.deepEqual(programs, pages, 'every page has a program of the same name, and the reverse')
})
