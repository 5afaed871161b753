/** docs/databases.md, "Streaming large results": its program runs and prints what its comments say. */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { after, test } from 'node:test'
import { codeBlocks } from './support/doc-examples.ts'

const root = resolve(import.meta.dirname, '..')
const page = readFileSync(join(root, 'docs/databases.md'), 'utf8')
const section = page.slice(page.indexOf('## Streaming large results'))

test('the streaming section runs and prints what its comments say', () => {
  // Inside the package, for `import 'onemodel-ts'` to resolve.
  const dir = mkdtempSync(join(root, '.tmp-streaming-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'main.ts'), codeBlocks(section, 'ts')[0]!)
  const output = execFileSync(process.execPath, ['--conditions=development', 'main.ts'], {
    cwd: dir,
    encoding: 'utf8',
  })
  assert.equal(output, '4100\n30\n')
})
