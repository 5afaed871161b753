/**
 * docs/tutorial/22-route-options.md: status codes, OpenAPI options, headers and cookies, a file download and
 * server-sent events, served on a free port and called with fetch.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { page, programSource, runProgram } from '../support/tutorial.ts'

const name = '22-route-options'

describe('tutorial: route options and responses', () => {
  test('each answer as the page shows it; the connection closes after the event stream', () => {
    const { stdout, stderr } = runProgram(name, { databaseUrl: undefined })
    assert.equal(stdout, page(name).output)
    assert.match(stdout, /^DELETE \/items\/1 204 \(no content type\)\n {2}""$/m)
    assert.match(stdout, /^ {2}event: liftoff \| data: We have \| data: liftoff$/m)
    assert.equal(stderr, 'connection opened\nconnection closed\n')
  })

  test('the page shows the program as it is', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
  })
})
