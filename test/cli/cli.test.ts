/**
 * The `onemodel` command, run as a user runs it: a real process in a temporary project, checked by its
 * stdout, stderr, exit code and the files it writes.
 */
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { pathToFileURL } from 'node:url'
import { onemodel, start } from '../support/cli.ts'
import { REPO_ROOT, tempProject } from '../support/project.ts'

const MODELS = `import { field, model, table } from 'onemodel-ts'

export const Hero = table('hero', model('Hero', {
  id: field.integer({ primaryKey: true }),
  name: field.string({ index: true }),
  secret_name: field.string(),
  age: field.integer({ nullable: true, default: null }),
}))
`

const MODELS_WITH_POWERS = MODELS.replace(
  'age: field.integer',
  'powers: field.string({ nullable: true }),\n  age: field.integer',
)

/** A project after `migrate init`, with the heroes models. */
async function initialized(): Promise<string> {
  const dir = tempProject()
  const init = await onemodel(dir, ['migrate', 'init'])
  assert.equal(init.code, 0, init.stderr)
  writeFileSync(join(dir, 'models.ts'), MODELS)
  return dir
}

function migrationFiles(dir: string): string[] {
  return readdirSync(join(dir, 'migrations')).sort()
}

describe('onemodel', () => {
  test('--help lists the commands and exits 0', async () => {
    const run = await onemodel(tempProject(), ['--help'])
    assert.equal(run.code, 0)
    assert.match(run.stdout, /^Usage: onemodel <command>/)
    assert.match(run.stdout, /serve <module>/)
    assert.match(run.stdout, /migrate <command>/)
  })

  test('no command, or an unknown one, prints the usage on stderr and exits 2', async () => {
    const dir = tempProject()
    for (const args of [
      [],
      ['deploy'],
      ['migrate'],
      ['migrate', 'sideways'],
      ['migrate', 'current', '--verbose'],
    ]) {
      const run = await onemodel(dir, args)
      assert.equal(run.code, 2, `onemodel ${args.join(' ')}`)
      assert.equal(run.stdout, '')
      assert.match(run.stderr, /^error: .+\n\nUsage: onemodel/)
    }
  })

  test('--version prints the package version', async () => {
    const run = await onemodel(tempProject(), ['--version'])
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'))
    assert.deepEqual(run, { code: 0, stdout: `onemodel ${version}\n`, stderr: '' })
  })

  test('every migrate command has --help', async () => {
    const dir = tempProject()
    for (const command of [
      'init',
      'revision',
      'upgrade',
      'downgrade',
      'stamp',
      'current',
      'history',
      'check',
    ]) {
      const run = await onemodel(dir, ['migrate', command, '--help'])
      assert.equal(run.code, 0, command)
      assert.match(run.stdout, new RegExp(`^Usage: onemodel migrate ${command}`))
    }
    const serve = await onemodel(dir, ['serve', '--help'])
    assert.equal(serve.code, 0)
    assert.match(serve.stdout, /^Usage: onemodel serve <module>/)
  })
})

describe('onemodel migrate', () => {
  test('init writes onemodel.config.ts and the migrations folder, and will not overwrite it without --force', async () => {
    const dir = tempProject()
    const run = await onemodel(dir, ['migrate', 'init'])
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, /Wrote onemodel\.config\.ts/)
    const config = readFileSync(join(dir, 'onemodel.config.ts'), 'utf8')
    assert.match(config, /import \{ defineConfig \} from 'onemodel-ts'/)
    assert.match(config, /models: '\.\/models\.ts'/)
    assert.match(config, /url: 'sqlite:\/\/\/database\.db'/)
    assert.match(config, /DATABASE_URL/)
    assert.match(config, /migrations: '\.\/migrations'/)
    assert.deepEqual(migrationFiles(dir), [])

    const again = await onemodel(dir, ['migrate', 'init', '--url', 'sqlite:///other.db'])
    assert.equal(again.code, 1)
    assert.match(again.stderr, /already exists.*--force/)
    assert.equal(readFileSync(join(dir, 'onemodel.config.ts'), 'utf8'), config, 'the file is untouched')
    const forced = await onemodel(dir, ['migrate', 'init', '--url', 'sqlite:///other.db', '--force'])
    assert.equal(forced.code, 0)
    assert.match(readFileSync(join(dir, 'onemodel.config.ts'), 'utf8'), /url: 'sqlite:\/\/\/other\.db'/)
  })

  test('init writes a config that loads whatever the URL holds, a quote or a backslash included', async () => {
    const dir = tempProject()
    const url = "sqlite:///it's \\ here.db"
    const run = await onemodel(dir, ['migrate', 'init', '--url', url])
    assert.equal(run.code, 0, run.stderr)
    const config = await import(pathToFileURL(join(dir, 'onemodel.config.ts')).href)
    assert.equal(config.default.url, url)
  })

  test('revision, upgrade, current, history, check and downgrade, with their exit codes', async () => {
    const dir = await initialized()

    const first = await onemodel(dir, ['migrate', 'revision', '--autogenerate', '-m', 'add hero table'])
    assert.equal(first.code, 0, first.stderr)
    const [file] = migrationFiles(dir)
    assert.match(file!, /^\d{8}_\d{6}_add_hero_table\.ts$/)
    assert.equal(
      first.stdout,
      `Wrote migrations/${file} with 1 change:\n  + table hero\nReview it, then run onemodel migrate upgrade.\n`,
    )
    const code = readFileSync(join(dir, 'migrations', file!), 'utf8')
    assert.match(code, /export async function up\(db: Kysely<any>\)/)
    assert.match(code, /\.createTable\('hero'\)/)

    const pending = await onemodel(dir, ['migrate', 'check'])
    assert.equal(pending.code, 1, 'check fails while a revision is pending')
    assert.match(pending.stdout, /1 revision\(s\) pending/)
    const base = await onemodel(dir, ['migrate', 'current'])
    assert.deepEqual([base.code, base.stdout], [0, 'base (no revision applied, some pending)\n'])

    const revision = file!.replace(/\.ts$/, '')
    const upgrade = await onemodel(dir, ['migrate', 'upgrade'])
    assert.deepEqual([upgrade.code, upgrade.stdout], [0, `Applied ${revision}\n`])
    const again = await onemodel(dir, ['migrate', 'upgrade', 'head'])
    assert.deepEqual([again.code, again.stdout], [0, `Nothing to apply: the database is at ${revision}.\n`])
    const current = await onemodel(dir, ['migrate', 'current'])
    assert.deepEqual([current.code, current.stdout], [0, `${revision} (head)\n`])
    const clean = await onemodel(dir, ['migrate', 'check'])
    assert.deepEqual([clean.code, clean.stdout], [0, 'The database is at head and matches the models.\n'])

    const nothing = await onemodel(dir, ['migrate', 'revision', '-m', 'nothing new'])
    assert.deepEqual(
      [nothing.code, nothing.stdout],
      [0, 'No changes: the database matches the models. No revision written.\n'],
    )
    assert.equal(migrationFiles(dir).length, 1, 'nothing was written')

    writeFileSync(join(dir, 'models.ts'), MODELS_WITH_POWERS)
    const differs = await onemodel(dir, ['migrate', 'check'])
    assert.equal(differs.code, 1, 'check exits 1 when the models and the database differ')
    assert.match(differs.stdout, /differ:\n {2}\+ column hero\.powers text\n/)

    const second = await onemodel(dir, ['migrate', 'revision', '-m', 'add powers'])
    assert.equal(second.code, 0, second.stderr)
    assert.match(second.stdout, /with 1 change:\n {2}\+ column hero\.powers text\n/)
    assert.equal((await onemodel(dir, ['migrate', 'upgrade'])).code, 0)
    assert.equal((await onemodel(dir, ['migrate', 'check'])).code, 0)

    const history = await onemodel(dir, ['migrate', 'history'])
    assert.equal(history.code, 0)
    const lines = history.stdout.trim().split('\n')
    assert.equal(lines.length, 2)
    assert.match(lines[0]!, new RegExp(`^${revision} +applied \\d{4}-`))
    assert.match(lines[1]!, /_add_powers +applied /)

    const down = await onemodel(dir, ['migrate', 'downgrade', '-1'])
    assert.equal(down.code, 0, down.stderr)
    assert.match(down.stdout, /^Reverted \d{8}_\d{6}_add_powers\n/)
    assert.match(down.stdout, new RegExp(`The database is at ${revision}\\.\\n$`))
    const after = await onemodel(dir, ['migrate', 'history'])
    assert.match(after.stdout.trim().split('\n')[1]!, /_add_powers +pending$/)

    const missing = await onemodel(dir, ['migrate', 'downgrade'])
    assert.equal(missing.code, 2, 'downgrade needs a target')
    const unknown = await onemodel(dir, ['migrate', 'upgrade', 'nope'])
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /^error \[OM_MIGRATE_REVISION\]: No revision "nope"/)

    const toBase = await onemodel(dir, ['migrate', 'downgrade', 'base'])
    assert.equal(toBase.code, 0)
    assert.match(toBase.stdout, /The database is at base\.\n$/)
  })

  test('revision needs -m, and --empty writes an empty revision', async () => {
    const dir = await initialized()
    const noMessage = await onemodel(dir, ['migrate', 'revision'])
    assert.equal(noMessage.code, 2)
    assert.match(noMessage.stderr, /needs a message/)
    const both = await onemodel(dir, ['migrate', 'revision', '-m', 'x', '--empty', '--autogenerate'])
    assert.equal(both.code, 2)

    const empty = await onemodel(dir, ['migrate', 'revision', '--empty', '-m', 'backfill ages'])
    assert.equal(empty.code, 0, empty.stderr)
    const [file] = migrationFiles(dir)
    assert.match(file!, /_backfill_ages\.ts$/)
    assert.match(empty.stdout, /an empty revision/)
    const code = readFileSync(join(dir, 'migrations', file!), 'utf8')
    assert.match(
      code,
      /export async function up\(db: Kysely<any>\): Promise<void> \{\n {2}\/\/ Write the changes here/,
    )
  })

  test('autogenerate refuses while revisions are pending', async () => {
    const dir = await initialized()
    assert.equal((await onemodel(dir, ['migrate', 'revision', '-m', 'add hero table'])).code, 0)
    const run = await onemodel(dir, ['migrate', 'revision', '-m', 'again'])
    assert.equal(run.code, 1)
    assert.match(run.stderr, /OM_MIGRATE_OUT_OF_DATE.*upgrade head/)
  })

  test('a failing migration exits 1, names the revision, and leaves current unchanged', async () => {
    const dir = await initialized()
    await onemodel(dir, ['migrate', 'revision', '-m', 'add hero table'])
    await onemodel(dir, ['migrate', 'upgrade'])
    const before = (await onemodel(dir, ['migrate', 'current'])).stdout
    await onemodel(dir, ['migrate', 'revision', '--empty', '-m', 'broken'])
    const broken = migrationFiles(dir).find((f) => f.endsWith('_broken.ts'))!
    writeFileSync(
      join(dir, 'migrations', broken),
      `import type { Kysely } from 'kysely'
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('hero').addColumn('powers', 'text').execute()
  await db.schema.alterTable('no_such_table').addColumn('x', 'text').execute()
}
`,
    )
    const run = await onemodel(dir, ['migrate', 'upgrade'])
    assert.equal(run.code, 1)
    assert.match(
      run.stderr,
      new RegExp(`^error \\[OM_MIGRATE_FAILED\\]: Migration ${broken.replace('.ts', '')} failed`),
    )
    assert.equal((await onemodel(dir, ['migrate', 'current'])).stdout, before.replace(' (head)', ''))
    const check = await onemodel(dir, ['migrate', 'check'])
    assert.match(check.stdout, /1 revision\(s\) pending/)
  })

  test('two processes upgrading one SQLite file at once apply the revision once', async () => {
    const dir = await initialized()
    await onemodel(dir, ['migrate', 'revision', '-m', 'add hero table'])
    const runs = await Promise.all([
      onemodel(dir, ['migrate', 'upgrade']),
      onemodel(dir, ['migrate', 'upgrade']),
    ])
    assert.deepEqual(
      runs.map((run) => run.code),
      [0, 0],
      runs.map((run) => run.stderr).join('\n'),
    )
    const output = runs.map((run) => run.stdout).join('')
    assert.equal(output.match(/^Applied /gm)?.length, 1, output)
    assert.match(output, /^Nothing to apply: the database is at \d{8}_\d{6}_add_hero_table\.$/m)
  })

  test('stamp records revisions without running them', async () => {
    const dir = await initialized()
    await onemodel(dir, ['migrate', 'revision', '-m', 'add hero table'])
    const stamped = await onemodel(dir, ['migrate', 'stamp', 'head'])
    assert.equal(stamped.code, 0, stamped.stderr)
    assert.match(stamped.stdout, /^Stamped: the database is recorded at \d{8}_\d{6}_add_hero_table\.\n$/)
    const check = await onemodel(dir, ['migrate', 'check'])
    assert.equal(check.code, 1, 'the table was not created: the models and the database differ')
    assert.match(check.stdout, /\+ table hero/)
    assert.equal((await onemodel(dir, ['migrate', 'stamp'])).code, 2)
  })

  test('DATABASE_URL overrides the configured database', async () => {
    const dir = await initialized()
    const url = `sqlite:///${join(dir, 'from-env.db')}`
    await onemodel(dir, ['migrate', 'revision', '-m', 'add hero table'], { DATABASE_URL: url })
    const run = await onemodel(dir, ['migrate', 'upgrade'], { DATABASE_URL: url })
    assert.equal(run.code, 0, run.stderr)
    assert.ok(existsSync(join(dir, 'from-env.db')), 'the environment database was migrated')
    assert.ok(!existsSync(join(dir, 'database.db')), 'the configured one was not touched')
    assert.match(
      (await onemodel(dir, ['migrate', 'current'], { DATABASE_URL: url })).stdout,
      /_add_hero_table \(head\)/,
    )
    assert.match((await onemodel(dir, ['migrate', 'current'])).stdout, /^base/)
  })

  test('the "onemodel" key of package.json works without a config file, and a missing config is explained', async () => {
    const dir = tempProject()
    const none = await onemodel(dir, ['migrate', 'current'])
    assert.equal(none.code, 1)
    assert.match(none.stderr, /OM_MIGRATE_CONFIG.*onemodel migrate init/)

    writeFileSync(join(dir, 'models.ts'), MODELS)
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        type: 'module',
        onemodel: { models: './models.ts', url: 'sqlite:///pkg.db', migrations: './db/migrations' },
      }),
    )
    const run = await onemodel(dir, ['migrate', 'revision', '-m', 'add hero table'])
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, /^Wrote db\/migrations\/\d{8}_\d{6}_add_hero_table\.ts/)
  })

  test('a models module that fails to load is OM_MIGRATE_CONFIG, with the cause', async () => {
    const dir = await initialized()
    writeFileSync(join(dir, 'models.ts'), "throw new Error('models are broken')\n")
    const run = await onemodel(dir, ['migrate', 'check'])
    assert.equal(run.code, 1)
    assert.match(run.stderr, /OM_MIGRATE_CONFIG.*models are broken/)
  })
})

/** Starts `onemodel serve …` and resolves with its address once it prints it. */
async function serving(
  cwd: string,
  args: readonly string[],
  env?: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; output: () => string; exited: Promise<number | null> }> {
  const child = start(cwd, ['serve', ...args], env)
  let output = ''
  child.stderr!.on('data', (chunk) => (output += chunk))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000)
    child.stdout!.on('data', (chunk) => {
      output += chunk
      const match = /onemodel serve: .* on (http:\/\/\S+) \(/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`serve exited with ${code}:\n${output}`))
    })
  })
  return { child, url, output: () => output, exited }
}

/**
 * A GET on a new connection each time (no keep-alive), so the cluster can hand it to any worker. It gives
 * up after 5 s: a connection the cluster hands to a worker just as it exits is never answered.
 */
function getJson(url: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false, timeout: 5000 }, (response) => {
      let text = ''
      response.on('data', (chunk) => (text += chunk))
      response.on('end', () => resolve({ status: response.statusCode!, body: JSON.parse(text) }))
    })
    request.on('timeout', () => request.destroy(new Error(`GET ${url} timed out`)))
    request.on('error', reject)
  })
}

describe('onemodel serve', () => {
  test('serves examples/heroes/app.ts through its heroesApp() factory, and stops on SIGTERM', async () => {
    const dir = tempProject()
    const server = await serving(dir, [join(REPO_ROOT, 'examples/heroes/app.ts'), '--port', '0'], {
      DATABASE_URL: `sqlite:///${join(dir, 'heroes.db')}`,
    })
    const created = await fetch(`${server.url}/heroes/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Deadpond', secret_name: 'Dive Wilson' }),
    })
    assert.equal(created.status, 200)
    assert.deepEqual(await created.json(), { name: 'Deadpond', age: null, id: 1 })
    assert.deepEqual(await getJson(`${server.url}/heroes/`), {
      status: 200,
      body: [{ name: 'Deadpond', age: null, id: 1 }],
    })
    server.child.kill('SIGTERM')
    assert.equal(await server.exited, 0, 'a graceful stop exits 0')
  })

  test('--workers 2 answers from two worker processes, and replaces one that exits', async () => {
    const dir = tempProject()
    writeFileSync(
      join(dir, 'app.ts'),
      `import { createApp } from 'onemodel-ts'

export const app = createApp({ title: 'Workers' })
app.get('/pid', {}, async function pid() {
  return { pid: process.pid }
})
app.get('/crash', {}, async function crash() {
  setTimeout(() => process.exit(3), 10)
  return { pid: process.pid }
})
`,
    )
    const server = await serving(dir, ['app.ts', '--port', '0', '--workers', '2'])
    assert.match(server.output(), /\(2 workers, primary pid \d+\)/)
    const pids = new Set<number>()
    for (let i = 0; i < 40 && pids.size < 2; i++) {
      const { status, body } = await getJson(`${server.url}/pid`)
      assert.equal(status, 200)
      pids.add(body.pid)
    }
    assert.equal(pids.size, 2, 'two distinct processes answered')
    assert.ok(!pids.has(server.child.pid!), 'the primary only supervises; the workers answer')

    const crashed = (await getJson(`${server.url}/crash`)).body.pid
    let replacement: number | undefined
    for (let i = 0; i < 100 && replacement === undefined; i++) {
      const { body } = await getJson(`${server.url}/pid`).catch(() => ({ body: { pid: crashed } }))
      if (!pids.has(body.pid)) replacement = body.pid
      else await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.ok(replacement, 'a new worker replaced the one that exited')
    assert.match(server.output(), new RegExp(`worker ${crashed} exited \\(code 3\\); starting another`))
    server.child.kill('SIGTERM')
    assert.equal(await server.exited, 0)
  })

  test('--reload restarts the server when the module changes', async () => {
    const dir = tempProject()
    const module = (version: number) => `import { createApp } from 'onemodel-ts'

export const app = createApp({ title: 'Reload' })
app.get('/version', {}, async function version() {
  return { version: ${version} }
})
`
    writeFileSync(join(dir, 'app.ts'), module(1))
    const server = await serving(dir, ['app.ts', '--port', '0', '--reload'])
    assert.deepEqual(await getJson(`${server.url}/version`), { status: 200, body: { version: 1 } })
    writeFileSync(join(dir, 'app.ts'), module(2))
    let url: string | undefined
    for (let i = 0; i < 200 && !url; i++) {
      const addresses = [...server.output().matchAll(/onemodel serve: .* on (http:\/\/\S+) \(/g)]
      if (addresses.length > 1) url = addresses.at(-1)![1]
      else await new Promise((resolve) => setTimeout(resolve, 50))
    }
    assert.ok(url, `the server restarted:\n${server.output()}`)
    assert.deepEqual(await getJson(`${url}/version`), { status: 200, body: { version: 2 } })
    server.child.kill('SIGTERM')
    assert.equal(await server.exited, 0)
  })

  test('a module without an app, or a bad option, fails with a message', async () => {
    const dir = tempProject()
    writeFileSync(join(dir, 'nothing.ts'), 'export const answer = 42\n')
    const none = await onemodel(dir, ['serve', 'nothing.ts', '--port', '0'])
    assert.equal(none.code, 1)
    assert.match(none.stderr, /exports no default, no app, and no function ending in "App"/)
    const named = await onemodel(dir, ['serve', 'nothing.ts:answer', '--port', '0'])
    assert.equal(named.code, 1)
    assert.match(named.stderr, /export answer is not an app/)
    const port = await onemodel(dir, ['serve', 'nothing.ts', '--port', 'eighty'])
    assert.equal(port.code, 2)
    assert.match(port.stderr, /--port must be a whole number/)
    const missing = await onemodel(dir, ['serve'])
    assert.equal(missing.code, 2)
  })
})
