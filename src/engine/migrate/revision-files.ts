import { readdir } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Kysely } from 'kysely'
import { MigrationError } from '../../errors.ts'

/** A revision file's module: `up()` and, to be reverted, `down()`. */
export interface RevisionModule {
  up(db: Kysely<any>): Promise<void>
  down?(db: Kysely<any>): Promise<void>
}

const MIGRATION_FILE = /^(?!.*\.d\.[mc]?ts$).*\.(ts|mts|js|mjs)$/

/**
 * The revision files of a folder by revision name (the file name without its extension), sorted. Only
 * names are read: listing never imports a file, so `history` works while one of them is broken.
 */
export async function listRevisionFiles(folder: string): Promise<Map<string, string>> {
  let files: string[]
  try {
    files = (await readdir(folder)).filter((file) => MIGRATION_FILE.test(file)).sort()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map()
    throw error
  }
  return new Map(files.map((file) => [file.slice(0, file.lastIndexOf('.')), join(folder, file)]))
}

/**
 * Imports a revision file. A file that does not load names itself, and a syntax error its line, which
 * Node reports only in the stack (`/path/file.ts:3` above the line and a caret).
 */
export async function loadRevisionFile(path: string): Promise<RevisionModule> {
  let module: Partial<RevisionModule> & { default?: Partial<RevisionModule> }
  try {
    module = await import(pathToFileURL(path).href)
  } catch (error) {
    throw new MigrationError('OM_MIGRATE_REVISION', `Cannot load migration ${loadFailure(path, error)}`, {
      cause: error,
    })
  }
  const revision = typeof module.up === 'function' ? module : module.default
  if (typeof revision?.up !== 'function') {
    throw new MigrationError(
      'OM_MIGRATE_REVISION',
      `${path} exports no up(db) function. Every file of the migrations folder is a migration.`,
    )
  }
  return revision as RevisionModule // up() was checked just above
}

/** `file.ts:3: SyntaxError: …` and the source line Node quotes, or the file and the error's message. */
function loadFailure(path: string, error: unknown): string {
  const { name, message, stack } = error instanceof Error ? error : new Error(String(error))
  if (name !== 'SyntaxError' || stack === undefined) return `${basename(path)}: ${message}`
  // A syntax error's stack starts with `<path or URL>:<line>`, then the source around it and a caret line.
  const [where, ...rest] = stack.split('\n')
  const line = where !== undefined && /:(\d+)$/.exec(where)?.[1]
  if (!line) return `${basename(path)}: ${name}: ${message}`
  const caret = rest.findIndex((text) => /^\s*\^+\s*$/.test(text))
  const excerpt = rest
    .slice(0, caret + 1)
    .map((text) => `\n  ${text}`)
    .join('')
  return `${basename(path)}:${line}: ${name}: ${message}${excerpt}`
}
