/**
 * The commands that change which revisions the database has applied: `upgrade` and `downgrade` run
 * revisions' up() and down(), and `stamp` records revisions as applied without running them.
 */
import { parseCommand, UsageError, type ExitCode, type Io } from '../args.ts'
import { CONFIG_OPTION, help, withMigrator } from './migrate-shared.ts'

const UPGRADE_USAGE = `Usage: onemodel migrate upgrade [head|<rev>] [--allow-out-of-order]

Applies the pending revisions up to <rev>, or all of them (head, the default), each in its own transaction
where the database allows it. The plan is made and run under one lock, so deploys started together apply
each revision once and never go past <rev>.

A pending revision that sorts before an applied one (a branch merged late) stops the upgrade with its name,
unless --allow-out-of-order (or allowOutOfOrder: true in the config) applies it. An applied revision whose
file is missing stops it too.

Options:
  --allow-out-of-order    apply pending revisions that sort before an applied one, oldest first`

const DOWNGRADE_USAGE = `Usage: onemodel migrate downgrade <-1|-N|<rev>|base>

Reverts revisions with their down(): -1 the last one, -N the last N (refused when fewer are applied), <rev>
every revision after it (it stays applied), base all of them.`

const STAMP_USAGE = `Usage: onemodel migrate stamp <head|<rev>|base>

Records every revision up to <rev> (or all, head) as applied, and the later ones as pending, without running
them; base records none. Use it once to bring a database made by createAll() under migrations whose first
revision describes what it already has.`

/** `onemodel migrate upgrade`: applies the pending revisions up to a target (default head), in one lock. */
export async function upgrade(args: readonly string[], io: Io): Promise<ExitCode> {
  const usage = UPGRADE_USAGE
  const { values, positionals } = parseCommand(
    args,
    { ...CONFIG_OPTION, 'allow-out-of-order': { type: 'boolean' } },
    usage,
  )
  if (values.help) return help(io, usage)
  if (positionals.length > 1) throw new UsageError('upgrade takes one revision.', usage)
  const allowOutOfOrder = values['allow-out-of-order']
  return withMigrator(io, values.config, async (migrator) => {
    const applied = await migrator.upgrade(
      positionals[0] ?? 'head',
      allowOutOfOrder === undefined ? {} : { allowOutOfOrder },
    )
    if (applied.length === 0)
      io.stdout(`Nothing to apply: the database is at ${(await migrator.current()) ?? 'base'}.`)
    for (const name of applied) io.stdout(`Applied ${name}`)
    return 0
  })
}

/** `onemodel migrate downgrade`: reverts revisions with their down(), back to a target. */
export async function downgrade(args: readonly string[], io: Io): Promise<ExitCode> {
  const usage = DOWNGRADE_USAGE
  const { values, positionals } = parseCommand(args, CONFIG_OPTION, usage)
  if (values.help) return help(io, usage)
  if (positionals.length !== 1) {
    throw new UsageError('downgrade needs a target: -1 for the last revision, a revision, or base.', usage)
  }
  return withMigrator(io, values.config, async (migrator) => {
    const reverted = await migrator.downgrade(positionals[0]!)
    if (reverted.length === 0) io.stdout('Nothing to revert.')
    for (const name of reverted) io.stdout(`Reverted ${name}`)
    io.stdout(`The database is at ${(await migrator.current()) ?? 'base'}.`)
    return 0
  })
}

/** `onemodel migrate stamp`: records revisions as applied, up to a target, without running them. */
export async function stamp(args: readonly string[], io: Io): Promise<ExitCode> {
  const usage = STAMP_USAGE
  const { values, positionals } = parseCommand(args, CONFIG_OPTION, usage)
  if (values.help) return help(io, usage)
  if (positionals.length !== 1)
    throw new UsageError('stamp needs a target: head, a revision, or base.', usage)
  return withMigrator(io, values.config, async (migrator) => {
    await migrator.stamp(positionals[0]!)
    io.stdout(`Stamped: the database is recorded at ${(await migrator.current()) ?? 'base'}.`)
    return 0
  })
}
