/** docs/databases.md, "Queries built once": its program runs and prints what its comments say. */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { after, test } from 'node:test'
import { codeBlocks } from './support/doc-examples.ts'

const root = resolve(import.meta.dirname, '..')
const page = readFileSync(join(root, 'docs/databases.md'), 'utf8')
const start = page.indexOf('## Queries built once')
const section = page.slice(start, page.indexOf('\n## ', start + 1))

test('the bindParam section runs and prints what its comments say', () => {
  // Inside the package, for `import 'onemodel-ts'` to resolve.
  const dir = mkdtempSync(join(root, '.tmp-bind-params-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'main.ts'), codeBlocks(section, 'ts')[0]!)
  const output = execFileSync(process.execPath, ['--conditions=development', 'main.ts'], {
    cwd: dir,
    encoding: 'utf8',
  })
  const [age, page, total, error, afterInsert] = output.split('\n')
  assert.equal(age, '48')
  assert.equal(page, "[ 'Spider-Boy' ]")
  assert.equal(total, '2')
  assert.match(
    error!,
    /^No value for the bind parameter "name": pass it in params, .* Unknown bind parameter "nmae" in params\. /,
  )
  assert.equal(afterInsert, '4')
})
