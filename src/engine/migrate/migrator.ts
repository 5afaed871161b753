import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { MigrationError } from '../../errors.ts'
import type { Metadata } from '../../model/table.ts'
import type { Engine } from '../engine.ts'
import { autogenerate } from './autogenerate.ts'
import type { ColumnRename } from './diff.ts'
import {
  currentOf,
  ensureNoMissingFiles,
  outOfOrderError,
  pendingOf,
  planDowngrade,
  planStamp,
  planUpgrade,
  revisionsOf,
  type MigrationState,
  type RevisionInfo,
  type UpgradeOptions,
} from './plan.ts'
import { renderMigration } from './render.ts'
import { loadReviewedRevision } from './review.ts'
import { listRevisionFiles } from './revision-files.ts'
import { revisionName } from './revision.ts'
import { MigrationRunner, type RevisionSource } from './runner.ts'
import type { SchemaDiff } from './schema-changes.ts'

export type { RevisionInfo, RevisionStatus, UpgradeOptions } from './plan.ts'

/** Options of {@link createMigrator}. */
export interface MigratorOptions {
  /** The folder of migration files, one `<timestamp>_<slug>.ts` per revision. Relative to the working directory. */
  folder: string
  /** The models autogenerate compares with the database; defaults to `defaultMetadata`. */
  metadata?: Metadata
  /** `upgrade()` applies revisions that sort before an applied one (see {@link UpgradeOptions}); default false. */
  allowOutOfOrder?: boolean
}

/** What {@link Migrator.check} found. */
export interface CheckResult {
  /** Revisions in the folder that the database has not applied, out of order ones included. */
  readonly pending: readonly string[]
  /** The differences between models and database, compared only when nothing is pending. */
  readonly diff: SchemaDiff | undefined
  /** Nothing is pending and the database matches the models. */
  readonly clean: boolean
}

/** A migration file written by {@link Migrator.revision}. */
export interface WrittenRevision {
  readonly name: string
  /** The file's absolute path. */
  readonly path: string
  /** What autogenerate found, or `undefined` for an empty revision. */
  readonly diff: SchemaDiff | undefined
}

/**
 * Runs the migrations of a folder against an engine's database and writes new revisions (Alembic's
 * `upgrade`, `downgrade`, `stamp`, `current`, `history`, `revision`, `check`).
 *
 * A command reads the database's record, plans and runs its revisions under one lock, so concurrent
 * deploys of the same revision apply it once and never run past it. Each revision runs in its own
 * transaction where the database allows DDL in transactions (PostgreSQL, SQLite), so a failing one leaves
 * nothing behind and `current()` unchanged. MySQL commits every DDL statement, so there a failure leaves the
 * statements before it applied, and the error lists them. On SQLite, foreign keys are off while a
 * migration runs (for the table-rebuild recipe) and checked before it commits.
 *
 * Create one with {@link createMigrator}.
 */
export class Migrator {
  readonly #engine: Engine
  readonly #folder: string
  readonly #metadata: Metadata | undefined
  readonly #allowOutOfOrder: boolean
  readonly #runner: MigrationRunner

  constructor(engine: Engine, options: MigratorOptions) {
    this.#engine = engine
    this.#folder = resolve(options.folder)
    this.#metadata = options.metadata
    this.#allowOutOfOrder = options.allowOutOfOrder ?? false
    this.#runner = new MigrationRunner(engine)
  }

  /** The folder's absolute path. */
  get folder(): string {
    return this.#folder
  }

  /**
   * Every revision of the folder and of the database's record, sorted by name, with its status. It reads
   * file names only, so it works while a file is broken, and lists an applied revision whose file is gone
   * as `missing`.
   */
  async history(): Promise<RevisionInfo[]> {
    return revisionsOf(await this.#state())
  }

  /** The last applied revision, or `undefined` when none is (the database is at "base"). */
  async current(): Promise<string | undefined> {
    const state = await this.#state()
    ensureNoMissingFiles(state)
    return currentOf(state.applied)
  }

  /** Revisions not applied yet, oldest first, out of order ones included. */
  async pending(): Promise<string[]> {
    return pendingOf(await this.#state()).map((r) => r.name)
  }

  /**
   * Applies the pending revisions up to `target` (default `'head'`: all of them), one transaction each.
   * `target` is a revision name or a unique prefix of one, such as its timestamp. Returns the names applied.
   * A pending revision that sorts before an applied one is refused (`OM_MIGRATE_OUT_OF_ORDER`) unless
   * `allowOutOfOrder`; an applied revision whose file is gone stops it (`OM_MIGRATE_MISSING`).
   *
   * @example
   * await createMigrator(engine, { folder: 'migrations' }).upgrade()
   * await migrator.upgrade('20250102_153000', { allowOutOfOrder: true })
   */
  async upgrade(target: string = 'head', options: UpgradeOptions = {}): Promise<string[]> {
    const allowOutOfOrder = options.allowOutOfOrder ?? this.#allowOutOfOrder
    return this.#runner.run(this.#revisions(), (state) => planUpgrade(state, target, { allowOutOfOrder }))
  }

  /**
   * Reverts applied revisions with their `down()`, last applied first, one transaction each. `target` is a
   * negative step count (`-1`, the default, reverts the last one; more than are applied is refused), `'base'`
   * (revert everything), or a revision to return to, which stays applied. Returns the names reverted.
   *
   * @example
   * await migrator.downgrade(-1)
   */
  async downgrade(target: string | number = -1): Promise<string[]> {
    return this.#runner.run(this.#revisions(), (state) => planDowngrade(state, target))
  }

  /**
   * Records revisions as applied without running them (Alembic's `stamp`): every revision up to `target`
   * (a revision, or `'head'`) is marked applied and the later ones pending; `'base'` marks none. Use it once
   * to bring an existing database (made by `createAll`, or by hand) under migrations whose first revision
   * describes what it already has.
   *
   * @example
   * await migrator.stamp('head')
   */
  async stamp(target: string): Promise<void> {
    await this.#runner.stamp(this.#revisions(), (state) => planStamp(state, target))
  }

  /**
   * Compares the models with the database. Throws `OM_MIGRATE_OUT_OF_DATE` when revisions are pending,
   * since the comparison would then include their changes again (`OM_MIGRATE_OUT_OF_ORDER` when one of them
   * is out of order, which `upgrade head` alone does not apply).
   */
  async autogenerate(renames?: readonly ColumnRename[]): Promise<SchemaDiff> {
    const state = await this.#state()
    const revisions = pendingOf(state)
    const late = revisions.filter((r) => r.status === 'out of order').map((r) => r.name)
    if (late.length > 0 && !this.#allowOutOfOrder) throw outOfOrderError(late, currentOf(state.applied)!)
    const pending = revisions.map((r) => r.name)
    if (pending.length > 0) {
      throw new MigrationError(
        'OM_MIGRATE_OUT_OF_DATE',
        `The database is not at the latest revision (${pending.length} pending: ${pending.join(', ')}). Run onemodel migrate upgrade head first.`,
      )
    }
    return autogenerate(this.#engine, { ...(this.#metadata ? { metadata: this.#metadata } : {}), renames })
  }

  /**
   * Whether the database is at the latest revision and matches the models (`onemodel migrate check`).
   * Throws `OM_MIGRATE_MISSING` when an applied revision's file is gone.
   */
  async check(): Promise<CheckResult> {
    const pending = pendingOf(await this.#state()).map((r) => r.name)
    if (pending.length > 0) return { pending, diff: undefined, clean: false }
    const diff = await this.autogenerate()
    return { pending, diff, clean: diff.changes.length === 0 }
  }

  /**
   * Writes a new revision file. With autogenerate (the default) it holds the changes that bring the
   * database to the models, and nothing is written when there are none (the result is `undefined`);
   * with `{ empty: true }` it has empty `up()` and `down()` to fill in. `renames` names columns the models
   * renamed, so the revision renames them instead of dropping and adding them.
   *
   * @example
   * const written = await migrator.revision('add powers')
   * console.log(written ? `wrote ${written.path}` : 'no changes')
   */
  async revision(
    message: string,
    options: { empty?: boolean; now?: Date; renames?: readonly ColumnRename[] } = {},
  ): Promise<WrittenRevision | undefined> {
    const diff = options.empty ? undefined : await this.autogenerate(options.renames)
    if (diff && diff.changes.length === 0) return undefined
    const existing = [...(await listRevisionFiles(this.#folder)).keys()]
    const name = revisionName(message, options.now ?? new Date(), existing)
    const code = renderMigration(diff, {
      name,
      message,
      dialect: this.#engine.dialect,
      ...(options.now ? { createdAt: options.now } : {}),
    })
    await mkdir(this.#folder, { recursive: true })
    const path = join(this.#folder, `${name}.ts`)
    await writeFile(path, code, { flag: 'wx' })
    return { name, path, diff }
  }

  async #state(): Promise<MigrationState> {
    return this.#runner.state([...(await listRevisionFiles(this.#folder)).keys()])
  }

  /**
   * The folder's revisions for a run: listed under the lock, each imported when the plan needs it, and
   * refused while it carries the review marker.
   */
  #revisions(): RevisionSource {
    return { files: () => listRevisionFiles(this.#folder), load: loadReviewedRevision }
  }
}

/**
 * A migrator for the migration files of `folder` (relative to the working directory).
 *
 * @example
 * const engine = createEngine(process.env.DATABASE_URL ?? 'sqlite:///database.db')
 * const migrator = createMigrator(engine, { folder: 'migrations', metadata })
 * await migrator.revision('add hero table')   // writes migrations/<timestamp>_add_hero_table.ts
 * await migrator.upgrade()                    // applies every pending revision
 * console.log(await migrator.current())
 * await migrator.downgrade(-1)
 */
export function createMigrator(engine: Engine, options: MigratorOptions): Migrator {
  return new Migrator(engine, options)
}
