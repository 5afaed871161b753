import { sql, type CreateIndexBuilder, type CreateTableBuilder, type Kysely } from 'kysely'
import { defaultMetadata, type Metadata } from '../model/table.ts'
import type { Dialect } from './dialect/dialect.ts'
import type { Engine } from './engine.ts'
import {
  declaredTable,
  primaryKeyColumns,
  primaryKeyName,
  tablesInDependencyOrder,
  type IndexSchema,
  type TableSchema,
} from './schema.ts'

/** Which tables {@link createAll} and {@link dropAll} act on. */
export interface SchemaOptions {
  /** Defaults to {@link defaultMetadata}, where every `table()` goes unless told otherwise. */
  metadata?: Metadata
}

/**
 * Creates every declared table, with its indexes, unique constraints and foreign keys, skipping what
 * exists (SQLModel's `SQLModel.metadata.create_all(engine)`). Runs in one transaction where the database
 * allows DDL in transactions. Foreign keys are checked first: one that names no declared table or column
 * throws {@link ModelDefinitionError} before anything is created.
 *
 * For a database that evolves, use migrations instead (`onemodel migrate`, see docs/migrations.md).
 *
 * @example
 * const engine = createEngine('sqlite:///heroes.db')
 * await createAll(engine)
 */
export async function createAll(engine: Engine, options: SchemaOptions = {}): Promise<void> {
  const tables = tablesInDependencyOrder(options.metadata ?? defaultMetadata)
  await engine.db.transaction().execute(async (db) => {
    for (const table of tables) await createTable(engine.dialect, db, declaredTable(table, engine.dialect))
  })
}

/** Drops every declared table that exists, dependents first. */
export async function dropAll(engine: Engine, options: SchemaOptions = {}): Promise<void> {
  const tables = tablesInDependencyOrder(options.metadata ?? defaultMetadata).reverse()
  await engine.db.transaction().execute(async (db) => {
    for (const table of tables) await db.schema.dropTable(table.tableName).ifExists().execute()
  })
}

async function createTable(dialect: Dialect, db: Kysely<any>, table: TableSchema): Promise<void> {
  let builder: CreateTableBuilder<string, string> = db.schema.createTable(table.name).ifNotExists()
  const keys = primaryKeyColumns(table)
  for (const column of table.columns) {
    builder = builder.addColumn(column.name, sql.raw(column.type), (definition) => {
      let c = definition
      if (column.primaryKey && keys.length === 1) c = c.primaryKey()
      if (column.autoIncrement) c = dialect.autoIncrement(c)
      if (!column.nullable) c = c.notNull()
      return c
    })
  }
  if (keys.length > 1) builder = builder.addPrimaryKeyConstraint(primaryKeyName(table.name), keys)
  for (const unique of table.uniques) builder = builder.addUniqueConstraint(unique.name!, [...unique.columns])
  // Table-level, named constraints: MySQL ignores a REFERENCES clause written on the column.
  for (const fk of table.foreignKeys) {
    builder = builder.addForeignKeyConstraint(
      fk.name!,
      [...fk.columns],
      fk.table,
      [...fk.references],
      (constraint) => (fk.onDelete === 'no action' ? constraint : constraint.onDelete(fk.onDelete)),
    )
  }
  if (dialect.tableOptions) builder = builder.modifyEnd(sql.raw(dialect.tableOptions))
  await builder.execute()
  for (const index of table.indexes) await createIndex(db, table.name, index).ifNotExists().execute()
}

/** `create index`, with the index's method and column prefixes where it has them. */
function createIndex(db: Kysely<any>, tableName: string, index: IndexSchema): CreateIndexBuilder {
  let create = db.schema.createIndex(index.name).on(tableName)
  for (const column of index.columns) {
    const prefix = index.prefixes?.[column]
    create =
      prefix === undefined
        ? create.column(column)
        : create.column(sql`${sql.ref(column)}(${sql.raw(String(prefix))})`)
  }
  if (index.using) create = create.using(index.using)
  return index.unique ? create.unique() : create
}
