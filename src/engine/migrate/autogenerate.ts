import { defaultMetadata, type Metadata } from '../../model/table.ts'
import type { Engine } from '../engine.ts'
import { declaredTable, tablesInDependencyOrder } from '../schema.ts'
import { diffSchemas, type ColumnRename } from './diff.ts'
import type { SchemaDiff } from './schema-changes.ts'

/** What {@link autogenerate} compares. */
export interface AutogenerateOptions {
  /** The declared tables; defaults to {@link defaultMetadata}. */
  metadata?: Metadata
  /**
   * Columns the models renamed, written as renames that keep their values instead of a drop and an add:
   * `[{ table: 'hero', from: 'name', to: 'full_name' }]`.
   */
  renames?: readonly ColumnRename[]
}

/**
 * Compares the tables the models declare with the live database (Alembic's autogenerate): tables, columns
 * (type and nullability), primary keys, indexes, unique constraints and foreign keys. An empty `changes`
 * means the database matches the models. Renames are never guessed; `warnings` says where one may have
 * happened, and `renames` says what was meant. Model defaults and value bounds (`ge`, `le`, `pattern`, …)
 * are applied by onemodel, not stored in the database, so they are not compared.
 *
 * Migrations' own tables (`kysely_migration*`) are ignored, and so are views. On PostgreSQL only the current
 * schema (`search_path`) is compared.
 *
 * @example
 * const diff = await autogenerate(engine, { metadata })
 * if (diff.changes.length > 0) console.log(renderMigration(diff, { name: '20250102_153000_sync', message: 'sync', dialect: engine.dialect }))
 */
export async function autogenerate(engine: Engine, options: AutogenerateOptions = {}): Promise<SchemaDiff> {
  const support = engine.dialect.migrations
  const declared = tablesInDependencyOrder(options.metadata ?? defaultMetadata).map((table) =>
    declaredTable(table, engine.dialect),
  )
  const live = await support.introspect(engine.db)
  return diffSchemas(declared, live, support, options.renames ? { renames: options.renames } : {})
}
