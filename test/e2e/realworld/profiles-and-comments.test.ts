/**
 * RealWorld's profiles, follows and comments over HTTP, on every dialect: idempotent follows, the viewer's
 * `following` flag, and comments with their ownership and error answers.
 */
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { DIALECTS } from '../../support/dialects.ts'
import { draft, serveConduit, type RegisteredUser } from './conduit.ts'

const ISO_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/
const NOT_AUTHENTICATED = { status: 401, body: { errors: { body: ['Not authenticated'] } } }
const PROFILE_NOT_FOUND = { status: 404, body: { errors: { body: ['Profile not found'] } } }
const ARTICLE_NOT_FOUND = { status: 404, body: { errors: { body: ['Article not found'] } } }

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: RealWorld profiles and comments`, () => {
    const conduit = serveConduit(dialect)
    const { call } = conduit
    let celeb: RegisteredUser
    let fan: RegisteredUser

    before(async () => {
      celeb = await conduit.register('celeb')
      fan = await conduit.register('fan')
    })

    const profile = (username: string, following: boolean) => ({
      status: 200,
      body: { profile: { username, bio: null, image: null, following } },
    })

    test('GET /profiles/{username} shows whether the viewer follows; an unknown name is a 404', async () => {
      assert.deepEqual(await call('GET', '/profiles/celeb'), profile('celeb', false))
      assert.deepEqual(await call('GET', '/profiles/celeb', { token: fan.token }), profile('celeb', false))
      assert.deepEqual(await call('GET', '/profiles/nobody'), PROFILE_NOT_FOUND)
      assert.deepEqual(await call('GET', '/profiles/celeb', { token: 'forged' }), {
        status: 401,
        body: { errors: { body: ['Unauthorized'] } },
      })
    })

    test('following and unfollowing are idempotent', async () => {
      const follow = () => call('POST', '/profiles/celeb/follow', { token: fan.token })
      const unfollow = () => call('DELETE', '/profiles/celeb/follow', { token: fan.token })
      assert.deepEqual(await follow(), profile('celeb', true))
      assert.deepEqual(await follow(), profile('celeb', true), 'a second follow is the same one')
      assert.deepEqual(await call('GET', '/profiles/celeb', { token: fan.token }), profile('celeb', true))
      assert.deepEqual(await call('GET', '/profiles/fan', { token: celeb.token }), profile('fan', false))
      assert.deepEqual(await unfollow(), profile('celeb', false))
      assert.deepEqual(await unfollow(), profile('celeb', false), 'unfollowing twice is harmless')
      assert.deepEqual(await call('GET', '/profiles/celeb', { token: fan.token }), profile('celeb', false))
    })

    test('follows are refused without a token, for an unknown name, and of oneself', async () => {
      assert.deepEqual(await call('POST', '/profiles/celeb/follow'), NOT_AUTHENTICATED)
      assert.deepEqual(await call('DELETE', '/profiles/celeb/follow'), NOT_AUTHENTICATED)
      assert.deepEqual(await call('POST', '/profiles/nobody/follow', { token: fan.token }), PROFILE_NOT_FOUND)
      assert.deepEqual(
        await call('DELETE', '/profiles/nobody/follow', { token: fan.token }),
        PROFILE_NOT_FOUND,
      )
      assert.deepEqual(await call('POST', '/profiles/fan/follow', { token: fan.token }), {
        status: 422,
        body: { errors: { username: ['cannot be followed by itself'] } },
      })
    })

    test('comments: created by a signed-in user, listed oldest first with the viewer’s flags', async () => {
      const { slug } = await conduit.publish(celeb, draft(1))
      const created = await call('POST', `/articles/${slug}/comments`, {
        json: { comment: { body: 'Thank you so much!' } },
        token: fan.token,
      })
      assert.equal(created.status, 200)
      const { id, createdAt, updatedAt, ...comment } = created.body.comment
      assert.ok(Number.isInteger(id))
      assert.match(createdAt, ISO_TIMESTAMP)
      assert.match(updatedAt, ISO_TIMESTAMP)
      assert.deepEqual(comment, {
        body: 'Thank you so much!',
        author: { username: 'fan', bio: null, image: null, following: false },
      })
      await call('POST', `/articles/${slug}/comments`, {
        json: { comment: { body: 'You are welcome' } },
        token: celeb.token,
      })
      await call('POST', '/profiles/fan/follow', { token: celeb.token })

      const listed = await call('GET', `/articles/${slug}/comments`, { token: celeb.token })
      assert.equal(listed.status, 200)
      assert.deepEqual(
        listed.body.comments.map((c: any) => [c.body, c.author.username, c.author.following]),
        [
          ['Thank you so much!', 'fan', true],
          ['You are welcome', 'celeb', false],
        ],
      )
      assert.deepEqual(listed.body.comments[0], {
        ...created.body.comment,
        author: { ...comment.author, following: true },
      })
      const anonymous = await call('GET', `/articles/${slug}/comments`)
      assert.deepEqual(
        anonymous.body.comments.map((c: any) => c.author.following),
        [false, false],
      )
      assert.equal(
        conduit.statements().filter((line) => /^select /i.test(line)).length,
        2,
        'the article, the comments',
      )
    })

    test('comments: refused without a token, on an unknown article, and when the body does not validate', async () => {
      const { slug } = await conduit.publish(celeb, draft(2))
      const comment = { json: { comment: { body: 'Hello' } } }
      assert.deepEqual(await call('POST', `/articles/${slug}/comments`, comment), NOT_AUTHENTICATED)
      assert.deepEqual(
        await call('POST', '/articles/no-such-article/comments', { ...comment, token: fan.token }),
        ARTICLE_NOT_FOUND,
      )
      assert.deepEqual(await call('GET', '/articles/no-such-article/comments'), ARTICLE_NOT_FOUND)
      assert.deepEqual(
        await call('POST', `/articles/${slug}/comments`, { json: { comment: {} }, token: fan.token }),
        {
          status: 422,
          body: { errors: { body: ['Field required'] } },
        },
      )
      assert.deepEqual(await call('GET', `/articles/${slug}/comments`), {
        status: 200,
        body: { comments: [] },
      })
    })

    test('DELETE a comment: only its author, only under its own article', async () => {
      const { slug } = await conduit.publish(celeb, draft(3))
      const other = await conduit.publish(celeb, draft(4))
      const { id } = (
        await call('POST', `/articles/${slug}/comments`, {
          json: { comment: { body: 'Mine' } },
          token: fan.token,
        })
      ).body.comment
      assert.deepEqual(await call('DELETE', `/articles/${slug}/comments/${id}`, { token: celeb.token }), {
        status: 403,
        body: { errors: { body: ['You are not the author of this comment'] } },
      })
      assert.deepEqual(await call('DELETE', `/articles/${slug}/comments/${id}`), NOT_AUTHENTICATED)
      const notFound = { status: 404, body: { errors: { body: ['Comment not found'] } } }
      assert.deepEqual(
        await call('DELETE', `/articles/${other.slug}/comments/${id}`, { token: fan.token }),
        notFound,
      )
      assert.deepEqual(
        await call('DELETE', `/articles/${slug}/comments/999999`, { token: fan.token }),
        notFound,
      )
      assert.deepEqual(await call('DELETE', `/articles/${slug}/comments/abc`, { token: fan.token }), {
        status: 422,
        body: { errors: { id: ['Input should be a valid integer, unable to parse string as an integer'] } },
      })
      assert.deepEqual(await call('DELETE', `/articles/${slug}/comments/${id}`, { token: fan.token }), {
        status: 204,
        body: undefined,
      })
      assert.deepEqual(await call('GET', `/articles/${slug}/comments`), {
        status: 200,
        body: { comments: [] },
      })
      assert.deepEqual(
        await call('DELETE', `/articles/${slug}/comments/${id}`, { token: fan.token }),
        notFound,
      )
    })

    test('/docs and /openapi.json show the Token scheme on the routes that take a token, and the error shape', async () => {
      const docs = await fetch(`${conduit.origin()}/docs`)
      assert.equal(docs.status, 200)
      assert.match(await docs.text(), /swagger-ui/)
      const body: any = await (await fetch(`${conduit.origin()}/openapi.json`)).json()
      assert.deepEqual(body.components.securitySchemes.Token, {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description:
          'A JWT from registering (`POST /users`) or logging in (`POST /users/login`), sent as `Token <jwt>`.',
      })
      assert.deepEqual(body.paths['/api/user'].get.security, [{ Token: [] }])
      assert.deepEqual(body.paths['/api/articles/feed'].get.security, [{ Token: [] }])
      assert.equal(body.paths['/api/tags'].get.security, undefined)
      assert.deepEqual(body.paths['/api/users'].post.responses['422'], {
        description: 'Unexpected error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/GenericErrorModel' } } },
      })
      assert.deepEqual(body.components.schemas.GenericErrorModel.properties.errors, {
        type: 'object',
        patternProperties: { '^.*$': { type: 'array', items: { type: 'string' } } },
        title: 'Errors',
      })
      assert.deepEqual(Object.keys(body.paths).sort(), [
        '/api/articles',
        '/api/articles/feed',
        '/api/articles/{slug}',
        '/api/articles/{slug}/comments',
        '/api/articles/{slug}/comments/{id}',
        '/api/articles/{slug}/favorite',
        '/api/profiles/{username}',
        '/api/profiles/{username}/follow',
        '/api/tags',
        '/api/user',
        '/api/users',
        '/api/users/login',
      ])
    })
  })
}
