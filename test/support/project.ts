import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after } from 'node:test'

/** The repository root: what `node_modules/onemodel-ts` links to in a temporary project. */
export const REPO_ROOT = resolve(import.meta.dirname, '../..')

const dirs: string[] = []
// Registered when this module loads, so on the test file's root: an after() called inside a test would run
// when that test ends.
after(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/**
 * A temporary project directory, as a user's would be: `node_modules/onemodel-ts` links to this repository,
 * so migration files and app modules written there can `import … from 'onemodel-ts'` (the `development`
 * condition resolves it to `src/`). Removed after the test file ends.
 */
export function tempProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'onemodel-project-'))
  dirs.push(dir)
  mkdirSync(join(dir, 'node_modules'))
  symlinkSync(REPO_ROOT, join(dir, 'node_modules', 'onemodel-ts'), 'dir')
  return dir
}
