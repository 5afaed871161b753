import {
  body,
  createAll,
  createApp,
  createEngine,
  depends,
  field,
  HTTPError,
  IntegrityError,
  model,
  path,
  RequestValidationError,
  Session,
  table,
} from 'onemodel-ts'

const engine = createEngine(process.env.DATABASE_URL ?? 'sqlite:///errors.db')

const User = table(
  'user',
  model('User', {
    id: field.integer({ primaryKey: true }),
    username: field.string({ unique: true, minLength: 3, maxLength: 50 }),
    email: field.string({ maxLength: 100 }),
  }),
)
const UserCreate = model('UserCreate', {
  username: field.string({ minLength: 3, maxLength: 50 }),
  email: field.string({ maxLength: 100 }),
})

const getSession = depends(async function* getSession() {
  await using session = new Session(engine)
  yield session
})

const app = createApp({
  lifespan: { startup: () => createAll(engine), shutdown: () => engine.dispose() },
})

const items: Record<string, string> = { foo: 'The Foo Wrestlers' }

app.get('/items/{item_id}', { params: { item_id: path.string() } }, async function readItem({ item_id }) {
  const item = items[item_id]
  if (item === undefined) throw new HTTPError(404, 'Item not found', { 'x-error': 'There goes my error' })
  return { item }
})

class UnicornError extends Error {
  readonly unicorn: string
  constructor(unicorn: string) {
    super(`${unicorn} did something`)
    this.unicorn = unicorn
  }
}

app.exceptionHandler(UnicornError, (error) => ({
  status: 418,
  body: { message: `Oops! ${error.unicorn} did something. There goes a rainbow...` },
}))

app.get('/unicorns/{name}', { params: { name: path.string() } }, async function readUnicorn({ name }) {
  if (name === 'yolo') throw new UnicornError(name)
  return { unicorn_name: name }
})

app.exceptionHandler(RequestValidationError, (error) => {
  const errors: Record<string, string[]> = {}
  for (const issue of error.issues) (errors[String(issue.loc.at(-1))] ??= []).push(issue.msg)
  return { status: 422, body: { errors } }
})

app.exceptionHandler(IntegrityError, () => ({
  status: 409,
  body: { errors: { username: ['has already been taken'] } },
}))

app.post(
  '/users/',
  { params: { user: body(UserCreate), session: getSession } },
  async function createUser({ user, session }) {
    const dbUser = User.validate(user)
    session.add(dbUser)
    await session.commit()
    return { id: dbUser.id, username: dbUser.username }
  },
)

const address = await app.listen({ port: 0, signals: false })

async function call(method: string, url: string, json?: object): Promise<void> {
  const response = await fetch(address + url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  })
  const header = response.headers.get('x-error')
  const shown = header === null ? '' : ` (x-error: ${header})`
  console.log(method, url, response.status, (await response.text()) + shown)
}

await call('GET', '/items/foo')
await call('GET', '/items/bar')
await call('GET', '/unicorns/yolo')
await call('POST', '/users/', { username: 'jake', email: 'jake@jake.jake' })
await call('POST', '/users/', { username: 'jk' })
await call('POST', '/users/', { username: 'jake', email: 'jake@other.example' })

await app.close()
