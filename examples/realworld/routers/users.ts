/**
 * Users and authentication: register, log in, read and update the current user. A name or email taken
 * already is refused by the table's unique constraints, so two registrations of one name at the same
 * moment get one 201 and one 422, never two users.
 */
import { bindParam, body, createRouter, IntegrityError, select, type Session } from 'onemodel-ts'
import type { ConduitDependencies } from '../dependencies.ts'
import { raiseFieldErrors } from '../errors.ts'
import {
  LoginUserRequest,
  NewUserRequest,
  UpdateUserRequest,
  User,
  UserResponse,
  UserUpdate,
} from '../models.ts'
import { hashPassword, verifyPassword } from '../passwords.ts'

const UNIQUE_FIELDS = ['username', 'email'] as const

const userByEmail = select(User).where(User.c.email.eq(bindParam('email')))

/**
 * Commits, answering a unique constraint's refusal as RealWorld does: 422, `has already been taken`
 * under the field whose constraint refused.
 */
async function commitUnique(session: Session): Promise<void> {
  try {
    await session.commit()
  } catch (error) {
    if (!(error instanceof IntegrityError) || error.constraint !== 'unique') throw error
    const taken = UNIQUE_FIELDS.find((name) => error.target?.includes(name))
    if (taken === undefined) throw error
    raiseFieldErrors(422, { [taken]: ['has already been taken'] })
  }
}

/**
 * The users router.
 *
 * @example
 * app.include(usersRouter(dependencies), { prefix: '/api' })
 */
export function usersRouter({ getSession, currentUser, tokens }: ConduitDependencies) {
  const router = createRouter({ tags: ['User and Authentication'] })

  /** The `{"user": …}` answer: what UserPublic shows, with the token sent, or a new one. */
  const answer = async (user: User, token?: string) => ({
    user: {
      username: user.username,
      email: user.email,
      bio: user.bio,
      image: user.image,
      token: token ?? (await tokens.issue(user.id)),
    },
  })

  router.post(
    '/users',
    { params: { request: body(NewUserRequest), session: getSession }, response: UserResponse, status: 201 },
    async function register({ request: { user }, session }) {
      const { password, ...fields } = user
      const dbUser = User.create({ ...fields, password_hash: await hashPassword(password) })
      session.add(dbUser)
      await commitUnique(session)
      return answer(await session.refresh(dbUser))
    },
  )

  router.post(
    '/users/login',
    { params: { request: body(LoginUserRequest), session: getSession }, response: UserResponse },
    async function login({ request: { user }, session }) {
      const dbUser = await session.exec(userByEmail, { params: { email: user.email } }).first()
      // The same answer, in the same time, whether the email or the password is wrong.
      const valid = await verifyPassword(user.password, dbUser?.password_hash)
      if (!dbUser || !valid) raiseFieldErrors(401, { 'email or password': ['is invalid'] })
      return answer(dbUser)
    },
  )

  router.get(
    '/user',
    { params: { me: currentUser }, response: UserResponse },
    function readCurrentUser({ me }) {
      return answer(me.user, me.token)
    },
  )

  router.put(
    '/user',
    {
      params: { request: body(UpdateUserRequest), me: currentUser, session: getSession },
      response: UserResponse,
    },
    async function updateCurrentUser({ request: { user }, me, session }) {
      const { password, ...fields } = UserUpdate.dump(user, { excludeUnset: true })
      User.update(me.user, fields)
      if (password !== undefined) me.user.password_hash = await hashPassword(password)
      session.add(me.user)
      await commitUnique(session)
      return answer(me.user, me.token)
    },
  )

  return router
}
