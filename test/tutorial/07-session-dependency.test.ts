/**
 * docs/tutorial/07-session-dependency.md: seed 004's session dependency, and testing the Heroes app by
 * overriding it with sessions on a test database. The program asserts through app.inject; this test also
 * checks that the app's own database got no row, and the page's other claims.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, test } from 'node:test'
import { createAll, createEngine, select, Session } from 'onemodel-ts'
import { Hero, heroesApp } from '../../examples/heroes/app.ts'
import { tempSqliteUrl } from '../support/sqlite.ts'
import { page, programSource, runProgram } from '../support/tutorial.ts'

const name = '07-session-dependency'
const root = resolve(import.meta.dirname, '../..')

const printed =
  [
    'ok - read heroes',
    'ok - create hero',
    'ok - create incomplete hero',
    'ok - update hero',
    'ok - delete hero',
  ].join('\n') + '\n'

describe('tutorial: session dependency', () => {
  test('every check passes against the test database, and the app database gets tables but no row', async () => {
    const { stdout, cwd } = runProgram(name)
    assert.equal(stdout, printed)

    // runProgram points DATABASE_URL, the app's own database, at test.db in the working directory.
    await using engine = createEngine(`sqlite:///${join(cwd, 'test.db')}`)
    await using session = new Session(engine)
    const heroes = await session.exec(select(Hero)).all()
    assert.deepEqual(heroes, [], 'the startup created the hero table there, and no request wrote to it')
  })

  test('the page shows the program as it is, and what it prints', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
    assert.equal(page(name).output, printed, 'the page shows a different output than the program prints')
  })

  test('every block the page quotes from examples/heroes/app.ts is in that file, verbatim', () => {
    const app = readFileSync(join(root, 'examples/heroes/app.ts'), 'utf8')
    const text = readFileSync(join(root, 'docs/tutorial', `${name}.md`), 'utf8')
    const quoted = [...text.matchAll(/```ts examples\/heroes\/app\.ts\n([\s\S]*?)```/g)].map((m) => m[1]!)
    assert.equal(quoted.length, 2, 'getSession and a route that uses it')
    for (const quote of quoted) {
      assert.ok(app.includes(quote), `examples/heroes/app.ts no longer contains:\n${quote}`)
    }
  })

  test("the RealWorld app's depends.using() session, which the page quotes, is in its file verbatim", () => {
    const dependencies = readFileSync(join(root, 'examples/realworld/dependencies.ts'), 'utf8')
    const text = readFileSync(join(root, 'docs/tutorial', `${name}.md`), 'utf8')
    const quoted = [...text.matchAll(/```ts examples\/realworld\/dependencies\.ts\n([\s\S]*?)```/g)]
    assert.equal(quoted.length, 1)
    assert.ok(
      dependencies.includes(quoted[0]![1]!),
      `examples/realworld/dependencies.ts no longer contains it`,
    )
  })

  test("SQLModel's style works too: a plain function that returns the test's one session", async () => {
    const { app, getSession } = heroesApp(tempSqliteUrl())
    await using testEngine = createEngine('sqlite://')
    await createAll(testEngine)
    await using session = new Session(testEngine)
    app.dependencyOverrides.set(getSession, () => session)
    try {
      const response = await app.inject({
        method: 'POST',
        url: '/heroes/',
        payload: { name: 'Deadpond', secret_name: 'Dive Wilson' },
      })
      assert.deepEqual(response.json(), { name: 'Deadpond', age: null, id: 1 })
      const hero = await session.get(Hero, 1)
      assert.equal(hero?.secret_name, 'Dive Wilson', "the test's session sees the app's write")
    } finally {
      await app.close()
    }
  })

  test('after dependencyOverrides.clear(), the routes use the app database again', async () => {
    const url = tempSqliteUrl()
    const { app, getSession } = heroesApp(url)
    await using testEngine = createEngine('sqlite://')
    await createAll(testEngine)
    app.dependencyOverrides.set(getSession, async function* getTestSession() {
      await using session = new Session(testEngine)
      yield session
    })
    try {
      const payload = { name: 'Deadpond', secret_name: 'Dive Wilson' }
      await app.inject({ method: 'POST', url: '/heroes/', payload })
      app.dependencyOverrides.clear()
      const listed = await app.inject({ method: 'GET', url: '/heroes/' })
      assert.deepEqual(listed.json(), [], 'the hero went to the test database')
    } finally {
      await app.close()
    }
  })
})
