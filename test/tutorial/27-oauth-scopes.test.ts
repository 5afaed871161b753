/**
 * docs/tutorial/27-oauth-scopes.md: FastAPI's "OAuth2 scopes" page, served on a free port and called with
 * fetch: the scopes each operation lists in the document, a token signed with the scopes asked for, the
 * 401 with the required scopes in the challenge when one is missing, and a route that requires none.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { page, programSource, runProgram } from '../support/tutorial.ts'

const name = '27-oauth-scopes'

const token = 'POST /token 200 {"access_token":"…","token_type":"bearer"}'

const printed =
  [
    '{"OAuth2PasswordBearer":{"type":"oauth2","flows":{"password":{"scopes":{"me":"Read information about the current user.","items":"Read items."},"tokenUrl":"token"}}}}',
    'GET /users/me/ [{"OAuth2PasswordBearer":["me"]}]',
    'GET /users/me/items/ [{"OAuth2PasswordBearer":["items","me"]}]',
    'GET /status/ [{"OAuth2PasswordBearer":[]}]',
    token,
    'GET /users/me/ 200 {"username":"johndoe","email":"johndoe@example.com","full_name":"John Doe","disabled":false}',
    'GET /users/me/items/ 401 WWW-Authenticate: Bearer scope="items me" {"detail":"Not enough permissions"}',
    token,
    'GET /users/me/items/ 200 [{"item_id":"Foo","owner":"johndoe"}]',
    token,
    'GET /status/ 200 {"status":"ok"}',
    'GET /status/ 401 WWW-Authenticate: Bearer {"detail":"Could not validate credentials"}',
  ].join('\n') + '\n'

describe('tutorial: OAuth2 scopes', () => {
  test('tokens with and without the scopes a route requires', () => {
    assert.equal(runProgram(name, { databaseUrl: undefined }).stdout, printed)
  })

  test('the page shows the program as it is, and what it prints', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
    assert.equal(page(name).output, printed)
  })
})
