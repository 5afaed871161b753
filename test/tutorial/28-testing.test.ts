/**
 * docs/tutorial/28-testing.md: FastAPI's Testing page with the typed client: the example app's six tests
 * and a 422, run against a real listening server.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { page, programSource, runProgram } from '../support/tutorial.ts'

const name = '28-testing'

const printed =
  [
    'test_read_item passed',
    'test_read_item_bad_token passed',
    'test_read_nonexistent_item passed',
    'test_create_item passed',
    'test_create_item_bad_token passed',
    'test_create_existing_item passed',
    'GET /items/{item_id} answered 422: {"detail":[{"type":"missing","loc":["header","x-token"],"msg":"Field required","input":null}]}',
    'test_read_item_without_token passed',
  ].join('\n') + '\n'

describe('tutorial: testing with a typed client', () => {
  test('the program passes its checks and prints what the page says', () => {
    assert.equal(runProgram(name, { databaseUrl: undefined }).stdout, printed)
  })

  test('the page shows the program as it is, and what it prints', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
    assert.equal(page(name).output, printed)
  })
})
