import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'

/**
 * A fresh SQLite file URL in its own temporary directory, removed after the test file ends.
 *
 * @example
 * const engine = createEngine(tempSqliteUrl())
 */
export function tempSqliteUrl(name = 'test.db'): string {
  const dir = mkdtempSync(join(tmpdir(), 'onemodel-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  return `sqlite:///${join(dir, name)}`
}
