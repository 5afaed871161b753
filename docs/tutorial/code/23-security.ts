import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'
import {
  createApp,
  depends,
  field,
  HTTPError,
  model,
  oauth2PasswordBearer,
  oauth2PasswordRequestForm,
} from 'onemodel-ts'

const User = model('User', {
  username: field.string(),
  email: field.string({ nullable: true, default: null }),
  full_name: field.string({ nullable: true, default: null }),
  disabled: field.boolean({ default: false }),
})

/** A password stored as `salt:hash`, never as itself. */
function hashPassword(password: string): string {
  const salt = randomBytes(16)
  return `${salt.toString('hex')}:${scryptSync(password, salt, 32).toString('hex')}`
}

function verifyPassword(password: string, stored: string): boolean {
  const [salt, hash] = stored.split(':') as [string, string]
  return timingSafeEqual(scryptSync(password, Buffer.from(salt, 'hex'), 32), Buffer.from(hash, 'hex'))
}

const usersDb = new Map([
  [
    'johndoe',
    {
      username: 'johndoe',
      full_name: 'John Doe',
      email: 'johndoe@example.com',
      disabled: false,
      hashed_password: hashPassword('secret'),
    },
  ],
  [
    'alice',
    {
      username: 'alice',
      full_name: 'Alice Wonderson',
      email: 'alice@example.com',
      disabled: true,
      hashed_password: hashPassword('secret2'),
    },
  ],
])

const oauth2Scheme = oauth2PasswordBearer({ tokenUrl: 'token' })

const getCurrentUser = depends({ token: oauth2Scheme }, function getCurrentUser({ token }) {
  // A real app decodes a signed token (a JWT) here; this one's token is the user name.
  const user = usersDb.get(token)
  if (!user) {
    throw new HTTPError(401, 'Invalid authentication credentials', { 'WWW-Authenticate': 'Bearer' })
  }
  return user
})

const getCurrentActiveUser = depends({ user: getCurrentUser }, function getCurrentActiveUser({ user }) {
  if (user.disabled) throw new HTTPError(400, 'Inactive user')
  return user
})

const app = createApp({ title: 'Users API' })

app.post('/token', { params: { login: oauth2PasswordRequestForm } }, function login({ login }) {
  const user = usersDb.get(login.username)
  if (!user || !verifyPassword(login.password, user.hashed_password)) {
    throw new HTTPError(400, 'Incorrect username or password')
  }
  return { access_token: user.username, token_type: 'bearer' }
})

app.get(
  '/users/me',
  { params: { user: getCurrentActiveUser }, response: User },
  function readUsersMe({ user }) {
    return user
  },
)

const address = await app.listen({ port: 0, signals: false })

async function call(method: string, url: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(address + url, { method, ...init })
  const challenge = response.headers.get('www-authenticate')
  const body = await response.json()
  const shown = challenge === null ? [] : [`WWW-Authenticate: ${challenge}`]
  console.log(method, url, response.status, ...shown, JSON.stringify(body))
  return body
}

const { components } = app.openapi() as { components: { securitySchemes: object } }
console.log(JSON.stringify(components.securitySchemes))

await call('GET', '/users/me')
await call('POST', '/token', { body: new URLSearchParams({ username: 'johndoe', password: 'wrong' }) })
const { access_token } = (await call('POST', '/token', {
  body: new URLSearchParams({ username: 'johndoe', password: 'secret' }),
})) as { access_token: string }
await call('GET', '/users/me', { headers: { authorization: `Bearer ${access_token}` } })
await call('GET', '/users/me', { headers: { authorization: 'Bearer nobody' } })
const alice = (await call('POST', '/token', {
  body: new URLSearchParams({ username: 'alice', password: 'secret2' }),
})) as { access_token: string }
await call('GET', '/users/me', { headers: { authorization: `Bearer ${alice.access_token}` } })

await app.close()
