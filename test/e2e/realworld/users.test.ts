/**
 * RealWorld's users and authentication over HTTP, on every dialect: registration, login, the current user
 * and its update, with their error answers; duplicate names and emails, also registered at the same
 * moment; and no password in any answer or log line.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createEngine } from 'onemodel-ts'
import { createRealWorldApp } from '../../../examples/realworld/app.ts'
import { DIALECTS } from '../../support/dialects.ts'
import { tempSqliteUrl } from '../../support/sqlite.ts'
import { serveConduit } from './conduit.ts'

const UNAUTHORIZED = { status: 401, body: { errors: { body: ['Unauthorized'] } } }
const NOT_AUTHENTICATED = { status: 401, body: { errors: { body: ['Not authenticated'] } } }

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: RealWorld users`, () => {
    const conduit = serveConduit(dialect)
    const { call } = conduit

    test('POST /users registers: 201 with the user and a token that signs in', async () => {
      const user = { username: 'jake', email: 'jake@jake.jake', password: 'jakejake' }
      const answer = await call('POST', '/users', { json: { user } })
      assert.equal(answer.status, 201)
      const { token, ...shown } = answer.body.user
      assert.deepEqual(shown, { username: 'jake', email: 'jake@jake.jake', bio: null, image: null })
      assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/)
      assert.deepEqual(await call('GET', '/user', { token }), { status: 200, body: answer.body })
    })

    test('a taken username or email is a 422 under the field that is taken', async () => {
      await conduit.register('taken')
      const again = { username: 'taken', email: 'other@example.com', password: 'secret-1' }
      assert.deepEqual(await call('POST', '/users', { json: { user: again } }), {
        status: 422,
        body: { errors: { username: ['has already been taken'] } },
      })
      const sameEmail = { username: 'other', email: 'taken@example.com', password: 'secret-1' }
      assert.deepEqual(await call('POST', '/users', { json: { user: sameEmail } }), {
        status: 422,
        body: { errors: { email: ['has already been taken'] } },
      })
    })

    test('registrations of one name at the same moment make one user: one 201, the others 422', async () => {
      const attempts = Array.from({ length: 5 }, (_, i) => ({
        username: 'racer',
        email: `racer${i}@example.com`,
        password: 'secret-racer',
      }))
      const answers = await Promise.all(attempts.map((user) => call('POST', '/users', { json: { user } })))
      const statuses = answers.map((answer) => answer.status).sort()
      assert.deepEqual(statuses, [201, 422, 422, 422, 422], JSON.stringify(answers))
      for (const answer of answers.filter(({ status }) => status === 422)) {
        assert.deepEqual(answer.body, { errors: { username: ['has already been taken'] } })
      }
    })

    test('a body that does not validate is a 422 of messages by field', async () => {
      assert.deepEqual(await call('POST', '/users', { json: { user: { username: '', email: 'nope' } } }), {
        status: 422,
        body: {
          errors: {
            username: ['String should have at least 1 character'],
            email: ["String should match pattern '^[^@\\s]+@[^@\\s]+$'"],
            password: ['Field required'],
          },
        },
      })
      assert.deepEqual(await call('POST', '/users', { json: {} }), {
        status: 422,
        body: { errors: { user: ['Field required'] } },
      })
    })

    test('POST /users/login answers the user with a token; a wrong email or password is the same 401', async () => {
      const jacob = await conduit.register('jacob')
      const login = await call('POST', '/users/login', {
        json: { user: { email: jacob.email, password: jacob.password } },
      })
      assert.equal(login.status, 200)
      assert.equal(login.body.user.username, 'jacob')
      assert.equal((await call('GET', '/user', { token: login.body.user.token })).body.user.username, 'jacob')

      const invalid = { status: 401, body: { errors: { 'email or password': ['is invalid'] } } }
      const wrongPassword = { email: jacob.email, password: 'wrong' }
      assert.deepEqual(await call('POST', '/users/login', { json: { user: wrongPassword } }), invalid)
      const unknown = { email: 'nobody@example.com', password: jacob.password }
      assert.deepEqual(await call('POST', '/users/login', { json: { user: unknown } }), invalid)
      assert.deepEqual(await call('POST', '/users/login', { json: { user: { email: jacob.email } } }), {
        status: 422,
        body: { errors: { password: ['Field required'] } },
      })
    })

    test('GET /user without a valid token is a 401', async () => {
      const { token } = await conduit.register('guarded')
      assert.deepEqual(await call('GET', '/user'), NOT_AUTHENTICATED)
      assert.deepEqual(await call('GET', '/user', { authorization: `Bearer ${token}` }), UNAUTHORIZED)
      assert.deepEqual(await call('GET', '/user', { token: `${token}x` }), UNAUTHORIZED)
      assert.deepEqual(await call('GET', '/user', { token: 'not-a-jwt' }), UNAUTHORIZED)
      const { status } = await call('GET', '/user', { token })
      assert.equal(status, 200)
    })

    test('PUT /user changes the given fields only; a new password signs in and the old one does not', async () => {
      const user = await conduit.register('changer')
      const changes = {
        bio: 'I like to skateboard',
        image: 'https://example.com/me.png',
        password: 'new-one',
      }
      assert.deepEqual(await call('PUT', '/user', { json: { user: changes }, token: user.token }), {
        status: 200,
        body: {
          user: {
            username: 'changer',
            email: user.email,
            bio: 'I like to skateboard',
            image: 'https://example.com/me.png',
            token: user.token,
          },
        },
      })
      const login = (password: string) =>
        call('POST', '/users/login', { json: { user: { email: user.email, password } } })
      assert.equal((await login('new-one')).status, 200)
      assert.equal((await login(user.password)).status, 401)

      const renamed = await call('PUT', '/user', {
        json: { user: { username: 'changed' } },
        token: user.token,
      })
      assert.equal(renamed.body.user.username, 'changed')
      assert.equal(renamed.body.user.bio, 'I like to skateboard', 'the fields not sent are kept')
      assert.deepEqual(
        await call('PUT', '/user', { json: { user: { email: 'taken@example.com' } }, token: user.token }),
        {
          status: 422,
          body: { errors: { email: ['has already been taken'] } },
        },
      )
      assert.deepEqual(await call('PUT', '/user', { json: { user: { bio: 'x' } } }), NOT_AUTHENTICATED)
    })

    test('no answer and no log line shows a password', async () => {
      const user = await conduit.register('discreet')
      const answers = [
        await call('POST', '/users/login', {
          json: { user: { email: user.email, password: user.password } },
        }),
        await call('POST', '/users/login', { json: { user: { email: user.email, password: 1234567 } } }),
        await call('POST', '/users', {
          json: { user: { username: 'discreet', email: 'x@y.z', password: user.password } },
        }),
        await call('PUT', '/user', { json: { user: { password: 'next-secret' } }, token: user.token }),
      ]
      for (const text of [...answers.map((answer) => JSON.stringify(answer.body)), ...conduit.log]) {
        assert.ok(!text.includes(user.password) && !text.includes('next-secret'), text)
        assert.ok(!/password_hash"?:/.test(text), text)
      }
    })
  })
}

test('an empty JWT secret is refused as the app is built, with what to do', async (t) => {
  const engine = createEngine(tempSqliteUrl())
  t.after(() => engine.dispose())
  assert.throws(() => createRealWorldApp({ engine, jwtSecret: '' }), /JWT secret is empty: set JWT_SECRET/)
})
