/**
 * docs/tutorial/06-multiple-models.md: FastAPI's Heroes app with HeroBase, Hero, HeroPublic, HeroCreate and
 * HeroUpdate. The page quotes examples/heroes/app.ts, so the test checks that each quote is still in that file,
 * runs the page's program (the app on a free port, called with fetch) and checks what the prose claims.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, test } from 'node:test'
import { heroesApp } from '../../examples/heroes/app.ts'
import { tempSqliteUrl } from '../support/sqlite.ts'
import { page, programSource, runProgram } from '../support/tutorial.ts'

const name = '06-multiple-models'
const root = resolve(import.meta.dirname, '../..')

const printed =
  [
    'POST /heroes/ 200 {"name":"Deadpond","age":null,"id":1}',
    'PATCH /heroes/1 200 {"name":"Deadpond","age":35,"id":1}',
    'GET /heroes/?limit=101 422 {"detail":[{"type":"less_than_equal","loc":["query","limit"],"msg":"Input should be less than or equal to 100","input":"101","ctx":{"le":100}}]}',
    'GET /heroes/2 404 {"detail":"Hero not found"}',
    'GET /docs 200 text/html; charset=utf-8',
    'schemas: HTTPValidationError, HeroCreate, HeroPublic, HeroUpdate, ValidationError',
  ].join('\n') + '\n'

/** The blocks the page fences as ```ts examples/heroes/app.ts: quotes of that file, not parts of the program. */
function quotes(): string[] {
  const text = readFileSync(join(root, 'docs/tutorial', `${name}.md`), 'utf8')
  return [...text.matchAll(/```ts examples\/heroes\/app\.ts\n([\s\S]*?)```/g)].map((m) => m[1]!)
}

describe('tutorial: multiple models', () => {
  test('the app answers without secret_name, refuses limit=101 with a 422, and serves /docs', () => {
    const { stdout } = runProgram(name)
    assert.equal(stdout, printed)
    assert.ok(!stdout.includes('secret_name'), 'HeroPublic filters secret_name out')
  })

  test('the page shows the program as it is, and what it prints', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
    assert.equal(page(name).output, printed, 'the page shows a different output than the program prints')
  })

  test('every block the page quotes from examples/heroes/app.ts is in that file, verbatim', () => {
    const app = readFileSync(join(root, 'examples/heroes/app.ts'), 'utf8')
    const quoted = quotes()
    assert.equal(quoted.length, 4, 'the models, create, read and update')
    for (const quote of quoted) {
      assert.ok(app.includes(quote), `examples/heroes/app.ts no longer contains:\n${quote}`)
    }
  })

  test('as the page says: the body cannot set id, PATCH takes any subset, and null only where nullable', async () => {
    const { app } = heroesApp(tempSqliteUrl())
    try {
      const created = await app.inject({
        method: 'POST',
        url: '/heroes/',
        payload: { id: 42, name: 'Deadpond', secret_name: 'Dive Wilson' },
      })
      assert.deepEqual(created.json(), { name: 'Deadpond', age: null, id: 1 }, 'the database decides the id')

      const age = await app.inject({ method: 'PATCH', url: '/heroes/1', payload: { age: 35 } })
      assert.deepEqual(age.json(), { name: 'Deadpond', age: 35, id: 1 }, 'only the field sent changes')

      const nullAge = await app.inject({ method: 'PATCH', url: '/heroes/1', payload: { age: null } })
      assert.equal(nullAge.statusCode, 200, 'age is nullable')
      assert.equal(nullAge.json().age, null)

      const nullName = await app.inject({ method: 'PATCH', url: '/heroes/1', payload: { name: null } })
      assert.equal(nullName.statusCode, 422, 'partial() does not make name nullable')
      assert.deepEqual(
        nullName.json().detail.map((issue: { type: string; loc: unknown[] }) => [issue.type, issue.loc]),
        [['string_type', ['body', 'name']]],
      )

      const negative = await app.inject({ method: 'GET', url: '/heroes/?offset=-1' })
      assert.equal(negative.statusCode, 422, 'the app bounds offset with ge: 0')
    } finally {
      await app.close()
    }
  })
})
