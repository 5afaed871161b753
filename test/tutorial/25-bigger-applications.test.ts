/**
 * docs/tutorial/25-bigger-applications.md: FastAPI's "Bigger Applications" with routers, served on a free
 * port and called with fetch: prefixes, tags, router and app dependencies, and documented responses.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { page, programSource, runProgram } from '../support/tutorial.ts'

const name = '25-bigger-applications'

describe('tutorial: bigger applications', () => {
  test('the routers answer under their prefixes, checked by their dependencies and the app', () => {
    const { stdout } = runProgram(name, { databaseUrl: undefined })
    assert.equal(stdout, page(name).output)
    assert.match(stdout, /^GET \/items\/gun\?token=jessica 400 \{"detail":"X-Token header invalid"\}$/m)
    assert.match(stdout, /^PUT \/items\/\{item_id\} tags: items,custom responses: 200,403,404,422$/m)
    assert.match(stdout, /^POST \/admin\/ tags: admin responses: 200,418,422$/m)
  })

  test('the page shows the program as it is', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
  })
})
