/**
 * The guard autogenerate writes before adding a NOT NULL column that has no value for existing rows. MySQL
 * and MariaDB fill such a column with 0 or '' instead of failing, whatever their `sql_mode`; the guard
 * makes the upgrade fail on every database, before anything of the revision has run.
 */
import type { Kysely } from 'kysely'
import { MigrationError } from '../../errors.ts'

/**
 * Throws `OM_MIGRATE_NOT_NULL` when `table` has rows, which a new NOT NULL `column` would have no value for.
 *
 * @example
 * export async function up(db: Kysely<any>): Promise<void> {
 *   await assertNoRowsToFill(db, 'hero', 'rank')
 *   await db.schema.alterTable('hero').addColumn('rank', 'integer', (col) => col.notNull()).execute()
 * }
 */
export async function assertNoRowsToFill(db: Kysely<any>, table: string, column: string): Promise<void> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.lit(1).as('one'))
    .limit(1)
    .executeTakeFirst()
  if (row === undefined) return
  throw new MigrationError(
    'OM_MIGRATE_NOT_NULL',
    `Table '${table}' has rows, and ${table}.${column} is added NOT NULL with no value for them. Give the field a default and generate the revision again, or edit the revision: add the column nullable, fill it (db.updateTable('${table}').set({ ${column}: … })), then make it NOT NULL.`,
  )
}
