/**
 * docs/tutorial/26-background-tasks.md: FastAPI's Background Tasks page. Notifications written by tasks after
 * the answer, queued by a route and by a dependency, and a close that waits for them; the program serves
 * its app on a free port and calls it with fetch.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { page, programSource, runProgram } from '../support/tutorial.ts'

const name = '26-background-tasks'

const printed =
  [
    'POST /send-notification/deadpond@example.com 200 {"message":"Notification sent in the background"}',
    'POST /send-notification-with-query/rusty@example.com?q=heroes 200 {"message":"Message sent"}',
    '1 deadpond@example.com some notification',
    '2 admin@example.com found query: heroes',
    '3 rusty@example.com message to rusty@example.com',
  ].join('\n') + '\n'

describe('tutorial: background tasks', () => {
  test('the program prints what the page says', () => {
    assert.equal(runProgram(name).stdout, printed)
  })

  test('the page shows the program as it is, and what it prints', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
    assert.equal(page(name).output, printed)
  })
})
