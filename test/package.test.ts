/**
 * The package as users get it: `npm pack`, install the tarball in an empty project, then import it from
 * plain JavaScript and type-check a TypeScript file against the shipped declarations.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, test } from 'node:test'

const root = resolve(import.meta.dirname, '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const quiet = { stdio: 'pipe', encoding: 'utf8' } as const

test('the packed tarball installs and works from JavaScript and TypeScript', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'onemodel-pack-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  execFileSync(npm, ['pack', '--pack-destination', dir], { ...quiet, cwd: root })
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'))
  assert.ok(tarball, 'npm pack wrote a tarball')

  const project = join(dir, 'project')
  execFileSync('mkdir', [project])
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'user-app', private: true, type: 'module' }),
  )
  execFileSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball)], {
    ...quiet,
    cwd: project,
  })

  writeFileSync(
    join(project, 'main.js'),
    `import { model, table, field, createEngine, createAll, Session, select } from 'onemodel-ts'
const Hero = table('hero', model('Hero', {
  id: field.integer({ primaryKey: true }),
  name: field.string(),
  age: field.integer({ nullable: true, default: null }),
}))
const engine = createEngine('sqlite://')
await createAll(engine)
const session = new Session(engine)
session.add(Hero.create({ name: 'Deadpond' }))
await session.commit()
const heroes = await session.exec(select(Hero)).all()
console.log(JSON.stringify(heroes))
await session.close()
await engine.dispose()
`,
  )
  const output = execFileSync(process.execPath, ['main.js'], { ...quiet, cwd: project })
  assert.equal(
    output.trim(),
    '[{"id":1,"name":"Deadpond","age":null}]',
    'the installed package runs from plain JS',
  )

  // The bin is installed and runs from the compiled dist/, without the repository's sources.
  const help = execFileSync(join(project, 'node_modules/.bin/onemodel'), ['--help'], {
    ...quiet,
    cwd: project,
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
  })
  assert.match(help, /onemodel migrate/, 'the onemodel command answers --help')

  writeFileSync(
    join(project, 'check.ts'),
    `import { model, field } from 'onemodel-ts'
const HeroCreate = model('HeroCreate', { name: field.string(), age: field.integer({ nullable: true, default: null }) })
const hero: { name: string; age: number | null } = HeroCreate.create({ name: 'Deadpond' })
// @ts-expect-error name must be a string
HeroCreate.create({ name: 1 })
export { hero }
`,
  )
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        module: 'nodenext',
        target: 'es2024',
        skipLibCheck: false,
        types: [],
      },
      files: ['check.ts'],
    }),
  )
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], {
    ...quiet,
    cwd: project,
  })
})
