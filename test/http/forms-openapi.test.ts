/**
 * How forms and files appear in the OpenAPI document, as FastAPI writes them: one `Body_<operationId>`
 * component holding the fields, sent urlencoded, or as multipart form data when a file is among them; a
 * file is a `format: binary` string, several files an array of them.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createApp, field, file, files, form, model, oauth2PasswordRequestForm } from 'onemodel-ts'

type Json = Record<string, any>

test('form fields: an urlencoded Body_ component, required when a field is', () => {
  const app = createApp()
  app.post('/token', { params: { login: oauth2PasswordRequestForm } }, function login() {
    return {}
  })
  const document = app.openapi() as Json
  assert.deepEqual(document.paths['/token'].post.requestBody, {
    content: {
      'application/x-www-form-urlencoded': { schema: { $ref: '#/components/schemas/Body_login_token_post' } },
    },
    required: true,
  })
  assert.deepEqual(document.components.schemas.Body_login_token_post, {
    properties: {
      grant_type: { type: 'string', pattern: '^password$', title: 'Grant Type' },
      username: { type: 'string', title: 'Username' },
      password: { type: 'string', title: 'Password' },
      scope: { type: 'string', title: 'Scope', default: '' },
      client_id: { type: 'string', title: 'Client Id' },
      client_secret: { type: 'string', title: 'Client Secret' },
    },
    type: 'object',
    required: ['username', 'password'],
    title: 'Body_login_token_post',
  })
  assert.equal(document.paths['/token'].post.parameters, undefined, 'form fields are no parameters')
})

test('files: multipart, binary strings, an array for several, nullable when optional', () => {
  const app = createApp()
  app.post(
    '/files/',
    {
      params: {
        upload: file({ description: 'The main file' }),
        extras: files(),
        thumbnail: file({ optional: true }),
        token: form.string(),
      },
    },
    function createFile() {
      return {}
    },
  )
  const document = app.openapi() as Json
  assert.deepEqual(document.paths['/files/'].post.requestBody, {
    content: {
      'multipart/form-data': { schema: { $ref: '#/components/schemas/Body_create_file_files__post' } },
    },
    required: true,
  })
  assert.deepEqual(document.components.schemas.Body_create_file_files__post, {
    properties: {
      upload: { type: 'string', format: 'binary', title: 'Upload', description: 'The main file' },
      extras: { type: 'array', items: { type: 'string', format: 'binary' }, title: 'Extras' },
      thumbnail: { anyOf: [{ type: 'string', format: 'binary' }, { type: 'null' }], title: 'Thumbnail' },
      token: { type: 'string', title: 'Token' },
    },
    type: 'object',
    required: ['upload', 'extras', 'token'],
    title: 'Body_create_file_files__post',
  })
})

test('a form of optional fields only: the body is not required', () => {
  const app = createApp()
  app.post('/search', { params: { q: form.string({ optional: true }) } }, function search() {
    return {}
  })
  const requestBody = (app.openapi() as Json).paths['/search'].post.requestBody
  assert.equal(requestBody.required, undefined)
  assert.ok(requestBody.content['application/x-www-form-urlencoded'])
})

test("a form model: the urlencoded body is the model's own component", () => {
  const Signup = model('Signup', { username: field.string(), age: field.integer({ ge: 18 }) })
  const app = createApp()
  app.post('/signup', { params: { signup: form.model(Signup) } }, function signup() {
    return {}
  })
  const document = app.openapi() as Json
  assert.deepEqual(document.paths['/signup'].post.requestBody, {
    content: { 'application/x-www-form-urlencoded': { schema: { $ref: '#/components/schemas/Signup' } } },
    required: true,
  })
  assert.deepEqual(document.components.schemas.Signup, {
    type: 'object',
    properties: {
      username: { type: 'string', title: 'Username' },
      age: { type: 'integer', minimum: 18, title: 'Age' },
    },
    required: ['username', 'age'],
    title: 'Signup',
  })
})
