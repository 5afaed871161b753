/**
 * docs/realworld.md: its code excerpts are the app's code as it is, its SQL is what the app runs, its curl
 * commands print what it says against `examples/realworld/main.ts`, and its links lead somewhere.
 */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { test } from 'node:test'
import { createEngine } from 'onemodel-ts'
import { createRealWorldApp } from '../examples/realworld/app.ts'
import { codeBlocks, curlExamples, relativeLinks, runCurl, startServer } from './support/doc-examples.ts'
import { tempSqliteUrl } from './support/sqlite.ts'

const root = resolve(import.meta.dirname, '..')
const pagePath = join(root, 'docs/realworld.md')
const page = readFileSync(pagePath, 'utf8')
const appDir = join(root, 'examples/realworld')

/** The lines of a text without their indentation, so an excerpt may be shown dedented. */
const unindented = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trimStart())
    .join('\n')

test('every TypeScript excerpt of the page is the app’s code as it is', () => {
  const sources = readdirSync(appDir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => unindented(readFileSync(join(appDir, name), 'utf8')))
  const excerpts = codeBlocks(page, 'ts')
  assert.ok(excerpts.length >= 10)
  for (const excerpt of excerpts) {
    assert.ok(
      sources.some((source) => source.includes(unindented(excerpt))),
      `not in examples/realworld:\n${excerpt}`,
    )
  }
})

test('the SQL the page shows is what a list of articles runs on SQLite', async (t) => {
  const log: string[] = []
  const engine = createEngine(tempSqliteUrl(), { echo: true, logger: (line) => log.push(line) })
  const { app } = createRealWorldApp({ engine, jwtSecret: 'doc secret' })
  const base = `${await app.listen({ port: 0, signals: false })}/api`
  t.after(() => app.close())
  const post = async (path: string, json: object, token?: string): Promise<any> => {
    const headers = { 'content-type': 'application/json', ...(token && { authorization: `Token ${token}` }) }
    const response = await fetch(base + path, { method: 'POST', headers, body: JSON.stringify(json) })
    return response.json()
  }
  const { user } = await post('/users', {
    user: { username: 'jake', email: 'j@example.com', password: 'jakejake' },
  })
  const article = { title: 'Dragons', description: 'How', body: 'Carefully', tagList: ['dragons'] }
  await post('/articles', { article }, user.token)
  log.length = 0
  await fetch(`${base}/articles?tag=dragons`, { headers: { authorization: `Token ${user.token}` } })
  assert.equal(log.join('\n'), codeBlocks(page, 'sql')[0]!.trimEnd())
})

test('the page’s curl commands print what it says', async () => {
  const origin = await startServer(['--conditions=development', 'examples/realworld/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', DATABASE_URL: tempSqliteUrl(), JWT_SECRET: 'doc secret' },
  })
  const block = codeBlocks(page, 'sh').find((text) => text.startsWith('curl'))!
  const examples = curlExamples(block)
  assert.equal(examples.length, 3)
  for (const { command, expected } of examples) {
    // `…` stands for what changes from run to run: the token.
    const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    const pattern = new RegExp(`^${expected.split('…').map(literal).join('[^"]*')}$`)
    assert.match(runCurl(command, origin), pattern, command)
  }
})

test('the page’s relative links lead to files, and README.md links the page', () => {
  for (const target of relativeLinks(page)) {
    assert.ok(existsSync(join(dirname(pagePath), target)), target)
  }
  assert.ok(readFileSync(join(root, 'README.md'), 'utf8').includes('](docs/realworld.md)'))
})
