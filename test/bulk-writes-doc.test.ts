/** docs/bulk-writes.md: its program runs and prints what its comments say. */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { after, test } from 'node:test'
import { codeBlocks } from './support/doc-examples.ts'

const root = resolve(import.meta.dirname, '..')
const page = readFileSync(join(root, 'docs/bulk-writes.md'), 'utf8')

test('the bulk writes page runs and prints what its comments say', () => {
  // Inside the package, for `import 'onemodel-ts'` to resolve.
  const dir = mkdtempSync(join(root, '.tmp-bulk-writes-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'main.ts'), codeBlocks(page, 'ts')[0]!)
  const output = execFileSync(process.execPath, ['--conditions=development', 'main.ts'], {
    cwd: dir,
    encoding: 'utf8',
  })
  assert.equal(output, "[ 1, 2, 3 ]\n2 50\n[ 'Rusty-Man', 'Spider-Boy' ]\n[ 'Deadpond 30' ]\n")
})
