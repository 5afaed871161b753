/**
 * The review marker of generated revisions. Autogenerate writes it into a revision whose changes it could
 * only guess (a rename written as a drop and an add, a primary key change left to write by hand), and the
 * migrator refuses to run a revision that still has it: deleting the line is how one says "I read it".
 */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import type { Migration } from 'kysely/migration'
import { MigrationError } from '../../errors.ts'

/**
 * The line autogenerate writes; a revision that still has it at the start of a line is not run.
 *
 * @example
 * const unreviewed = readFileSync(path, 'utf8').split('\n').includes(REVIEW_MARKER)
 */
export const REVIEW_MARKER = '// onemodel: review before applying'

/**
 * Throws `OM_MIGRATE_UNREVIEWED` when a revision's source still carries {@link REVIEW_MARKER}.
 *
 * @example
 * assertReviewed(readFileSync(path, 'utf8'), '20250102_153000_rename_name.ts')
 */
export function assertReviewed(source: string, file: string): void {
  if (!source.split('\n').some((line) => line.trimStart().startsWith(REVIEW_MARKER))) return
  throw new MigrationError(
    'OM_MIGRATE_UNREVIEWED',
    `${file} was generated with changes to review (see the notes at its top) and has not been edited since. Make the changes the notes ask for, then delete the line "${REVIEW_MARKER}".`,
  )
}

/**
 * The migration of the file at `path`, refusing to run either way while its source carries the marker.
 * The file is read when the migration runs, so listing revisions never fails on an unreviewed one.
 */
export function reviewed(migration: Migration, path: string): Migration {
  const check = async () => assertReviewed(await readFile(path, 'utf8'), basename(path))
  const { down } = migration
  return {
    up: async (db) => {
      await check()
      await migration.up(db)
    },
    ...(down
      ? {
          down: async (db) => {
            await check()
            await down(db)
          },
        }
      : {}),
  }
}
