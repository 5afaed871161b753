/**
 * docs/tutorial/05-fastapi-integration.md: the seed's FastAPI app (HeroCreate in, Hero stored, HeroPublic out,
 * a session dependency, tables created on startup), served on a free port and called with fetch.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { page, programSource, runProgram } from '../support/tutorial.ts'

const name = '05-fastapi-integration'

// One line per call: method, path, status and the JSON answer. No answer carries secret_name.
const printed =
  [
    'POST /heroes/ 200 {"id":1,"name":"Deadpond","age":null}',
    'POST /heroes/ 200 {"id":2,"name":"Spider-Boy","age":16}',
    'GET /heroes/ 200 [{"id":1,"name":"Deadpond","age":null},{"id":2,"name":"Spider-Boy","age":16}]',
    'GET /heroes/2 200 {"id":2,"name":"Spider-Boy","age":16}',
    'PATCH /heroes/2 200 {"id":2,"name":"Spider-Youngster","age":16}',
    'DELETE /heroes/1 200 {"ok":true}',
    'GET /heroes/1 404 {"detail":"Hero not found"}',
    'GET /heroes/?limit=-1 400 {"detail":"Bad Request: limit must be a whole number >= 0"}',
  ].join('\n') + '\n'

describe('tutorial: FastAPI integration', () => {
  test('create, list, read, patch, delete and a 404 answer as the seed app does, without secret_name', () => {
    const { stdout } = runProgram(name)
    assert.equal(stdout, printed)
    assert.ok(!stdout.includes('secret_name'), 'HeroPublic filters secret_name out of every answer')
  })

  test('uses sqlite:///app.db in the working directory when DATABASE_URL is not set, and ends', () => {
    const { stdout, cwd } = runProgram(name, { databaseUrl: undefined })
    assert.equal(stdout, printed, 'the program closes the app, so it ends and prints the same')
    assert.ok(
      existsSync(join(cwd, 'app.db')),
      "the seed's sqlite:///./app.db is a file in the working directory",
    )
  })

  test('the page shows the program as it is, and what it prints', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
    assert.equal(page(name).output, printed, 'the page shows a different output than the program prints')
  })
})
