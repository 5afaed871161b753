/**
 * The review marker of generated revisions. Autogenerate writes it into a revision whose changes it could
 * only guess (a rename written as a drop and an add, a primary key change left to write by hand), and the
 * migrator refuses to run a revision that still has it: deleting the line is how one says "I read it".
 */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { MigrationError } from '../../errors.ts'
import { loadRevisionFile, type RevisionModule } from './revision-files.ts'

/**
 * The line autogenerate writes; a revision that still has it at the start of a line is not run.
 *
 * @example
 * const unreviewed = readFileSync(path, 'utf8')
 *   .split('\n')
 *   .some((line) => line.trimStart().startsWith(REVIEW_MARKER))
 */
export const REVIEW_MARKER = '// onemodel: review before applying'

/** Throws `OM_MIGRATE_UNREVIEWED` when a revision's source still carries {@link REVIEW_MARKER}. */
function assertReviewed(source: string, file: string): void {
  if (!source.split('\n').some((line) => line.trimStart().startsWith(REVIEW_MARKER))) return
  throw new MigrationError(
    'OM_MIGRATE_UNREVIEWED',
    `${file} was generated with changes to review (see the notes at its top) and has not been edited since. Make the changes the notes ask for, then delete the line "${REVIEW_MARKER}".`,
  )
}

/**
 * Imports the revision file at `path` for a run, refusing it with `OM_MIGRATE_UNREVIEWED` while its source
 * carries {@link REVIEW_MARKER}. A run loads every revision of its plan before the first runs, so an
 * unreviewed one stops the command before anything changed; listing revisions never reads them.
 *
 * @example
 * const revision = await loadReviewedRevision('migrations/20250102_153000_rename_name.ts')
 */
export async function loadReviewedRevision(path: string): Promise<RevisionModule> {
  assertReviewed(await readFile(path, 'utf8'), basename(path))
  return loadRevisionFile(path)
}
