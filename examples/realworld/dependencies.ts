/**
 * What the routers share, FastAPI's `dependencies.py`: a Session per request, and the current user read
 * from `Authorization: Token <jwt>`. They are made per engine, so one process can serve the app on several
 * databases (the tests do, on each dialect).
 */
import { apiKeyHeader, depends, type Engine, HTTPError, Session } from 'onemodel-ts'
import { User } from './models.ts'
import type { Tokens } from './tokens.ts'

const description =
  'A JWT from registering (`POST /users`) or logging in (`POST /users/login`), sent as `Token <jwt>`.'

/** The `Token` scheme of RealWorld's spec: the whole `Authorization` header, `Token <jwt>`. */
const tokenHeader = apiKeyHeader({ name: 'Authorization', schemeName: 'Token', description })
/** The same scheme where signing in is optional: no header gives `undefined`, not a 401. */
const optionalTokenHeader = apiKeyHeader({
  name: 'Authorization',
  schemeName: 'Token',
  description,
  autoError: false,
})

/** The signed-in user, and the token they sent (the user answers carry it back). */
export interface SignedIn {
  readonly user: User
  readonly token: string
}

function unauthorized(): never {
  return HTTPError.raise(401, 'Unauthorized', { 'WWW-Authenticate': 'Token' })
}

/**
 * The dependencies of the app on `engine`, tokens checked by `tokens`.
 *
 * @example
 * const { getSession, currentUser } = conduitDependencies(engine, tokens)
 * router.get('/user', { params: { me: currentUser } }, ({ me }) => me.user)
 */
export function conduitDependencies(engine: Engine, tokens: Tokens) {
  // Disposed of (closed) after the response: what `await using` in a generator does, for less.
  const getSession = depends.using(function getSession() {
    return new Session(engine)
  })

  /** The user a header's token names: a header that is not `Token <valid jwt>` of a user is a 401. */
  async function signedIn(header: string, session: Session): Promise<SignedIn> {
    const token = /^Token (\S+)$/.exec(header)?.[1] ?? unauthorized()
    const id = (await tokens.userIdOf(token)) ?? unauthorized()
    const user = (await session.get(User, id)) ?? unauthorized()
    return { user, token }
  }

  const currentUser = depends(
    { header: tokenHeader, session: getSession },
    function currentUser({ header, session }) {
      return signedIn(header, session)
    },
  )

  /** The signed-in user, or `undefined` without a header; a header with a bad token is still a 401. */
  const optionalUser = depends(
    { header: optionalTokenHeader, session: getSession },
    function optionalUser({ header, session }) {
      return header === undefined ? undefined : signedIn(header, session)
    },
  )

  return { getSession, currentUser, optionalUser, tokens }
}

export type ConduitDependencies = ReturnType<typeof conduitDependencies>
