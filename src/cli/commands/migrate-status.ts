/**
 * The commands that report where the database is: `current`, the revision it is at, and `history`, every
 * revision with whether it is applied.
 */
import { relative } from 'node:path'
import type { RevisionInfo } from '../../engine/migrate/migrator.ts'
import { missingFilesError } from '../../engine/migrate/plan.ts'
import { parseCommand, type ExitCode, type Io } from '../args.ts'
import { CONFIG_OPTION, help, noPositionals, withMigrator } from './migrate-shared.ts'

const CURRENT_USAGE = `Usage: onemodel migrate current

Prints the revision the database is at, with (head) when none is pending. Exits 1 when an applied
revision's file is missing from the migrations folder.`

const HISTORY_USAGE = `Usage: onemodel migrate history

Lists every revision, oldest first, with when it was applied, "pending", "pending, out of order" (it sorts
before an applied revision) or "applied …, file missing". Reads file names only, so it works while a file
is broken. Exits 1 when an applied revision's file is missing.`

/** `onemodel migrate current`: prints the revision the database is at. */
export async function current(args: readonly string[], io: Io): Promise<ExitCode> {
  const usage = CURRENT_USAGE
  const { values, positionals } = parseCommand(args, CONFIG_OPTION, usage)
  if (values.help) return help(io, usage)
  noPositionals(positionals, usage)
  return withMigrator(io, values.config, async (migrator) => {
    const at = await migrator.current() // throws when an applied revision's file is missing
    const revisions = await migrator.history()
    const late = revisions.filter((r) => r.status === 'out of order').map((r) => r.name)
    const head = revisions.every((r) => r.appliedAt !== undefined)
    const notes =
      at === undefined ? ['no revision applied', ...(head ? [] : ['some pending'])] : head ? ['head'] : []
    if (late.length > 0) notes.push(`${late.length} pending out of order: ${late.join(', ')}`)
    io.stdout(`${at ?? 'base'}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`)
    return 0
  })
}

/** `onemodel migrate history`: lists the revisions, applied and pending. */
export async function history(args: readonly string[], io: Io): Promise<ExitCode> {
  const usage = HISTORY_USAGE
  const { values, positionals } = parseCommand(args, CONFIG_OPTION, usage)
  if (values.help) return help(io, usage)
  noPositionals(positionals, usage)
  return withMigrator(io, values.config, async (migrator) => {
    const revisions = await migrator.history()
    if (revisions.length === 0) io.stdout(`No revisions in ${relative(io.cwd, migrator.folder) || '.'}/.`)
    const width = Math.max(0, ...revisions.map((r) => r.name.length))
    for (const r of revisions) io.stdout(`${r.name.padEnd(width)}  ${describeStatus(r)}`)
    // Listed first, since the list is how to see what is missing; then refused as every other command does.
    const missing = revisions.filter((r) => r.status === 'missing').map((r) => r.name)
    if (missing.length > 0) throw missingFilesError(missing)
    return 0
  })
}

/** `applied <when>`, `pending`, `pending, out of order`, or `applied <when>, file missing`. */
function describeStatus(revision: RevisionInfo): string {
  const applied = `applied ${revision.appliedAt?.toISOString()}`
  switch (revision.status) {
    case 'applied':
      return applied
    case 'missing':
      return `${applied}, file missing`
    case 'pending':
      return 'pending'
    case 'out of order':
      return 'pending, out of order'
  }
}
