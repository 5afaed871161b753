/**
 * The guards autogenerate writes before a column becomes NOT NULL where rows may have no value for it.
 * MySQL and MariaDB fill such a column with 0 or '' instead of failing: always when a column is added, and
 * when one is made NOT NULL unless `sql_mode` is strict. The guards make the upgrade fail on every
 * database, and before any statement of the revision has run, which matters where DDL cannot be rolled
 * back (MySQL).
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
  if (!(await hasRow(db, table))) return
  throw new MigrationError(
    'OM_MIGRATE_NOT_NULL',
    `Table '${table}' has rows, and ${table}.${column} is added NOT NULL with no value for them. Give the field a default and generate the revision again, or edit the revision: add the column nullable, fill it (db.updateTable('${table}').set({ ${column}: … })), then make it NOT NULL.`,
  )
}

/**
 * Throws `OM_MIGRATE_NOT_NULL` when a row of `table` holds NULL in `column`, which is about to become NOT NULL.
 *
 * @example
 * export async function up(db: Kysely<any>): Promise<void> {
 *   await assertNoNulls(db, 'hero', 'age')
 *   await db.schema.alterTable('hero').alterColumn('age', (col) => col.setNotNull()).execute()
 * }
 */
export async function assertNoNulls(db: Kysely<any>, table: string, column: string): Promise<void> {
  if (!(await hasRow(db, table, column))) return
  throw new MigrationError(
    'OM_MIGRATE_NOT_NULL',
    `${table}.${column} is made NOT NULL, and rows of '${table}' hold NULL in it. Fill them first in this revision (db.updateTable('${table}').set({ ${column}: … }).where('${column}', 'is', null)), or keep the field nullable.`,
  )
}

/** Whether `table` has a row (one whose `nullIn` column is NULL, when given), reading at most one. */
async function hasRow(db: Kysely<any>, table: string, nullIn?: string): Promise<boolean> {
  const query = db
    .selectFrom(table)
    .select((eb) => eb.lit(1).as('one'))
    .limit(1)
  const row = await (nullIn === undefined ? query : query.where(nullIn, 'is', null)).executeTakeFirst()
  return row !== undefined
}
