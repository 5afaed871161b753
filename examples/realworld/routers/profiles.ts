/**
 * Profiles and follows. Follows are the self-referential many-to-many `follow` (follower, followed), whose
 * primary key makes following twice one follow.
 */
import {
  bindParam,
  createRouter,
  deleteFrom,
  HTTPError,
  insert,
  path,
  select,
  type Session,
} from 'onemodel-ts'
import type { ConduitDependencies } from '../dependencies.ts'
import { raiseFieldErrors } from '../errors.ts'
import { Follow, ProfileResponse, User } from '../models.ts'
import { profileOf, readProfile } from '../reading.ts'

const userByName = select(User).where(User.c.username.eq(bindParam('username')))

async function userNamed(session: Session, username: string): Promise<User> {
  const user = await session.exec(userByName, { params: { username } }).first()
  return user ?? HTTPError.raise(404, 'Profile not found')
}

/**
 * The profiles router.
 *
 * @example
 * app.include(profilesRouter(dependencies), { prefix: '/api' })
 */
export function profilesRouter({ getSession, currentUser, optionalUser }: ConduitDependencies) {
  const router = createRouter({ prefix: '/profiles/{username}', tags: ['Profile'] })
  const username = path.string({ description: 'Username of the profile' })

  router.get(
    '',
    { params: { username, viewer: optionalUser, session: getSession }, response: ProfileResponse },
    async function readProfileOf({ username, viewer, session }) {
      const [user, following] =
        (await readProfile(session, username, viewer?.user)) ?? HTTPError.raise(404, 'Profile not found')
      return { profile: profileOf(user, following > 0) }
    },
  )

  router.post(
    '/follow',
    { params: { username, me: currentUser, session: getSession }, response: ProfileResponse },
    async function follow({ username, me, session }) {
      const user = await userNamed(session, username)
      if (user.id === me.user.id) raiseFieldErrors(422, { username: ['cannot be followed by itself'] })
      await session.exec(
        insert(Follow)
          .values({ follower_id: me.user.id, followed_id: user.id })
          .onConflict({ target: ['follower_id', 'followed_id'] })
          .doNothing(),
      )
      await session.commit()
      return { profile: profileOf(user, true) }
    },
  )

  router.delete(
    '/follow',
    { params: { username, me: currentUser, session: getSession }, response: ProfileResponse },
    async function unfollow({ username, me, session }) {
      const user = await userNamed(session, username)
      await session.exec(
        deleteFrom(Follow).where(Follow.c.follower_id.eq(me.user.id), Follow.c.followed_id.eq(user.id)),
      )
      await session.commit()
      return { profile: profileOf(user, false) }
    },
  )

  return router
}
