/**
 * Form fields and uploaded files on a real listening server, driven with fetch's own form encodings:
 * urlencoded and multipart fields coerced as query parameters are, FastAPI's 422 under `body`, secret fields
 * never echoed, files streamed to temporary files that are gone once the response is sent, several files
 * under one name, optional files, and 413 past a file's size limit.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { body, createApp, file, files, form, model, field, REDACTED, type App } from 'onemodel-ts'

const Note = model('Note', { text: field.string() })
const Signup = model('Signup', {
  username: field.string({ minLength: 3 }),
  age: field.integer({ ge: 18 }),
  password: field.string({ secret: true, minLength: 8 }),
  newsletter: field.boolean({ default: false }),
})

const seenPaths: string[] = []

function formsApp(): App {
  const app = createApp()
  app.post(
    '/profile',
    {
      params: {
        name: form.string(),
        age: form.integer({ ge: 0 }),
        newsletter: form.boolean({ default: false }),
        password: form.string({ secret: true, minLength: 8 }),
      },
    },
    ({ name, age, newsletter }) => ({ name, age, newsletter }),
  )
  app.post(
    '/upload',
    { params: { upload: file({ maxSize: 64 }), note: form.string({ optional: true }) } },
    async ({ upload, note }) => {
      seenPaths.push(upload.path)
      const content = await readFile(upload.path, 'utf8')
      return { filename: upload.filename, contentType: upload.contentType, size: upload.size, content, note }
    },
  )
  app.post('/two', { params: { first: file({ maxSize: 64 }), second: file({ maxSize: 64 }) } }, () => ({}))
  app.post('/many', { params: { uploads: files() } }, ({ uploads }) => {
    seenPaths.push(...uploads.map((one) => one.path))
    return uploads.map((one) => ({ filename: one.filename, size: one.size }))
  })
  app.post(
    '/maybe',
    { params: { upload: file({ optional: true }), extras: files({ optional: true }) } },
    ({ upload, extras }) => ({
      upload: upload?.filename ?? null,
      extras: extras.length,
    }),
  )
  app.post('/signup', { params: { signup: form.model(Signup) } }, ({ signup }) => ({
    username: signup.username,
    age: signup.age,
    newsletter: signup.newsletter,
  }))
  app.post('/json', { params: { note: body(Note) } }, ({ note }) => note)
  return app
}

let app: App
let origin: string

before(async () => {
  app = formsApp()
  origin = await app.listen({ port: 0, signals: false })
})
after(() => app.close())

async function post(path: string, payload: RequestInit['body'], headers: Record<string, string> = {}) {
  const response = await fetch(`${origin}${path}`, { method: 'POST', body: payload, headers })
  return { status: response.status, body: (await response.json()) as unknown }
}

function multipart(entries: Record<string, string | [content: string, filename: string][]>): FormData {
  const data = new FormData()
  for (const [name, value] of Object.entries(entries)) {
    if (typeof value === 'string') data.append(name, value)
    else
      for (const [content, filename] of value)
        data.append(name, new Blob([content], { type: 'text/plain' }), filename)
  }
  return data
}

/** Waits until none of `paths` exists: the files are deleted once the response has been sent. */
async function gone(paths: readonly string[]): Promise<void> {
  const deadline = Date.now() + 2000
  while (paths.some((path) => existsSync(path))) {
    if (Date.now() > deadline)
      assert.fail(`still there: ${paths.filter((path) => existsSync(path)).join(', ')}`)
    await sleep(10)
  }
}

const PROFILE = { name: 'Deadpond', age: '30', newsletter: 'on', password: 'chimichanga' }

describe('form fields', () => {
  test('an urlencoded form: each field coerced as a query parameter is', async () => {
    assert.deepEqual(await post('/profile', new URLSearchParams(PROFILE)), {
      status: 200,
      body: { name: 'Deadpond', age: 30, newsletter: true },
    })
  })

  test('the same fields as multipart form data', async () => {
    assert.deepEqual(await post('/profile', multipart({ ...PROFILE, newsletter: 'no' })), {
      status: 200,
      body: { name: 'Deadpond', age: 30, newsletter: false },
    })
  })

  test('missing and invalid fields: FastAPI 422 items under body', async () => {
    const answer = await post('/profile', new URLSearchParams({ age: '-1', password: 'chimichanga' }))
    assert.deepEqual(answer, {
      status: 422,
      body: {
        detail: [
          { type: 'missing', loc: ['body', 'name'], msg: 'Field required', input: null },
          {
            type: 'greater_than_equal',
            loc: ['body', 'age'],
            msg: 'Input should be greater than or equal to 0',
            input: '-1',
            ctx: { ge: 0 },
          },
        ],
      },
    })
  })

  test('a secret field that fails is shown redacted, never as sent', async () => {
    const answer = await post('/profile', new URLSearchParams({ ...PROFILE, password: 'hunter2' }))
    assert.equal(answer.status, 422)
    assert.deepEqual((answer.body as { detail: unknown[] }).detail, [
      {
        type: 'string_too_short',
        loc: ['body', 'password'],
        msg: 'String should have at least 8 characters',
        input: REDACTED,
        ctx: { min_length: 8 },
      },
    ])
  })

  test('a JSON body, or none, is no form: every required field is missing', async () => {
    for (const sent of [JSON.stringify(PROFILE), '']) {
      const answer = await post('/profile', sent, { 'content-type': 'application/json' })
      assert.equal(answer.status, 422)
      assert.deepEqual(
        (answer.body as { detail: { loc: unknown[] }[] }).detail.map((item) => item.loc),
        [
          ['body', 'name'],
          ['body', 'age'],
          ['body', 'password'],
        ],
      )
    }
  })

  test('a JSON route still reads a form as text, as before forms existed', async () => {
    const answer = await post('/json', new URLSearchParams({ text: 'hi' }))
    assert.equal(answer.status, 422)
    assert.deepEqual((answer.body as { detail: { type: string }[] }).detail[0]!.type, 'model_attributes_type')
  })
})

describe('form models', () => {
  const signup = { username: 'johndoe', age: '30', password: 'correct horse', newsletter: 'yes' }

  test('the whole form validated by the model, urlencoded or multipart, with its coercion', async () => {
    const expected = { status: 200, body: { username: 'johndoe', age: 30, newsletter: true } }
    assert.deepEqual(await post('/signup', new URLSearchParams(signup)), expected)
    assert.deepEqual(await post('/signup', multipart(signup)), expected)
  })

  test("the model's 422 items under body, its secret field redacted, a repeated field by its last value", async () => {
    const sent = new URLSearchParams({ username: 'jo', age: '30', password: 'hunter2' })
    sent.append('age', '12')
    assert.deepEqual(await post('/signup', sent), {
      status: 422,
      body: {
        detail: [
          {
            type: 'string_too_short',
            loc: ['body', 'username'],
            msg: 'String should have at least 3 characters',
            input: 'jo',
            ctx: { min_length: 3 },
          },
          {
            type: 'greater_than_equal',
            loc: ['body', 'age'],
            msg: 'Input should be greater than or equal to 18',
            input: '12',
            ctx: { ge: 18 },
          },
          {
            type: 'string_too_short',
            loc: ['body', 'password'],
            msg: 'String should have at least 8 characters',
            input: REDACTED,
            ctx: { min_length: 8 },
          },
        ],
      },
    })
  })

  test('a field named __proto__ is one more unknown field, ignored', async () => {
    const sent = `__proto__=x&constructor=y&${new URLSearchParams(signup)}`
    assert.deepEqual(await post('/signup', sent, { 'content-type': 'application/x-www-form-urlencoded' }), {
      status: 200,
      body: { username: 'johndoe', age: 30, newsletter: true },
    })
  })

  test('a form model is the whole form: no other form field or file beside it', () => {
    const mixed = createApp()
    assert.throws(
      () =>
        mixed.post('/mixed', { params: { signup: form.model(Signup), extra: form.string() } }, () => ({})),
      { code: 'OM_HTTP_ROUTE_DEFINITION', message: /a form model reads the whole form/ },
    )
  })
})

describe('files', () => {
  test('an upload is typed, readable from its temporary file, and deleted after the response', async () => {
    const before = seenPaths.length
    const answer = await post('/upload', multipart({ upload: [['hello, file', 'hello.txt']], note: 'first' }))
    assert.deepEqual(answer, {
      status: 200,
      body: {
        filename: 'hello.txt',
        contentType: 'text/plain',
        size: 11,
        content: 'hello, file',
        note: 'first',
      },
    })
    const saved = seenPaths.slice(before)
    assert.equal(saved.length, 1)
    await gone(saved)
  })

  test('several files under one name, in the order sent', async () => {
    const before = seenPaths.length
    const answer = await post(
      '/many',
      multipart({
        uploads: [
          ['a', 'a.txt'],
          ['bb', 'b.txt'],
          ['ccc', 'c.txt'],
        ],
      }),
    )
    assert.deepEqual(answer, {
      status: 200,
      body: [
        { filename: 'a.txt', size: 1 },
        { filename: 'b.txt', size: 2 },
        { filename: 'c.txt', size: 3 },
      ],
    })
    await gone(seenPaths.slice(before))
  })

  test('a missing file is a 422 missing item; an optional one is undefined, optional files an empty list', async () => {
    assert.deepEqual(await post('/upload', multipart({ note: 'no file' })), {
      status: 422,
      body: { detail: [{ type: 'missing', loc: ['body', 'upload'], msg: 'Field required', input: null }] },
    })
    assert.deepEqual(await post('/many', new URLSearchParams({ uploads: 'not a file' })), {
      status: 422,
      body: { detail: [{ type: 'missing', loc: ['body', 'uploads'], msg: 'Field required', input: null }] },
    })
    assert.deepEqual(await post('/maybe', multipart({ other: 'x' })), {
      status: 200,
      body: { upload: null, extras: 0 },
    })
  })

  test('a file past its size limit: 413, and nothing of the request is left in the temporary folder', async () => {
    const exactly = await post('/upload', multipart({ upload: [['x'.repeat(64), 'limit.txt']] }))
    assert.equal(exactly.status, 200)
    const answer = await post(
      '/two',
      multipart({ first: [['small', 'first.sec413']], second: [['y'.repeat(65), 'second.sec413']] }),
    )
    assert.deepEqual(answer, {
      status: 413,
      body: { detail: 'File too large: at most 64 bytes are accepted.' },
    })
    await sleep(50)
    assert.deepEqual(
      readdirSync(tmpdir()).filter((name) => name.endsWith('.sec413')),
      [],
    )
  })

  test('more files than the route takes: 413 before any is kept, even for a route of text fields', async () => {
    const two = await post(
      '/upload',
      multipart({
        upload: [
          ['a', 'a.sec413'],
          ['b', 'b.sec413'],
        ],
      }),
    )
    assert.deepEqual(two, { status: 413, body: { detail: 'Too many files: this route takes at most 1.' } })
    const unasked = await post('/profile', multipart({ ...PROFILE, extra: [['a', 'a.sec413']] }))
    assert.deepEqual(unasked, {
      status: 413,
      body: { detail: 'Too many files: this route takes at most 0.' },
    })
    await sleep(50)
    assert.deepEqual(
      readdirSync(tmpdir()).filter((name) => name.endsWith('.sec413')),
      [],
    )
  })

  test('a multipart text field past the body limit: 413, never a value cut short', async () => {
    const answer = await post(
      '/upload',
      multipart({ upload: [['a', 'a.txt']], note: 'n'.repeat(1024 * 1024 + 1) }),
    )
    assert.deepEqual(answer, { status: 413, body: { detail: 'Form field too large.' } })
  })

  test('a multipart content type without its boundary: 400', async () => {
    const answer = await post('/upload', 'anything', { 'content-type': 'multipart/form-data' })
    assert.deepEqual(answer, { status: 400, body: { detail: 'There was an error parsing the body' } })
  })

  test('a malformed multipart body: 400, as FastAPI answers it', async () => {
    const answer = await post('/upload', '--cut\r\nContent-Disposition: form-data; name="upload"', {
      'content-type': 'multipart/form-data; boundary=cut',
    })
    assert.deepEqual(answer, { status: 400, body: { detail: 'There was an error parsing the body' } })
  })
})

test('a route cannot read both a JSON body and a form', () => {
  const conflicted = createApp()
  assert.throws(
    () => conflicted.post('/both', { params: { note: body(Note), name: form.string() } }, () => ({})),
    { code: 'OM_HTTP_ROUTE_DEFINITION', message: /either a JSON body\(\) or form fields and files/ },
  )
})
