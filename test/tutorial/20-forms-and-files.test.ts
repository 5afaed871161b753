/**
 * docs/tutorial/20-forms-and-files.md: FastAPI's "Request Forms and Files", served on a free port and called
 * with fetch's urlencoded and multipart encodings: form fields, a secret one redacted in its 422, an upload
 * read from its temporary file, 413 past the size limit, several files, an optional file.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { page, programSource, runProgram } from '../support/tutorial.ts'

const name = '20-forms-and-files'

const printed =
  [
    'POST /login/ 200 {"username":"johndoe"}',
    'POST /login/ 422 {"detail":[{"type":"string_too_short","loc":["body","password"],"msg":"String should have at least 8 characters","input":"**********","ctx":{"min_length":8}}]}',
    'POST /signup/ 200 {"username":"johndoe","email":"john@example.com","newsletter":true}',
    'POST /files/ 200 {"filename":"hello.txt","contentType":"text/plain","size":13,"sha256":"dde32463cfe9","token":"abc"}',
    'POST /files/ 413 {"detail":"File too large: at most 1024 bytes are accepted."}',
    'POST /files/ 422 {"detail":[{"type":"missing","loc":["body","upload"],"msg":"Field required","input":null}]}',
    'POST /uploadfiles/ 200 {"filenames":["one.txt","two.txt"]}',
    'POST /avatar/ 200 {"avatar":null}',
  ].join('\n') + '\n'

describe('tutorial: forms and files', () => {
  test('form fields, uploads, the size limit and an optional file', () => {
    assert.equal(runProgram(name, { databaseUrl: undefined }).stdout, printed)
  })

  test('the page shows the program as it is, and what it prints', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
    assert.equal(page(name).output, printed)
  })
})
