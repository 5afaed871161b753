/**
 * Type tests for OAuth2 scopes: `security(dependency, { scopes })` gives the dependency's value wherever the
 * dependency itself would (a route's params, a dependency's params, a `dependencies` list, a router's), and
 * `securityScopes` gives a `SecurityScopes` whose lists cannot be changed. Checked by `tsc --noEmit` only;
 * nothing here runs.
 */
import {
  createApp,
  createRouter,
  depends,
  oauth2PasswordBearer,
  security,
  securityScopes,
  type ScopedDependency,
  type SecurityScopes,
} from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const app = createApp()
const oauth2Scheme = oauth2PasswordBearer({
  tokenUrl: 'token',
  scopes: { me: 'Read me', items: 'Read items' },
})

// --- securityScopes: the scopes of the chain, read-only ---

const currentUser = depends({ scopes: securityScopes, token: oauth2Scheme }, ({ scopes, token }) => {
  type _scopes = Expect<Equal<typeof scopes, SecurityScopes>>
  type _list = Expect<Equal<typeof scopes.scopes, readonly string[]>>
  type _string = Expect<Equal<typeof scopes.scopeStr, string>>
  // @ts-expect-error the scopes are the route's to require, not a dependency's to change
  scopes.scopes.push('admin')
  // @ts-expect-error
  scopes.scopeStr = 'admin'
  return { username: token, disabled: false }
})

// --- security(): the dependency's own value, wherever a dependency goes ---

const scopedUser = security(currentUser, { scopes: ['me'] })
type _scoped = Expect<
  Equal<
    typeof scopedUser,
    ScopedDependency<{ username: string; disabled: boolean }, typeof currentUser.params>
  >
>

const currentActiveUser = depends({ user: scopedUser }, ({ user }) => {
  type _user = Expect<Equal<typeof user, { username: string; disabled: boolean }>>
  return user
})

app.get(
  '/users/me/items/',
  {
    params: {
      user: security(currentActiveUser, { scopes: ['items'] }),
      token: security(oauth2Scheme, { scopes: [] }),
    },
    dependencies: [security(currentUser, { scopes: ['items'] })],
  },
  ({ user, token }) => {
    type _user = Expect<Equal<typeof user, { username: string; disabled: boolean }>>
    type _token = Expect<Equal<typeof token, string>>
    return [{ item_id: 'Foo', owner: user.username }]
  },
)

createRouter({ dependencies: [security(oauth2Scheme, { scopes: ['me'] })] })

// The route itself may take securityScopes (the empty set).
app.get('/own', { params: { scopes: securityScopes } }, ({ scopes }) => {
  type _scopes = Expect<Equal<typeof scopes, SecurityScopes>>
  return { scopes: scopes.scopes }
})

// A scopes array built elsewhere, readonly or not, is accepted.
const fromConfig: readonly string[] = ['me']
security(currentUser, { scopes: fromConfig })

// @ts-expect-error scopes are strings
security(currentUser, { scopes: [1] })
// @ts-expect-error a scope string is not a list of scopes
security(currentUser, { scopes: 'me items' })
// @ts-expect-error the scopes are required: without them, use the dependency itself
security(currentUser, {})
// @ts-expect-error only a dependency can require scopes
security(() => 'user', { scopes: ['me'] })
