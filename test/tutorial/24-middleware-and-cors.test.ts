/**
 * docs/tutorial/24-middleware-and-cors.md: FastAPI's Middleware and CORS pages. A timing middleware around
 * every answer, middleware nested with the last added outermost, and CORS preflights answered before any
 * middleware; the program serves its app on a free port and calls it with fetch.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { page, programSource, runProgram } from '../support/tutorial.ts'

const name = '24-middleware-and-cors'

const printed =
  [
    '-> GET /items/5',
    '<- 200, timed: true',
    '200 {"item_id":5} timed: true',
    '-> GET /items/five',
    '<- 422, timed: true',
    '422 timed: true',
    'preflight 204',
    '  access-control-allow-origin: https://heroes.example',
    '  access-control-allow-methods: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT',
    '  access-control-allow-headers: authorization',
    '  access-control-allow-credentials: true',
    '-> GET /items/5',
    '<- 200, timed: true',
    'from elsewhere 200 null',
  ].join('\n') + '\n'

describe('tutorial: middleware and CORS', () => {
  test('the program prints what the page says', () => {
    assert.equal(runProgram(name).stdout, printed)
  })

  test('the page shows the program as it is, and what it prints', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
    assert.equal(page(name).output, printed)
  })
})
