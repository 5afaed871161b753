import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after } from 'node:test'

const dirs: string[] = []
// Registered when this module loads, so on the test file's root. An after() registered inside a test or a
// hook belongs to that test or hook and runs when it ends, which would remove a database made in before()
// while the file's tests still use it.
after(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/**
 * A fresh SQLite file URL in its own temporary directory, removed after the test file ends.
 *
 * @example
 * const engine = createEngine(tempSqliteUrl())
 */
export function tempSqliteUrl(name = 'test.db'): string {
  const dir = mkdtempSync(join(tmpdir(), 'onemodel-'))
  dirs.push(dir)
  return `sqlite:///${join(dir, name)}`
}
