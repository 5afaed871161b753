import { sql, type CreateTableBuilder, type Kysely } from 'kysely'
import { ModelDefinitionError } from '../errors.ts'
import { defaultMetadata, type Metadata, type TableModel } from '../model/table.ts'
import type { Engine } from './engine.ts'

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
 * For a database that evolves, use migrations instead (`onemodel migrate`).
 *
 * @example
 * const engine = createEngine('sqlite:///heroes.db')
 * await createAll(engine)
 */
export async function createAll(engine: Engine, options: SchemaOptions = {}): Promise<void> {
  const tables = inDependencyOrder(options.metadata ?? defaultMetadata)
  await engine.db.transaction().execute(async (db) => {
    for (const table of tables) await createTable(engine, db, table)
  })
}

/** Drops every declared table that exists, dependents first. */
export async function dropAll(engine: Engine, options: SchemaOptions = {}): Promise<void> {
  const tables = inDependencyOrder(options.metadata ?? defaultMetadata).reverse()
  await engine.db.transaction().execute(async (db) => {
    for (const table of tables) await db.schema.dropTable(table.tableName).ifExists().execute()
  })
}

async function createTable(engine: Engine, db: Kysely<any>, table: TableModel): Promise<void> {
  const { dialect } = engine
  let builder: CreateTableBuilder<string, string> = db.schema.createTable(table.tableName).ifNotExists()
  for (const [name, field] of Object.entries(table.fields)) {
    builder = builder.addColumn(name, sql.raw(dialect.columnType(field)), (column) => {
      let c = column
      if (field.isPrimaryKey) c = c.primaryKey()
      if (field.isGenerated) c = dialect.autoIncrement(c)
      if (!field.nullable) c = c.notNull()
      return c
    })
  }
  for (const [name, field] of Object.entries(table.fields)) {
    // A unique column that is also indexed gets a unique index instead, as SQLAlchemy does.
    if (field.options.unique && !field.options.index) {
      builder = builder.addUniqueConstraint(`uq_${table.tableName}_${name}`, [name])
    }
    // Table-level, named constraints: MySQL ignores a REFERENCES clause written on the column.
    const reference = field.options.foreignKey
    if (reference) {
      const [target, column] = reference.split('.') as [string, string]
      const onDelete = field.options.onDelete
      builder = builder.addForeignKeyConstraint(
        `fk_${table.tableName}_${name}_${target}`,
        [name],
        target,
        [column],
        (fk) => (onDelete ? fk.onDelete(onDelete) : fk),
      )
    }
  }
  await builder.execute()
  const indexes = [
    ...Object.entries(table.fields)
      .filter(([, field]) => field.options.index && !field.isPrimaryKey)
      .map(([name, field]) => ({
        name: `ix_${table.tableName}_${name}`,
        columns: [name],
        unique: field.options.unique ?? false,
      })),
    ...table.indexes,
  ]
  for (const index of indexes) {
    let create = db.schema
      .createIndex(index.name)
      .on(table.tableName)
      .columns<string>([...index.columns])
    if (index.unique) create = create.unique()
    await create.ifNotExists().execute()
  }
}

/** Tables ordered so every referenced table comes before the tables that reference it. */
function inDependencyOrder(metadata: Metadata): TableModel[] {
  const tables = metadata.tables
  const ordered: TableModel[] = []
  const state = new Map<TableModel, 'visiting' | 'done'>()
  const visit = (table: TableModel): void => {
    if (state.get(table) === 'done' || state.get(table) === 'visiting') return
    state.set(table, 'visiting')
    for (const target of referencedTables(metadata, table)) if (target !== table) visit(target)
    state.set(table, 'done')
    ordered.push(table)
  }
  for (const table of tables) visit(table)
  return ordered
}

function referencedTables(metadata: Metadata, table: TableModel): TableModel[] {
  const targets: TableModel[] = []
  for (const [name, field] of Object.entries(table.fields)) {
    const reference = field.options.foreignKey
    if (!reference) continue
    const [targetTable, targetColumn] = reference.split('.') as [string, string]
    const target = metadata.get(targetTable)
    if (!target) {
      throw new ModelDefinitionError(
        `${table.name}.${name}: foreignKey "${reference}" points to no declared table. Declare table('${targetTable}', …) before createAll(), or fix the reference.`,
      )
    }
    if (!(targetColumn in target.fields)) {
      throw new ModelDefinitionError(
        `${table.name}.${name}: foreignKey "${reference}" names no column of table '${targetTable}' (${target.name}). Its columns are: ${Object.keys(target.fields).join(', ')}.`,
      )
    }
    targets.push(target)
  }
  return targets
}
