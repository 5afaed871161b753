import type { DatabaseMetadataOptions, Kysely, TableMetadata } from 'kysely'

/** PostgreSQL's `invalid_schema_name`. */
const SCHEMA_DROPPED = '3F000'

/** How many times the introspection is tried while schemas are being dropped around it. */
const ATTEMPTS = 5

/**
 * Kysely's `introspection.getTables()`, tried again when a schema was dropped while it ran. On PostgreSQL it
 * scans every schema and calls `has_schema_privilege()` on each name it found; a schema another connection
 * drops in between (a tenant's, a test's) fails the whole scan with "schema … does not exist", though it
 * was never the one asked about. The next scan no longer sees it. The migration runner uses it to find its
 * table on every dialect; autogenerate's PostgreSQL introspection reads the current schema only.
 *
 * @example
 * const tables = (await tablesOf(db)).filter((table) => table.schema === 'public')
 */
export async function tablesOf(db: Kysely<any>, options?: DatabaseMetadataOptions): Promise<TableMetadata[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.introspection.getTables(options)
    } catch (error) {
      if (attempt === ATTEMPTS || !droppedSchema(error)) throw error
    }
  }
}

function droppedSchema(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if ((cause as { code?: unknown }).code === SCHEMA_DROPPED) return true
  }
  return false
}
