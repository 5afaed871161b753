/**
 * Type tests for security schemes, forms and files: each scheme gives its credential type, `undefined`
 * added only with `autoError: false`; form fields type as other parameters do; files are `UploadedFile`,
 * a list, or `undefined` when optional. Checked by `tsc --noEmit` only; nothing here runs.
 */
import {
  apiKeyCookie,
  apiKeyHeader,
  apiKeyQuery,
  createApp,
  depends,
  field,
  file,
  files,
  form,
  httpBasic,
  httpBearer,
  model,
  oauth2PasswordBearer,
  oauth2PasswordRequestForm,
  type HTTPAuthorizationCredentials,
  type HTTPBasicCredentials,
  type OAuth2PasswordRequest,
  type UploadedFile,
} from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const app = createApp()

// --- Security schemes: the credential, with undefined only when autoError is false ---

app.get(
  '/schemes',
  {
    params: {
      token: oauth2PasswordBearer({ tokenUrl: 'token', scopes: { me: 'Read me' } }),
      maybeToken: oauth2PasswordBearer({ tokenUrl: 'token', autoError: false }),
      bearer: httpBearer({ bearerFormat: 'JWT' }),
      maybeBearer: httpBearer({ autoError: false }),
      basic: httpBasic({ realm: 'admin' }),
      maybeBasic: httpBasic({ autoError: false }),
      header: apiKeyHeader({ name: 'X-API-Key' }),
      query: apiKeyQuery({ name: 'api_key', autoError: false }),
      cookie: apiKeyCookie({ name: 'session', autoError: true }),
    },
  },
  (args) => {
    type _token = Expect<Equal<typeof args.token, string>>
    type _maybeToken = Expect<Equal<typeof args.maybeToken, string | undefined>>
    type _bearer = Expect<Equal<typeof args.bearer, HTTPAuthorizationCredentials>>
    type _maybeBearer = Expect<Equal<typeof args.maybeBearer, HTTPAuthorizationCredentials | undefined>>
    type _basic = Expect<Equal<typeof args.basic, HTTPBasicCredentials>>
    type _maybeBasic = Expect<Equal<typeof args.maybeBasic, HTTPBasicCredentials | undefined>>
    type _header = Expect<Equal<typeof args.header, string>>
    type _query = Expect<Equal<typeof args.query, string | undefined>>
    type _cookie = Expect<Equal<typeof args.cookie, string>>
    return {}
  },
)

// A scheme is a dependency: other dependencies take it as a parameter.
const oauth2Scheme = oauth2PasswordBearer({ tokenUrl: 'token' })
const currentUser = depends({ token: oauth2Scheme }, ({ token }) => {
  type _token = Expect<Equal<typeof token, string>>
  return { username: token }
})
app.get('/users/me', { params: { user: currentUser } }, ({ user }) => {
  type _user = Expect<Equal<typeof user, { username: string }>>
  return user
})

// @ts-expect-error tokenUrl is required
oauth2PasswordBearer({})
// @ts-expect-error an API key scheme needs the key's name
apiKeyHeader({})

// --- Forms and files ---

app.post(
  '/forms',
  {
    params: {
      login: oauth2PasswordRequestForm,
      name: form.string(),
      age: form.integer({ optional: true }),
      agree: form.boolean({ default: false }),
      upload: file(),
      avatar: file({ optional: true, maxSize: 1024 }),
      attachments: files(),
    },
  },
  (args) => {
    type _login = Expect<Equal<typeof args.login, OAuth2PasswordRequest>>
    type _name = Expect<Equal<typeof args.name, string>>
    type _age = Expect<Equal<typeof args.age, number | undefined>>
    type _agree = Expect<Equal<typeof args.agree, boolean>>
    type _upload = Expect<Equal<typeof args.upload, UploadedFile>>
    type _avatar = Expect<Equal<typeof args.avatar, UploadedFile | undefined>>
    type _attachments = Expect<Equal<typeof args.attachments, UploadedFile[]>>
    type _fields = Expect<Equal<keyof UploadedFile, 'filename' | 'contentType' | 'size' | 'path'>>
    return {}
  },
)

const Signup = model('Signup', {
  username: field.string(),
  age: field.integer({ nullable: true, default: null }),
})
app.post('/signup', { params: { signup: form.model(Signup) } }, ({ signup }) => {
  type _signup = Expect<Equal<typeof signup, typeof Signup.Type>>
  type _age = Expect<Equal<typeof signup.age, number | null>>
  return {}
})

// @ts-expect-error a file's size limit is a number of bytes
file({ maxSize: '1MB' })
