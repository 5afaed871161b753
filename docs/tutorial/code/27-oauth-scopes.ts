import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto'
import { jwtVerify, SignJWT } from 'jose'
import {
  createApp,
  depends,
  field,
  HTTPError,
  model,
  oauth2PasswordBearer,
  oauth2PasswordRequestForm,
  security,
  securityScopes,
} from 'onemodel-ts'

// A real app reads its key from its configuration; a fresh one per run does for this program.
const SECRET_KEY = randomBytes(32)
const ACCESS_TOKEN_EXPIRE_MINUTES = 30

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
])

const oauth2Scheme = oauth2PasswordBearer({
  tokenUrl: 'token',
  scopes: { me: 'Read information about the current user.', items: 'Read items.' },
})

const getCurrentUser = depends(
  { securityScopes, token: oauth2Scheme },
  async function getCurrentUser({ securityScopes, token }) {
    const authenticateValue =
      securityScopes.scopes.length > 0 ? `Bearer scope="${securityScopes.scopeStr}"` : 'Bearer'
    const credentialsError = new HTTPError(401, 'Could not validate credentials', {
      'WWW-Authenticate': authenticateValue,
    })
    const payload = await jwtVerify(token, SECRET_KEY, { algorithms: ['HS256'] }).then(
      (verified) => verified.payload,
      () => {
        throw credentialsError
      },
    )
    const user = typeof payload.sub === 'string' ? usersDb.get(payload.sub) : undefined
    if (!user) throw credentialsError
    const tokenScopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : []
    for (const scope of securityScopes.scopes) {
      if (!tokenScopes.includes(scope)) {
        throw new HTTPError(401, 'Not enough permissions', { 'WWW-Authenticate': authenticateValue })
      }
    }
    return user
  },
)

const getCurrentActiveUser = depends(
  { user: security(getCurrentUser, { scopes: ['me'] }) },
  function getCurrentActiveUser({ user }) {
    if (user.disabled) throw new HTTPError(400, 'Inactive user')
    return user
  },
)

const app = createApp({ title: 'Users API' })

app.post('/token', { params: { login: oauth2PasswordRequestForm } }, async function login({ login }) {
  const user = usersDb.get(login.username)
  if (!user || !verifyPassword(login.password, user.hashed_password)) {
    throw new HTTPError(400, 'Incorrect username or password')
  }
  // Grants the scopes asked for; a real app grants only those the user may have.
  const accessToken = await new SignJWT({ scope: login.scopes.join(' ') })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user.username)
    .setExpirationTime(`${ACCESS_TOKEN_EXPIRE_MINUTES} minutes`)
    .sign(SECRET_KEY)
  return { access_token: accessToken, token_type: 'bearer' }
})

app.get(
  '/users/me/',
  { params: { user: getCurrentActiveUser }, response: User },
  function readUsersMe({ user }) {
    return user
  },
)

app.get(
  '/users/me/items/',
  { params: { user: security(getCurrentActiveUser, { scopes: ['items'] }) } },
  function readOwnItems({ user }) {
    return [{ item_id: 'Foo', owner: user.username }]
  },
)

app.get('/status/', { params: { user: getCurrentUser } }, function readSystemStatus() {
  return { status: 'ok' }
})

const document = app.openapi() as {
  paths: Record<string, { get?: { security?: unknown } }>
  components: { securitySchemes: object }
}
console.log(JSON.stringify(document.components.securitySchemes))
for (const [path, { get }] of Object.entries(document.paths)) {
  if (get) console.log('GET', path, JSON.stringify(get.security))
}

const address = await app.listen({ port: 0, signals: false })

async function call(method: string, url: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(address + url, { method, ...init })
  const challenge = response.headers.get('www-authenticate')
  const body = await response.json()
  const shown = challenge === null ? [] : [`WWW-Authenticate: ${challenge}`]
  // A token differs on every run: it is shown as '…'.
  const text = JSON.stringify(body, (key, value) => (key === 'access_token' ? '…' : value))
  console.log(method, url, response.status, ...shown, text)
  return body
}

async function logIn(scope: string): Promise<RequestInit> {
  const form = new URLSearchParams({ username: 'johndoe', password: 'secret', scope })
  const { access_token } = (await call('POST', '/token', { body: form })) as { access_token: string }
  return { headers: { authorization: `Bearer ${access_token}` } }
}

const readMe = await logIn('me')
await call('GET', '/users/me/', readMe)
await call('GET', '/users/me/items/', readMe)
const readMeAndItems = await logIn('me items')
await call('GET', '/users/me/items/', readMeAndItems)
await call('GET', '/status/', await logIn(''))
await call('GET', '/status/', { headers: { authorization: 'Bearer forged' } })

await app.close()
