/**
 * docs/tutorial/23-security.md: FastAPI's "Simple OAuth2 with Password and Bearer", served on a free port and
 * called with fetch: the 401 without a token, the password form, the token that opens /users/me, and the
 * dependencies that refuse an unknown token or an inactive user.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { page, programSource, runProgram } from '../support/tutorial.ts'

const name = '23-security'

const johndoe = '{"username":"johndoe","email":"johndoe@example.com","full_name":"John Doe","disabled":false}'

const printed =
  [
    '{"OAuth2PasswordBearer":{"type":"oauth2","flows":{"password":{"scopes":{},"tokenUrl":"token"}}}}',
    'GET /users/me 401 WWW-Authenticate: Bearer {"detail":"Not authenticated"}',
    'POST /token 400 {"detail":"Incorrect username or password"}',
    'POST /token 200 {"access_token":"johndoe","token_type":"bearer"}',
    `GET /users/me 200 ${johndoe}`,
    'GET /users/me 401 WWW-Authenticate: Bearer {"detail":"Invalid authentication credentials"}',
    'POST /token 200 {"access_token":"alice","token_type":"bearer"}',
    'GET /users/me 400 {"detail":"Inactive user"}',
  ].join('\n') + '\n'

describe('tutorial: security', () => {
  test('logging in with the password form, then calling with the bearer token', () => {
    assert.equal(runProgram(name, { databaseUrl: undefined }).stdout, printed)
  })

  test('the page shows the program as it is, and what it prints', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
    assert.equal(page(name).output, printed)
  })
})
