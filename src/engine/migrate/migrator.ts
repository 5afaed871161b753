import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Kysely } from 'kysely'
import {
  DEFAULT_MIGRATION_TABLE,
  Migrator as KyselyMigrator,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
} from 'kysely/migration'
import { MigrationError, OnemodelError } from '../../errors.ts'
import type { Metadata } from '../../model/table.ts'
import type { Engine } from '../engine.ts'
import { autogenerate } from './autogenerate.ts'
import type { ColumnRename, SchemaDiff } from './diff.ts'
import { renderMigration } from './render.ts'
import { reviewed } from './review.ts'
import { revisionName } from './revision.ts'

/** Options of {@link createMigrator}. */
export interface MigratorOptions {
  /** The folder of migration files, one `<timestamp>_<slug>.ts` per revision. Relative to the working directory. */
  folder: string
  /** The models autogenerate compares with the database; defaults to `defaultMetadata`. */
  metadata?: Metadata
}

/** One revision in {@link Migrator.history}. */
export interface RevisionInfo {
  /** The revision: its file name without the extension. */
  readonly name: string
  /** When it was applied to this database, or `undefined` when it is pending. */
  readonly appliedAt: Date | undefined
}

/** What {@link Migrator.check} found. */
export interface CheckResult {
  /** Revisions in the folder that the database has not applied. */
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

const MIGRATION_FILE = /^(?!.*\.d\.[mc]?ts$).*\.(ts|mts|js|mjs)$/

/**
 * Runs the migrations of a folder against an engine's database, through Kysely's `Migrator` and its lock,
 * and writes new revisions (Alembic's `upgrade`, `downgrade`, `current`, `history`, `revision`, `check`).
 *
 * Each migration runs in its own transaction where the database allows DDL in transactions (PostgreSQL,
 * SQLite), so a failing one leaves nothing behind and `current()` unchanged. MySQL commits every DDL
 * statement, so there a failure leaves the statements before it applied. On SQLite, foreign keys are off
 * while a migration runs (for the table-rebuild recipe) and checked before it commits.
 *
 * Create one with {@link createMigrator}.
 */
export class Migrator {
  readonly #engine: Engine
  readonly #folder: string
  readonly #metadata: Metadata | undefined
  #kysely: KyselyMigrator | undefined
  #db: Kysely<any> | undefined
  #schema: string | undefined

  constructor(engine: Engine, options: MigratorOptions) {
    this.#engine = engine
    this.#folder = resolve(options.folder)
    this.#metadata = options.metadata
  }

  /** The folder's absolute path. */
  get folder(): string {
    return this.#folder
  }

  /** Every revision in the folder, oldest first, with when it was applied. */
  async history(): Promise<RevisionInfo[]> {
    const migrator = await this.#migrator()
    try {
      return (await migrator.getMigrations()).map((m) => ({ name: m.name, appliedAt: m.executedAt }))
    } catch (error) {
      throw mapError(error)
    }
  }

  /** The last applied revision, or `undefined` when none is (the database is at "base"). */
  async current(): Promise<string | undefined> {
    return (await this.history()).findLast((m) => m.appliedAt !== undefined)?.name
  }

  /** Revisions not applied yet, oldest first. */
  async pending(): Promise<string[]> {
    return (await this.history()).filter((m) => m.appliedAt === undefined).map((m) => m.name)
  }

  /**
   * Applies the pending revisions up to `target` (default `'head'`: all of them), one transaction each.
   * `target` is a revision name or a unique prefix of one, such as its timestamp. Returns the names applied.
   *
   * @example
   * await createMigrator(engine, { folder: 'migrations' }).upgrade()
   */
  async upgrade(target: string = 'head'): Promise<string[]> {
    const history = await this.history()
    const name = target === 'head' ? history.at(-1)?.name : resolveRevision(history, target)
    if (name === undefined) return []
    const wanted = history.find((m) => m.name === name)!
    if (wanted.appliedAt !== undefined) {
      if (name === history.findLast((m) => m.appliedAt !== undefined)?.name || target === 'head') return []
      throw new MigrationError(
        'OM_MIGRATE_REVISION',
        `Cannot upgrade to ${name}: it is behind the current revision. Use downgrade to go back.`,
      )
    }
    const migrator = await this.#migrator()
    const applied: string[] = []
    while (!applied.includes(name)) {
      const step = check(await migrator.migrateUp())
      if (step.length === 0) break
      applied.push(...step)
    }
    return applied
  }

  /**
   * Reverts applied revisions with their `down()`, newest first, one transaction each. `target` is a
   * negative step count (`-1`, the default, reverts the last one), `'base'` (revert everything), or a
   * revision to return to, which stays applied. Returns the names reverted.
   *
   * @example
   * await migrator.downgrade(-1)
   */
  async downgrade(target: string | number = -1): Promise<string[]> {
    const history = await this.history()
    const applied = history.filter((m) => m.appliedAt !== undefined)
    let steps: number
    if (typeof target === 'number' || /^-\d+$/.test(target)) {
      steps = Math.abs(Number(target))
      if (!Number.isInteger(steps) || steps === 0) {
        throw new MigrationError('OM_MIGRATE_REVISION', `downgrade(${target}): give a step count such as -1.`)
      }
    } else if (target === 'base') {
      steps = applied.length
    } else {
      const name = resolveRevision(history, target)
      const index = applied.findIndex((m) => m.name === name)
      if (index === -1) {
        throw new MigrationError(
          'OM_MIGRATE_REVISION',
          `Cannot downgrade to ${name}: it is not applied. Use upgrade to go forward.`,
        )
      }
      steps = applied.length - index - 1
    }
    steps = Math.min(steps, applied.length)
    const migrator = await this.#migrator()
    const reverted: string[] = []
    for (let i = 0; i < steps; i++) reverted.push(...check(await migrator.migrateDown()))
    return reverted
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
    const history = await this.history()
    const index =
      target === 'base'
        ? -1
        : target === 'head'
          ? history.length - 1
          : history.findIndex((m) => m.name === resolveRevision(history, target))
    await this.#migrator()
    const db = this.#db!
    const tableName = DEFAULT_MIGRATION_TABLE
    // The table Kysely's Migrator creates, so it finds it as its own.
    await (this.#schema === undefined ? db.schema : db.schema.withSchema(this.#schema))
      .createTable(tableName)
      .ifNotExists()
      .addColumn('name', 'varchar(255)', (col) => col.notNull().primaryKey())
      .addColumn('timestamp', 'varchar(255)', (col) => col.notNull())
      .execute()
    const start = Date.now()
    await db.transaction().execute(async (trx) => {
      const scoped = this.#schema === undefined ? trx : trx.withSchema(this.#schema)
      await scoped.deleteFrom(tableName).execute()
      const rows = history
        .slice(0, index + 1)
        .map((m, i) => ({ name: m.name, timestamp: new Date(start + i).toISOString() }))
      if (rows.length > 0) await scoped.insertInto(tableName).values(rows).execute()
    })
  }

  /**
   * Compares the models with the database. Throws `OM_MIGRATE_OUT_OF_DATE` when revisions are pending,
   * since the comparison would then include their changes again.
   */
  async autogenerate(renames?: readonly ColumnRename[]): Promise<SchemaDiff> {
    const pending = await this.pending()
    if (pending.length > 0) {
      throw new MigrationError(
        'OM_MIGRATE_OUT_OF_DATE',
        `The database is not at the latest revision (${pending.length} pending: ${pending.join(', ')}). Run onemodel migrate upgrade head first.`,
      )
    }
    return autogenerate(this.#engine, { ...(this.#metadata ? { metadata: this.#metadata } : {}), renames })
  }

  /** Whether the database is at the latest revision and matches the models (`onemodel migrate check`). */
  async check(): Promise<CheckResult> {
    const pending = await this.pending()
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
    const existing = await this.#files()
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

  async #files(): Promise<string[]> {
    try {
      return (await readdir(this.#folder)).filter((file) => MIGRATION_FILE.test(file)).map(stripExtension)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
  }

  async #migrator(): Promise<KyselyMigrator> {
    if (this.#kysely) return this.#kysely
    const { dialect } = this.#engine
    const support = dialect.migrations
    // Kysely's Migrator takes its lock and transactions from the adapter; the engine's Kysely dialect with
    // the migration adapter shares the engine's driver and connections. (Destroying this instance would
    // close them, so it is never destroyed; the engine is.)
    const db = new Kysely<any>({
      dialect: { ...dialect.kysely, createAdapter: () => support.migrationAdapter() },
    })
    const schema = await support.currentSchema?.(db)
    this.#db = db
    this.#schema = schema
    this.#kysely = new KyselyMigrator({
      db,
      provider: new FolderProvider(this.#folder, support.verify),
      ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    })
    return this.#kysely
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

/** Loads the migration files of a folder; each migration is followed by the dialect's check, if any. */
class FolderProvider implements MigrationProvider {
  readonly #folder: string
  readonly #verify: ((db: Kysely<any>) => Promise<void>) | undefined

  constructor(folder: string, verify: ((db: Kysely<any>) => Promise<void>) | undefined) {
    this.#folder = folder
    this.#verify = verify
  }

  async getMigrations(): Promise<Record<string, Migration>> {
    let files: string[]
    try {
      files = (await readdir(this.#folder)).filter((file) => MIGRATION_FILE.test(file)).sort()
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {}
      throw error
    }
    const migrations: Record<string, Migration> = {}
    for (const file of files) {
      let module: Partial<Migration> & { default?: Partial<Migration> }
      try {
        module = await import(pathToFileURL(join(this.#folder, file)).href)
      } catch (error) {
        throw new MigrationError(
          'OM_MIGRATE_REVISION',
          `Cannot load migration ${file}: ${(error as Error).message}`,
          { cause: error },
        )
      }
      const migration = typeof module.up === 'function' ? module : module.default
      if (typeof migration?.up !== 'function') {
        throw new MigrationError(
          'OM_MIGRATE_REVISION',
          `${file} in ${this.#folder} exports no up(db) function. Every file of the migrations folder is a migration.`,
        )
      }
      migrations[stripExtension(file)] = this.#verified(
        reviewed(migration as Migration, join(this.#folder, file)),
      )
    }
    return migrations
  }

  #verified(migration: Migration): Migration {
    const verify = this.#verify
    if (!verify) return migration
    const down = migration.down
    return {
      up: async (db) => {
        await migration.up(db)
        await verify(db)
      },
      ...(down
        ? {
            down: async (db: Kysely<any>) => {
              await down(db)
              await verify(db)
            },
          }
        : {}),
    }
  }
}

function stripExtension(file: string): string {
  return file.slice(0, file.lastIndexOf('.'))
}

/** A revision by its whole name or a unique prefix of it. */
function resolveRevision(history: readonly RevisionInfo[], target: string): string {
  const exact = history.find((m) => m.name === target)
  if (exact) return exact.name
  const matches = history.filter((m) => m.name.startsWith(target))
  if (matches.length === 1) return matches[0]!.name
  throw new MigrationError(
    'OM_MIGRATE_REVISION',
    matches.length === 0
      ? `No revision ${JSON.stringify(target)} in the migrations folder. onemodel migrate history lists them.`
      : `${JSON.stringify(target)} matches ${matches.length} revisions (${matches.map((m) => m.name).join(', ')}); give more of the name.`,
  )
}

/** The names a Kysely migration step applied or reverted, or the failure as a {@link MigrationError}. */
function check(result: MigrationResultSet): string[] {
  const results = result.results ?? []
  if (result.error !== undefined) {
    const failed = results.find((r) => r.status === 'Error')
    if (failed) {
      const cause = result.error as Error
      throw new MigrationError(
        'OM_MIGRATE_FAILED',
        `Migration ${failed.migrationName} failed (${failed.direction === 'Up' ? 'upgrade' : 'downgrade'}): ${cause.message}`,
        { cause },
      )
    }
    throw mapError(result.error)
  }
  const skipped = results.find((r) => r.status === 'NotExecuted')
  if (skipped) {
    throw new MigrationError(
      'OM_MIGRATE_REVISION',
      `Migration ${skipped.migrationName} has no down(db) function, so it cannot be reverted.`,
    )
  }
  return results.map((r) => r.migrationName)
}

function mapError(error: unknown): Error {
  if (error instanceof OnemodelError) return error
  const message = (error as Error)?.message ?? String(error)
  if (message.startsWith('corrupted migrations')) {
    return new MigrationError(
      'OM_MIGRATE_REVISION',
      `The database and the migrations folder disagree: ${message.replace(/^corrupted migrations: /, '')}.`,
      { cause: error },
    )
  }
  return error as Error
}
