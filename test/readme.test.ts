/**
 * The README works as written: the tour's blocks are extracted and run in an empty directory with their
 * printed output checked, and the quick start's curl commands run against `npm start`'s program.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, test } from 'node:test'
import { codeBlocks, curlExamples, runCurl, startServer } from './support/doc-examples.ts'

const root = resolve(import.meta.dirname, '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const blocks = codeBlocks(readme, 'ts')

/** Runs code as a user's module. It must live inside the package for `import 'onemodel-ts'` to resolve. */
function runInScratchDir(code: string): string {
  const dir = mkdtempSync(join(root, '.tmp-readme-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'main.ts'), code)
  return execFileSync(process.execPath, ['--conditions=development', 'main.ts'], {
    cwd: dir,
    encoding: 'utf8',
  })
}

test('the README tour runs and prints what its comments say', () => {
  const output = runInScratchDir(blocks[0]!)
  assert.equal(
    output,
    "[\n  Hero { id: 3, name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16 }\n]\n",
  )
})

test('the README validation example returns the issues it shows', () => {
  const declaration = blocks[0]!.slice(0, blocks[0]!.indexOf('type Hero'))
  const example = blocks[1]!.replace(
    /^HeroCreate\.safeValidate\((.*)\)$/m,
    'console.log(JSON.stringify(HeroCreate.safeValidate($1)))',
  )
  const output = JSON.parse(runInScratchDir(`${declaration}${example}`))
  assert.deepEqual(output, {
    success: false,
    issues: [
      {
        type: 'missing',
        loc: ['secret_name'],
        msg: 'Field required',
        input: { name: 'Deadpond', age: 'old' },
      },
      {
        type: 'int_parsing',
        loc: ['age'],
        msg: 'Input should be a valid integer, unable to parse string as an integer',
        input: 'old',
      },
    ],
  })
})

test('the README HTTP tour serves what it says', () => {
  const server = blocks[2]!.replace(
    'await app.listen({ port: 8000 })',
    'const url = await app.listen({ port: 0, signals: false })',
  )
  const client = `
const post = await fetch(url + '/heroes/', { method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ name: 'Dr. Weird', secret_name: 'Steve Weird', age: 40 }) })
console.log(post.status, await post.text())
console.log(await (await fetch(url + '/heroes/4')).text())
console.log(await (await fetch(url + '/heroes/99')).text())
console.log((await fetch(url + '/heroes/x')).status, (await fetch(url + '/heroes/?limit=101')).status)
await app.close()
`
  const output = runInScratchDir(`${blocks[0]!}\n${server}\n${client}`).split('\n').slice(3)
  assert.deepEqual(output, [
    '200 {"id":4,"name":"Dr. Weird","age":40}',
    '{"id":4,"name":"Dr. Weird","age":40}',
    '{"detail":"Hero not found"}',
    '422 422',
    '',
  ])
})

test('the README query tour joins, counts and prints what its comment says', () => {
  const output = runInScratchDir(blocks[3]!)
  assert.equal(output, "[ [ 'Preventers', 2 ], [ 'Z-Force', 0 ] ]\n")
})

test('the quick start: npm start serves the Heroes API, and the curl commands answer as shown', async () => {
  const quickStart = readme.slice(readme.indexOf('## Quick start'))
  const steps = curlExamples(codeBlocks(quickStart, 'sh')[0]!)
  assert.equal(steps.length, 3, 'the quick start shows three commands with their output')

  const cwd = mkdtempSync(join(tmpdir(), 'onemodel-quickstart-'))
  after(() => rmSync(cwd, { recursive: true, force: true }))
  const start = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start as string
  const [, ...args] = start.split(' ')
  const origin = await startServer(
    args.map((arg) => (arg.endsWith('.ts') ? join(root, arg) : arg)),
    { cwd, env: { ...process.env, PORT: '0', DATABASE_URL: undefined } },
  )
  for (const { command, expected } of steps) assert.equal(runCurl(command, origin), expected, command)
  const docs = await fetch(`${origin}/docs`)
  assert.equal(docs.status, 200)
  assert.match(await docs.text(), /swagger-ui-bundle\.js/)
  // The default DATABASE_URL is sqlite:///database.db, relative to where npm start runs.
  assert.ok(readFileSync(join(cwd, 'database.db')).length > 0)
})
