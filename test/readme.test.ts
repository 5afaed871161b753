/**
 * The README works as written: the tour's blocks are extracted and run in an empty directory with their
 * printed output checked, and the quick start's curl commands run against `npm start`'s program.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, test } from 'node:test'

const root = resolve(import.meta.dirname, '..')
const blocks = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map(
  (m) => m[1]!,
)

const readme = readFileSync(join(root, 'README.md'), 'utf8')

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

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

test('the quick start: npm start serves the Heroes API, and the curl commands answer as shown', async () => {
  const block = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)![1]!
  // Each command (with its continuation lines) is followed by `# <expected output>`.
  const steps = [...block.matchAll(/^(curl[\s\S]*?)\n# (.*)$/gm)].map((m) => ({
    command: m[1]!,
    expected: m[2]!,
  }))
  assert.equal(steps.length, 3, 'the quick start shows three commands with their output')

  const port = await freePort()
  const cwd = mkdtempSync(join(tmpdir(), 'onemodel-quickstart-'))
  const start = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start as string
  const [, ...args] = start.split(' ')
  const server = spawn(
    process.execPath,
    args.map((arg) => (arg.endsWith('.ts') ? join(root, arg) : arg)),
    {
      cwd,
      env: { ...process.env, PORT: String(port), DATABASE_URL: undefined },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  after(() => {
    server.kill('SIGTERM')
    rmSync(cwd, { recursive: true, force: true })
  })
  await new Promise<void>((resolve, reject) => {
    server.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('Heroes API on') && resolve())
    server.once('exit', (code) => reject(new Error(`npm start's program exited with ${code}`)))
  })
  for (const { command, expected } of steps) {
    const output = execFileSync(
      'sh',
      ['-c', command.replaceAll('127.0.0.1:8000', `127.0.0.1:${port}`) + ' -s'],
      {
        encoding: 'utf8',
      },
    )
    assert.equal(output, expected, command)
  }
  const docs = await fetch(`http://127.0.0.1:${port}/docs`)
  assert.equal(docs.status, 200)
  assert.match(await docs.text(), /swagger-ui-bundle\.js/)
  // The default DATABASE_URL is sqlite:///database.db, relative to where npm start runs.
  assert.ok(readFileSync(join(cwd, 'database.db')).length > 0)
})
