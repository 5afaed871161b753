import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createApp, field, file, files, form, model } from 'onemodel-ts'

const app = createApp({ title: 'Forms and files' })

app.post(
  '/login/',
  { params: { username: form.string(), password: form.string({ secret: true, minLength: 8 }) } },
  function login({ username }) {
    return { username }
  },
)

const Signup = model('Signup', {
  username: field.string({ minLength: 3 }),
  email: field.string(),
  password: field.string({ secret: true, minLength: 8 }),
  newsletter: field.boolean({ default: false }),
})

app.post('/signup/', { params: { signup: form.model(Signup) } }, function signup({ signup }) {
  return { username: signup.username, email: signup.email, newsletter: signup.newsletter }
})

app.post(
  '/files/',
  { params: { upload: file({ maxSize: 1024 }), token: form.string() } },
  async function createFile({ upload, token }) {
    const sha256 = createHash('sha256')
      .update(await readFile(upload.path))
      .digest('hex')
    return {
      filename: upload.filename,
      contentType: upload.contentType,
      size: upload.size,
      sha256: sha256.slice(0, 12),
      token,
    }
  },
)

app.post('/uploadfiles/', { params: { uploads: files() } }, function createUploadFiles({ uploads }) {
  return { filenames: uploads.map((upload) => upload.filename) }
})

app.post('/avatar/', { params: { avatar: file({ optional: true }) } }, function updateAvatar({ avatar }) {
  return { avatar: avatar?.filename ?? null }
})

const address = await app.listen({ port: 0, signals: false })

async function post(url: string, body: URLSearchParams | FormData): Promise<void> {
  const response = await fetch(address + url, { method: 'POST', body })
  console.log('POST', url, response.status, JSON.stringify(await response.json()))
}

function formData(fields: Record<string, string>, uploads: [name: string, text: string, filename: string][]) {
  const data = new FormData()
  for (const [name, value] of Object.entries(fields)) data.append(name, value)
  for (const [name, text, filename] of uploads) {
    data.append(name, new Blob([text], { type: 'text/plain' }), filename)
  }
  return data
}

await post('/login/', new URLSearchParams({ username: 'johndoe', password: 'correct horse' }))
await post('/login/', new URLSearchParams({ username: 'johndoe', password: 'short' }))
await post(
  '/signup/',
  new URLSearchParams({
    username: 'johndoe',
    email: 'john@example.com',
    password: 'correct horse',
    newsletter: 'on',
  }),
)
await post('/files/', formData({ token: 'abc' }, [['upload', 'Hello, files!', 'hello.txt']]))
await post('/files/', formData({ token: 'abc' }, [['upload', 'x'.repeat(2048), 'big.txt']]))
await post('/files/', formData({ token: 'abc' }, []))
await post(
  '/uploadfiles/',
  formData({}, [
    ['uploads', 'one', 'one.txt'],
    ['uploads', 'two', 'two.txt'],
  ]),
)
await post('/avatar/', formData({}, []))

await app.close()
