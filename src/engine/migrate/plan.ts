import { MigrationError } from '../../errors.ts'

/** What the migrations folder and the database's record say, read together under the migration lock. */
export interface MigrationState {
  /** The revision files' names (without the extension), sorted: the order they were written in. */
  readonly files: readonly string[]
  /** The revisions the database recorded as applied, in the order they were applied. */
  readonly applied: readonly AppliedRevision[]
}

/** A row of the database's record of applied revisions. */
export interface AppliedRevision {
  readonly name: string
  readonly appliedAt: Date
}

/**
 * Where a revision stands: `applied`; `pending`; `out of order` when it is pending but sorts before a
 * revision already applied (a branch merged after a later revision was applied), so `upgrade` applies it
 * only when allowed to; `missing` when the database applied it and its file is not in the folder.
 *
 * @example
 * const late = (await migrator.history()).filter((r) => r.status === 'out of order')
 */
export type RevisionStatus = 'applied' | 'pending' | 'out of order' | 'missing'

/** One revision in {@link Migrator.history}. */
export interface RevisionInfo {
  /** The revision: its file name without the extension. */
  readonly name: string
  /** When it was applied to this database, or `undefined` when it is pending. */
  readonly appliedAt: Date | undefined
  readonly status: RevisionStatus
}

/** One revision of a plan, run forward (`up`) or reverted (`down`). */
export interface PlannedStep {
  readonly name: string
  readonly direction: 'up' | 'down'
}

/**
 * Options of {@link Migrator.upgrade}.
 *
 * @example
 * await migrator.upgrade('head', { allowOutOfOrder: true })
 */
export interface UpgradeOptions {
  /**
   * Apply revisions that sort before the last applied one (a branch merged late), in name order, before
   * the others. Off by default: `upgrade` then fails naming them.
   */
  allowOutOfOrder?: boolean
}

/** Every revision of the folder and the record, sorted by name, with its status. */
export function revisionsOf(state: MigrationState): RevisionInfo[] {
  const appliedAt = new Map(state.applied.map((r) => [r.name, r.appliedAt]))
  const latest = currentOf(state.applied)
  const names = [...new Set([...state.files, ...appliedAt.keys()])].sort()
  const files = new Set(state.files)
  return names.map((name) => {
    const at = appliedAt.get(name)
    const status: RevisionStatus =
      at === undefined
        ? latest !== undefined && name < latest
          ? 'out of order'
          : 'pending'
        : files.has(name)
          ? 'applied'
          : 'missing'
    return { name, appliedAt: at, status }
  })
}

/**
 * The revision the database is at: the applied one that sorts last (a revision applied out of order later
 * does not move it back), or `undefined` at base.
 */
export function currentOf(applied: readonly AppliedRevision[]): string | undefined {
  return applied.reduce<string | undefined>(
    (latest, r) => (latest === undefined || r.name > latest ? r.name : latest),
    undefined,
  )
}

/**
 * Refuses to go on when the database applied revisions whose files are gone: the plan would be made from
 * a history that is not all there (`current` would name an older revision, `upgrade` find nothing to do).
 */
export function ensureNoMissingFiles(state: MigrationState): void {
  const files = new Set(state.files)
  const missing = state.applied.filter((r) => !files.has(r.name)).map((r) => r.name)
  if (missing.length > 0) throw missingFilesError(missing)
}

/** The `OM_MIGRATE_MISSING` error for applied revisions whose files are gone. */
export function missingFilesError(missing: readonly string[]): MigrationError {
  return new MigrationError(
    'OM_MIGRATE_MISSING',
    `The database applied ${missing.join(', ')}, but the migrations folder has no file for ${missing.length === 1 ? 'it' : 'them'}. ` +
      'Restore the file (from version control), or deploy the code the database was migrated with: this checkout is older than the database. ' +
      'To forget a revision on purpose, record the state with onemodel migrate stamp <revision>.',
  )
}

/** The revisions not applied yet, oldest first, out of order ones included; refused while a file is missing. */
export function pendingOf(state: MigrationState): RevisionInfo[] {
  ensureNoMissingFiles(state)
  return revisionsOf(state).filter((r) => r.appliedAt === undefined)
}

/**
 * The revisions `upgrade target` applies: every pending one that sorts at or before `target` (`'head'`:
 * the last file), oldest first. A pending revision sorting before the last applied one is out of order:
 * refused unless `allowOutOfOrder`.
 */
export function planUpgrade(state: MigrationState, target: string, options: UpgradeOptions): PlannedStep[] {
  ensureNoMissingFiles(state)
  const last = state.files.at(-1)
  if (last === undefined) return []
  const name = target === 'head' ? last : resolveRevision(state.files, target)
  const current = currentOf(state.applied)
  const due = revisionsOf(state).filter((r) => r.appliedAt === undefined && r.name <= name)
  const late = due.filter((r) => r.status === 'out of order').map((r) => r.name)
  if (late.length > 0 && !options.allowOutOfOrder) throw outOfOrderError(late, current!)
  if (due.length === 0 && current !== undefined && name < current) {
    throw new MigrationError(
      'OM_MIGRATE_REVISION',
      `Cannot upgrade to ${name}: the database is at ${current}, which is ahead of it. Use downgrade to go back.`,
    )
  }
  return due.map((r) => ({ name: r.name, direction: 'up' }))
}

/** The error that names revisions applied out of order, and the ways forward. */
export function outOfOrderError(late: readonly string[], latest: string): MigrationError {
  const them = late.length === 1 ? 'it' : 'them'
  return new MigrationError(
    'OM_MIGRATE_OUT_OF_ORDER',
    `${late.join(', ')} ${late.length === 1 ? 'is' : 'are'} pending but sort${late.length === 1 ? 's' : ''} before ${latest}, which is applied ` +
      `(a branch merged after a later revision ran). Check that ${them} and the later revisions do not conflict, then apply ${them} with ` +
      'onemodel migrate upgrade --allow-out-of-order (or allowOutOfOrder: true in the config). If no database has applied it yet, ' +
      `renaming the file to a new timestamp puts ${them} in order instead.`,
  )
}

/**
 * The revisions `downgrade target` reverts, newest applied first: `-N` the last N applied (refused when
 * fewer are), `'base'` all, a revision every applied one whose name sorts after it, as `current` goes by
 * names: a revision applied out of order may have been applied after the ones it is reverted before.
 */
export function planDowngrade(state: MigrationState, target: string | number): PlannedStep[] {
  ensureNoMissingFiles(state)
  const applied = state.applied.map((r) => r.name)
  const newestFirst = (names: readonly string[]): PlannedStep[] =>
    names.toReversed().map((name) => ({ name, direction: 'down' }))
  if (typeof target === 'number' || /^-\d+$/.test(target)) {
    const steps = Math.abs(Number(target))
    if (!Number.isInteger(steps) || steps === 0) {
      throw new MigrationError('OM_MIGRATE_REVISION', `downgrade(${target}): give a step count such as -1.`)
    }
    if (steps > applied.length) {
      throw new MigrationError(
        'OM_MIGRATE_REVISION',
        `downgrade -${steps} needs ${steps} applied revisions and the database has ${applied.length}, so nothing was reverted. ` +
          'Use downgrade base to revert every revision.',
      )
    }
    return newestFirst(applied.slice(applied.length - steps))
  }
  if (target === 'base') return newestFirst(applied)
  const name = resolveRevision(state.files, target)
  if (!applied.includes(name)) {
    throw new MigrationError(
      'OM_MIGRATE_REVISION',
      `Cannot downgrade to ${name}: it is not applied. Use upgrade to go forward.`,
    )
  }
  return newestFirst(applied.filter((other) => other > name))
}

/** The revisions `stamp target` records as applied: those up to `target`, none for `'base'`. */
export function planStamp(state: MigrationState, target: string): string[] {
  if (target === 'base') return []
  const name = target === 'head' ? state.files.at(-1) : resolveRevision(state.files, target)
  if (name === undefined) {
    // Recording "head" of no revisions would forget every applied one, which only `stamp base` says.
    throw new MigrationError(
      'OM_MIGRATE_REVISION',
      'Cannot stamp head: the migrations folder has no revision. Use stamp base to record that none is applied.',
    )
  }
  return state.files.filter((file) => file <= name)
}

/** A revision by its whole name or a unique prefix of it. */
export function resolveRevision(names: readonly string[], target: string): string {
  if (names.includes(target)) return target
  const matches = names.filter((name) => name.startsWith(target))
  if (matches.length === 1) return matches[0]!
  throw new MigrationError(
    'OM_MIGRATE_REVISION',
    matches.length === 0
      ? `No revision ${JSON.stringify(target)} in the migrations folder. onemodel migrate history lists them.`
      : `${JSON.stringify(target)} matches ${matches.length} revisions (${matches.join(', ')}); give more of the name.`,
  )
}
