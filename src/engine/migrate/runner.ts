import { AsyncLocalStorage } from 'node:async_hooks'
import { Kysely, type LogEvent, type QueryCreator } from 'kysely'
import { DEFAULT_MIGRATION_LOCK_TABLE, DEFAULT_MIGRATION_TABLE, MIGRATION_LOCK_ID } from 'kysely/migration'
import { MigrationError } from '../../errors.ts'
import type { Engine } from '../engine.ts'
import { revisionFailure, type ExecutedStatement } from './failure.ts'
import { currentOf, type AppliedRevision, type MigrationState, type PlannedStep } from './plan.ts'
import type { RevisionModule } from './revision-files.ts'
import { tablesOf } from '../introspected-tables.ts'

/** Runs one revision's `up()` or `down()` in its own transaction (or savepoint) and records it. */
type RevisionScope = <T>(work: (db: Kysely<any>) => Promise<T>) => Promise<T>

/** Where {@link MigrationRunner.run} finds the revisions. */
export interface RevisionSource {
  /** The revision files by name, sorted: listed under the lock. */
  files(): Promise<ReadonlyMap<string, string>>
  /** Imports the revision file at `path`. Every revision of a plan is loaded before the first runs. */
  load(path: string): Promise<RevisionModule>
}

/**
 * Carries out migration commands under one lock: the state is read, the plan made from it and every
 * revision of it run while the lock is held, so two commands started together never plan from the same
 * state (Kysely's Migrator takes its lock per `migrateUp()`, and a loop of them ran past its target).
 * Each revision is its own transaction (a savepoint of the command's transaction on SQLite, whose lock is
 * that transaction), so a failure undoes exactly that revision.
 *
 * The record of applied revisions is Kysely's `kysely_migration` table, so databases migrated before keep
 * their history.
 */
export class MigrationRunner {
  readonly #engine: Engine
  #db: Promise<{ db: Kysely<any>; schema: string | undefined }> | undefined
  /** The schema of the record on PostgreSQL (the current one), known once connected. */
  #schema: string | undefined
  /**
   * The statements of the revision running in this async context, recorded through Kysely's query log:
   * commands run side by side on one runner each record their own.
   */
  readonly #statements = new AsyncLocalStorage<ExecutedStatement[]>()

  constructor(engine: Engine) {
    this.#engine = engine
  }

  /** The state without the lock, for commands that only read it. */
  async state(files: readonly string[]): Promise<MigrationState> {
    const { db } = await this.#connection()
    return { files, applied: await this.#applied(db) }
  }

  /** Makes the plan from the state and runs it, all under the lock. Returns the revisions run. */
  async run(source: RevisionSource, plan: (state: MigrationState) => PlannedStep[]): Promise<string[]> {
    return this.#locked(async (db, scope) => {
      const files = await source.files()
      const state = { files: [...files.keys()], applied: await this.#applied(db) }
      const steps = plan(state)
      // The record is made by the first command that has something to record, so a refused one leaves none.
      if (steps.length > 0) await this.#createTable(db)
      const loaded: { step: PlannedStep; module: RevisionModule }[] = []
      // A plan names only revisions that have a file: the planners refuse applied ones whose file is gone.
      for (const step of steps) loaded.push({ step, module: await source.load(files.get(step.name)!) })
      const irreversible = loaded.find(({ step, module }) => step.direction === 'down' && !module.down)
      if (irreversible) {
        throw new MigrationError(
          'OM_MIGRATE_REVISION',
          `Migration ${irreversible.step.name} has no down(db) function, so it cannot be reverted. Nothing was reverted.`,
        )
      }
      let applied = state.applied
      for (const { step, module } of loaded) applied = await this.#step(db, scope, step, module, applied)
      return steps.map((step) => step.name)
    })
  }

  /** Records `plan(state)` as the applied revisions, without running them, under the lock. */
  async stamp(source: RevisionSource, plan: (state: MigrationState) => string[]): Promise<void> {
    await this.#locked(async (db, scope) => {
      const state = { files: [...(await source.files()).keys()], applied: await this.#applied(db) }
      const names = plan(state)
      await this.#createTable(db)
      const start = Date.now()
      await scope(async (trx) => {
        await this.#table(trx).deleteFrom(DEFAULT_MIGRATION_TABLE).execute()
        const rows = names.map((name, i) => ({ name, timestamp: new Date(start + i).toISOString() }))
        if (rows.length > 0) await this.#table(trx).insertInto(DEFAULT_MIGRATION_TABLE).values(rows).execute()
      })
    })
  }

  /** Runs one step in its scope; returns the record after it, or throws what it left. */
  async #step(
    db: Kysely<any>,
    scope: RevisionScope,
    step: PlannedStep,
    module: RevisionModule,
    applied: readonly AppliedRevision[],
  ): Promise<AppliedRevision[]> {
    const { verify, transactionalDdl } = this.#engine.dialect.migrations
    const statements: ExecutedStatement[] = []
    try {
      return await scope(async (trx) => {
        await this.#statements.run(statements, async () => {
          // Plans with a missing down() were refused before anything ran.
          await (step.direction === 'down' ? module.down!(trx) : module.up(trx))
          await verify?.(trx)
        })
        if (step.direction === 'down') {
          await this.#table(trx).deleteFrom(DEFAULT_MIGRATION_TABLE).where('name', '=', step.name).execute()
          return applied.filter((r) => r.name !== step.name)
        }
        const appliedAt = nextTimestamp(applied)
        await this.#table(trx)
          .insertInto(DEFAULT_MIGRATION_TABLE)
          .values({ name: step.name, timestamp: appliedAt.toISOString() })
          .execute()
        return [...applied, { name: step.name, appliedAt }]
      })
    } catch (error) {
      const intended =
        step.direction === 'up' ? step.name : currentOf(applied.filter((r) => r.name !== step.name))
      throw await revisionFailure(db, {
        step,
        error,
        statements,
        transactionalDdl,
        current: currentOf(applied),
        intended,
      })
    }
  }

  /**
   * Runs `work` holding the migration lock on one connection: the adapter's lock (an advisory lock, GET_LOCK)
   * with a transaction per revision, or one transaction with a savepoint per revision where the lock is
   * that transaction's (SQLite's write transaction; PostgreSQL's transaction advisory lock behind a pooler).
   */
  async #locked<T>(work: (db: Kysely<any>, scope: RevisionScope) => Promise<T>): Promise<T> {
    const { db, schema } = await this.#connection()
    const support = this.#engine.dialect.migrations
    const lock = {
      lockTable: DEFAULT_MIGRATION_LOCK_TABLE,
      lockRowId: MIGRATION_LOCK_ID,
      lockTableSchema: schema,
    }
    return db.connection().execute(async (connection) => {
      // Asked once the connection is open, which is when PostgreSQL finds a pooler in between.
      const { adapter, inTransaction, lockTransaction } = support.migrationLock()
      await adapter.acquireMigrationLock(connection, lock)
      return releasedAfter(
        () =>
          inTransaction
            ? inOneTransaction(connection, lockTransaction, work)
            : work(connection, (step) => connection.transaction().execute(step)),
        () => adapter.releaseMigrationLock(connection, lock),
      )
    })
  }

  /** The record, in the order the revisions were applied (by time, then name, as Kysely orders it). */
  async #applied(db: Kysely<any>): Promise<AppliedRevision[]> {
    const tables = await tablesOf(db, { withInternalKyselyTables: true })
    const recorded = tables.some(
      (t) => t.name === DEFAULT_MIGRATION_TABLE && (this.#schema === undefined || t.schema === this.#schema),
    )
    if (!recorded) return []
    const rows = await this.#table(db)
      .selectFrom(DEFAULT_MIGRATION_TABLE)
      .select(['name', 'timestamp'])
      .execute()
    return rows
      .map((row) => ({ name: String(row.name), appliedAt: new Date(String(row.timestamp)) }))
      .sort((a, b) => a.appliedAt.getTime() - b.appliedAt.getTime() || (a.name < b.name ? -1 : 1))
  }

  async #createTable(db: Kysely<any>): Promise<void> {
    // The table Kysely's Migrator creates, so databases it migrated keep their record.
    await (this.#schema === undefined ? db.schema : db.schema.withSchema(this.#schema))
      .createTable(DEFAULT_MIGRATION_TABLE)
      .ifNotExists()
      .addColumn('name', 'varchar(255)', (col) => col.notNull().primaryKey())
      .addColumn('timestamp', 'varchar(255)', (col) => col.notNull())
      .execute()
  }

  #table(db: Kysely<any>): QueryCreator<any> {
    return this.#schema === undefined ? db : db.withSchema(this.#schema)
  }

  #connection(): Promise<{ db: Kysely<any>; schema: string | undefined }> {
    this.#db ??= this.#connect().catch((error: unknown) => {
      this.#db = undefined // the next command tries again: the database may be up by then
      throw error
    })
    return this.#db
  }

  async #connect(): Promise<{ db: Kysely<any>; schema: string | undefined }> {
    const { dialect } = this.#engine
    const support = dialect.migrations
    // The engine's Kysely dialect: it shares the engine's driver and connections. (Destroying this
    // instance would close them, so it is never destroyed; the engine is.)
    const db = new Kysely<any>({ dialect: dialect.kysely, log: (event) => this.#record(event) })
    const schema = await support.currentSchema?.(db)
    this.#schema = schema
    return { db, schema }
  }

  #record(event: LogEvent): void {
    this.#statements
      .getStore()
      ?.push(event.level === 'error' ? { query: event.query, error: event.error } : { query: event.query })
  }
}

/** When the next revision is recorded as applied: now, or just after the last one if the clock is behind. */
function nextTimestamp(applied: readonly AppliedRevision[]): Date {
  const latest = Math.max(0, ...applied.map((r) => r.appliedAt.getTime()))
  return new Date(Math.max(Date.now(), latest + 1))
}

/**
 * Runs a command's `work` in one transaction, each revision in a savepoint of it: where the migration lock
 * is the transaction's, taken first by `lockTransaction`.
 */
async function inOneTransaction<T>(
  connection: Kysely<any>,
  lockTransaction: ((db: Kysely<any>) => Promise<void>) | undefined,
  work: (db: Kysely<any>, scope: RevisionScope) => Promise<T>,
): Promise<T> {
  const trx = await connection.startTransaction().execute()
  let undoAll = false
  try {
    await lockTransaction?.(trx)
    const result = await work(trx, async (step) => {
      const revision = await trx.savepoint('revision').execute()
      try {
        const done = await step(revision)
        await revision.releaseSavepoint('revision').execute()
        return done
      } catch (error) {
        await revision
          .rollbackToSavepoint('revision')
          .execute()
          .catch(() => (undoAll = true))
        throw error
      }
    })
    await trx.commit().execute()
    return result
  } catch (error) {
    // The failed revision is undone to its savepoint and the ones before it kept, as elsewhere. When that
    // failed (SQLite rolls the whole transaction back on some errors), everything is undone. The revision's
    // own error is thrown either way: it says why; a failed COMMIT or ROLLBACK would not.
    const end = undoAll ? trx.rollback() : trx.commit()
    await end
      .execute()
      .catch(() => trx.rollback().execute())
      .catch(() => undefined)
    throw error
  }
}

/**
 * Runs `work`, then `release`, whether `work` failed or not. When both fail, `work`'s error is thrown,
 * since it says why the command failed, and its message adds the release's, since the lock may still be
 * held; a failed release alone throws its own error.
 *
 * @example
 * await releasedAfter(() => upgrade(connection), () => adapter.releaseMigrationLock(connection, lock))
 */
async function releasedAfter<T>(work: () => Promise<T>, release: () => Promise<void>): Promise<T> {
  let result: T
  try {
    result = await work()
  } catch (error) {
    await release().catch((releaseError: unknown) => {
      const why = releaseError instanceof Error ? releaseError.message : String(releaseError)
      if (error instanceof Error) error.message += ` Then: ${why}`
    })
    throw error
  }
  await release()
  return result
}
