/** The README's tour runs as written: extracted, run in an empty directory, its printed output checked. */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { after, test } from 'node:test'

const root = resolve(import.meta.dirname, '..')
const blocks = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map(
  (m) => m[1]!,
)

/** Runs code as a user's module. It must live inside the package for `import 'onemodel'` to resolve. */
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
