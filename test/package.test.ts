/**
 * The package as users get it, in one temporary project: `npm pack`, then docs/new-project.md's steps with
 * the tarball in place of the registry (its package.json, install, tsconfig.json, models.ts and main.ts are
 * read from the page), type-checked with this repository's TypeScript and run with Node 24. The same project
 * then compiles the README tour and a module exporting every kind of public value with `declaration: true`.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, before, test } from 'node:test'
import {
  codeBlocks,
  curlExamples,
  fileBlocks,
  relativeLinks,
  runCurl,
  startServer,
} from './support/doc-examples.ts'

const root = resolve(import.meta.dirname, '..')
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const tsc = join(root, 'node_modules/typescript/bin/tsc')
const quiet = { stdio: 'pipe', encoding: 'utf8' } as const

const page = readFileSync(join(root, 'docs/new-project.md'), 'utf8')
const pageFiles = fileBlocks(page)
const readmeBlocks = codeBlocks(readFileSync(join(root, 'README.md'), 'utf8'), 'ts')

const dir = mkdtempSync(join(tmpdir(), 'onemodel-pack-'))
const project = join(dir, 'heroes')
const installed = join(project, 'node_modules/onemodel-ts')
let installOutput = ''
after(() => rmSync(dir, { recursive: true, force: true }))

/** The page's file, failing with the page's name for it when the page no longer shows it. */
function pageFile(name: string): string {
  const text = pageFiles.get(name)
  assert.ok(text, `docs/new-project.md shows \`${name}\`: followed by its content`)
  return text
}

before(() => {
  execFileSync(npm, ['pack', '--pack-destination', dir], { ...quiet, cwd: root })
  const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'))
  assert.ok(tarball, 'npm pack wrote a tarball')

  mkdirSync(project)
  for (const name of ['package.json', 'tsconfig.json', 'models.ts', 'main.ts']) {
    writeFileSync(join(project, name), pageFile(name))
  }
  // The README tour as a user saves it: each later example continues the first one's declarations.
  const [tour, validation, http] = readmeBlocks
  writeFileSync(join(project, 'tour.ts'), tour!)
  writeFileSync(join(project, 'tour-validation.ts'), `${tour}\n${validation}`)
  writeFileSync(join(project, 'tour-http.ts'), `${tour}\n${http}`)
  writeFileSync(join(project, 'exported-api.ts'), readFileSync(join(root, 'test/support/exported-api.ts')))

  assert.ok(
    codeBlocks(page, 'sh').some((block) => block.startsWith('npm install onemodel-ts')),
    'the page installs onemodel with `npm install onemodel-ts`',
  )
  // TypeScript and @types/node come from this repository (its tsc; onemodel's dependencies bring the types).
  const run = spawnSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball)], {
    ...quiet,
    cwd: project,
  })
  installOutput = run.stdout + run.stderr
  assert.equal(run.status, 0, installOutput)
})

test("the page's package.json leaves no install script unreviewed", () => {
  assert.doesNotMatch(installOutput, /install-scripts/, "the page's allowScripts covers every install script")
})

test('every relative link of the shipped Markdown resolves to a file in the package', () => {
  const pages = readdirSync(installed, { recursive: true, encoding: 'utf8' }).filter(
    (name) => name.endsWith('.md') && !name.startsWith('node_modules/'),
  )
  assert.ok(pages.includes('README.md') && pages.includes('docs/new-project.md'), pages.join(', '))
  for (const name of pages) {
    for (const link of relativeLinks(readFileSync(join(installed, name), 'utf8'))) {
      const target = resolve(dirname(join(installed, name)), link)
      assert.ok(
        target.startsWith(installed) && existsSync(target),
        `${name} links to ${link}, which the package does not contain`,
      )
    }
  }
  assert.ok(existsSync(join(installed, 'LICENSE')), 'the package ships its LICENSE')
})

test("the page's tsconfig checks models.ts, main.ts and the README tour, also with declaration: true", () => {
  // One compiler run, as checking the libraries' declarations (skipLibCheck: false) costs most of it: the
  // page's tsconfig, plus declaration emit, which needs every type a user's exported values carry.
  writeFileSync(
    join(project, 'tsconfig.declaration.json'),
    JSON.stringify({
      extends: './tsconfig.json',
      compilerOptions: {
        noEmit: false,
        declaration: true,
        emitDeclarationOnly: true,
        outDir: 'types',
        skipLibCheck: false,
      },
    }),
  )
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.declaration.json'], {
    ...quiet,
    cwd: project,
  })
  assert.equal(run.status, 0, `tsc:\n${run.stdout}${run.stderr}`)
  for (const name of ['models.d.ts', 'exported-api.d.ts']) {
    const declarations = readFileSync(join(project, 'types', name), 'utf8')
    assert.match(declarations, /export declare const HeroUpdate: /, name)
    // Every type is named through the package's entry points, never by a path into its files.
    assert.doesNotMatch(declarations, /onemodel-ts\/(?!client["'])|dist\//, name)
  }
})

test("npm start runs the page's main.ts with Node 24, and it answers the page's curl commands", async () => {
  const start = JSON.parse(pageFile('package.json')).scripts.start as string
  assert.match(start, /^node /, 'the start script runs node')
  const origin = await startServer(start.split(' ').slice(1), {
    cwd: project,
    env: { ...process.env, PORT: '0', DATABASE_URL: undefined },
  })
  const examples = curlExamples(codeBlocks(page, 'sh').find((block) => block.startsWith('curl'))!)
  assert.equal(examples.length, 3, 'the page shows three curl commands with their output')
  for (const { command, expected } of examples) assert.equal(runCurl(command, origin), expected, command)
})

test('the README tour runs against the installed package and prints what its comment says', () => {
  const output = execFileSync(process.execPath, ['tour.ts'], { ...quiet, cwd: project })
  const shown = /console\.log\(young\)\s*\/\/ (.*)/.exec(readmeBlocks[0]!)![1]!
  assert.equal(output.replace(/\s+/g, ' ').trim(), shown.trim())
})

test('the onemodel command runs from the installed package', () => {
  const help = execFileSync(join(project, 'node_modules/.bin/onemodel'), ['--help'], {
    ...quiet,
    cwd: project,
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
  })
  assert.match(help, /onemodel migrate/, 'the onemodel command answers --help')
})
