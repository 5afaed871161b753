/**
 * Kysely's MySQL adapter with a migration lock that is known to be held. Kysely takes it with
 * `GET_LOCK(id, 3600)` and ignores the result, which is 0 when the hour passed and NULL when the wait was
 * killed: the migration then ran without the lock, beside another one.
 */
import { MysqlAdapter, sql, type Kysely } from 'kysely'
import { MigrationError } from '../../../errors.ts'

// Kysely's own lock name and wait (not exported): the same name makes its Migrator and onemodel's commands
// exclude each other, and the inherited releaseMigrationLock() releases it.
const LOCK_ID = 'ea586330-2c93-47c8-908d-981d9d270f9d'
const LOCK_TIMEOUT_SECONDS = 60 * 60

/** Waits for the migration lock like Kysely's adapter, and throws `OM_MIGRATE_LOCK` unless it got it. */
export class MysqlMigrationAdapter extends MysqlAdapter {
  override async acquireMigrationLock(db: Kysely<any>): Promise<void> {
    const lock = sql<{ held: number | null }>`select get_lock(${LOCK_ID}, ${LOCK_TIMEOUT_SECONDS}) as held`
    const held = (await lock.execute(db)).rows[0]?.held
    if (Number(held) === 1) return
    const why =
      held === 0
        ? `another migration command held it for ${LOCK_TIMEOUT_SECONDS / 60} minutes`
        : 'the wait for it was interrupted'
    throw new MigrationError(
      'OM_MIGRATE_LOCK',
      `Could not take the migration lock: ${why}. Nothing ran; run the command again once the other one is done.`,
    )
  }
}
