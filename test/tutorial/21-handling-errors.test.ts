/**
 * docs/tutorial/21-handling-errors.md: FastAPI's Handling Errors page. HTTPError with headers, an app's own
 * exception class, and RealWorld's 422 and 409 bodies from exception handlers; the program serves its app
 * on a free port and calls it with fetch.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { page, programSource, runProgram } from '../support/tutorial.ts'

const name = '21-handling-errors'

const printed =
  [
    'GET /items/foo 200 {"item":"The Foo Wrestlers"}',
    'GET /items/bar 404 {"detail":"Item not found"} (x-error: There goes my error)',
    'GET /unicorns/yolo 418 {"message":"Oops! yolo did something. There goes a rainbow..."}',
    'POST /users/ 200 {"id":1,"username":"jake"}',
    'POST /users/ 422 {"errors":{"username":["String should have at least 3 characters"],"email":["Field required"]}}',
    'POST /users/ 409 {"errors":{"username":["has already been taken"]}}',
  ].join('\n') + '\n'

describe('tutorial: handling errors', () => {
  test('the program prints what the page says', () => {
    assert.equal(runProgram(name).stdout, printed)
  })

  test('the page shows the program as it is, and what it prints', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
    assert.equal(page(name).output, printed)
  })
})
