/**
 * The statements of a generated `up()` or `down()`: each change as `await …` lines, in the order that
 * applies: guards first, then the changes, with the fills and SQLite's rebuilds where they belong.
 */
import type { Dialect } from '../dialect/dialect.ts'
import type { ColumnSchema, FillValue } from '../schema.ts'
import { addColumn, alterColumn } from './render-columns.ts'
import { fill, fillNulls, notNullGuard } from './render-not-null.ts'
import { REBUILDABLE, rebuild, rebuiltTables } from './render-rebuild.ts'
import type { RenderScope } from './render-scope.ts'
import { chain, stringLiteral, strings } from './render-source.ts'
import { createIndex, createTable, foreignKey } from './render-tables.ts'
import { phaseOf, type SchemaChange } from './schema-changes.ts'

/** A change to an existing table. */
type TableChange = Exclude<SchemaChange, { kind: 'createTable' | 'dropTable' }>

/** Writes the statements of one migration file, recording the helpers they use. */
export class Writer implements RenderScope {
  readonly dialect: Dialect
  /** The helpers from 'onemodel-ts' that the statements use. */
  readonly helpers = new Set<string>()

  constructor(dialect: Dialect) {
    this.dialect = dialect
  }

  /**
   * Each change as `await …` lines; on SQLite, a table's changes that ALTER TABLE cannot make become one
   * rebuild. Guards come first, so a revision that cannot apply fails before any of it ran (MySQL would
   * keep the DDL statements before a failure).
   */
  statements(changes: readonly SchemaChange[]): string[] {
    const rebuilt = rebuiltTables(this.dialect, changes)
    const inRebuild = (change: SchemaChange): change is TableChange =>
      change.kind !== 'createTable' &&
      change.kind !== 'dropTable' &&
      REBUILDABLE.has(change.kind) &&
      !(change.kind === 'addColumn' && change.column.fill !== undefined) &&
      rebuilt.has(change.table)
    const rebuilds = [...rebuilt].map((table) =>
      rebuild(
        this,
        table,
        changes.filter((c) => inRebuild(c) && c.table === table),
      ),
    )
    // Rebuilds go after the dropped indexes and created tables, before the indexes they may need.
    let at = changes.findIndex((change) => phaseOf(change.kind) > phaseOf('createTable'))
    if (at === -1) at = changes.length
    const write = (part: readonly SchemaChange[]) =>
      part.filter((change) => !inRebuild(change)).map((change) => this.#statement(change))
    // Fills go after the renames (in the first part), before the changes that make their columns NOT NULL.
    return [
      ...changes.flatMap((change) => notNullGuard(this, change)),
      ...write(changes.slice(0, at)),
      ...changes.flatMap(fillNulls),
      ...rebuilds,
      ...write(changes.slice(at)),
    ]
  }

  #statement(change: SchemaChange): string {
    const support = this.dialect.migrations
    switch (change.kind) {
      case 'createTable':
        return createTable(this, change.table)
      case 'dropTable':
        return `  await db.schema.dropTable(${stringLiteral(change.table.name)}).execute()`
      case 'addColumn':
        return change.column.fill === undefined || change.column.nullable
          ? addColumn(this, change.table, change.column)
          : this.#addFilledColumn(change.table, change.column, change.column.fill.value)
      case 'dropColumn':
        return chain([
          `alterTable(${stringLiteral(change.table)})`,
          `dropColumn(${stringLiteral(change.column.name)})`,
        ])
      case 'renameColumn':
        return chain([
          `alterTable(${stringLiteral(change.table)})`,
          `renameColumn(${stringLiteral(change.from)}, ${stringLiteral(change.to)})`,
        ])
      case 'alterPrimaryKey':
        return [
          `  // Write here the change of the primary key of '${change.table}' from (${change.from.join(', ')}) to (${change.to.join(', ')}):`,
          `  // autogenerate does not write it (see the notes at the top).`,
        ].join('\n')
      case 'alterColumn':
        return alterColumn(this, change.table, change.from, change.to, change.typeChanged)
      case 'createIndex':
        return createIndex(this, change.table, change.index)
      case 'dropIndex':
        return chain([
          `dropIndex(${stringLiteral(change.index.name)})`,
          ...(support.dropIndexNamesTable ? [`on(${stringLiteral(change.table)})`] : []),
        ])
      case 'addUnique':
        return chain([
          `alterTable(${stringLiteral(change.table)})`,
          `addUniqueConstraint(${stringLiteral(change.unique.name ?? `uq_${change.table}_${change.unique.columns.join('_')}`)}, ${strings(change.unique.columns)})`,
        ])
      case 'dropUnique':
        return chain([
          `alterTable(${stringLiteral(change.table)})`,
          `dropConstraint(${stringLiteral(change.unique.name!)})`,
        ])
      case 'addForeignKey': {
        const add = chain([
          `alterTable(${stringLiteral(change.table)})`,
          foreignKey(change.table, change.foreignKey),
        ])
        if (!support.foreignKeysNeedIndex) return add
        // An index of the key's own name, so down() can drop it with the key (MySQL would make one anyway).
        const { foreignKey: fk } = change
        return [
          chain([
            `createIndex(${stringLiteral(fk.name!)})`,
            `on(${stringLiteral(change.table)})`,
            `columns(${strings(fk.columns)})`,
          ]),
          add,
        ].join('\n')
      }
      case 'dropForeignKey':
        if (support.foreignKeysNeedIndex) {
          // MySQL drops a foreign key with DROP FOREIGN KEY, and leaves the key's index behind.
          const { foreignKey: fk } = change
          this.helpers.add('sql')
          const drop = `  await sql\`alter table \${sql.table(${stringLiteral(change.table)})} drop foreign key \${sql.id(${stringLiteral(fk.name!)})}\`.execute(db)`
          if (fk.backingIndex === undefined) return drop
          return [
            drop,
            chain([`dropIndex(${stringLiteral(fk.backingIndex)})`, `on(${stringLiteral(change.table)})`]),
          ].join('\n')
        }
        return chain([
          `alterTable(${stringLiteral(change.table)})`,
          `dropConstraint(${stringLiteral(change.foreignKey.name!)})`,
        ])
    }
  }

  /**
   * A NOT NULL column whose existing rows get the model's default: added nullable, filled, then made NOT
   * NULL. The same three steps on every database, and no database default stays behind: onemodel applies
   * model defaults itself, as `createAll()` tables have none.
   */
  #addFilledColumn(table: string, column: ColumnSchema, value: FillValue): string {
    const nullable = { ...column, nullable: true }
    const notNull: SchemaChange = {
      kind: 'alterColumn',
      table,
      from: nullable,
      to: column,
      typeChanged: false,
    }
    return [
      addColumn(this, table, nullable),
      fill(table, column.name, value),
      this.dialect.migrations.alterColumn === 'rebuild'
        ? rebuild(this, table, [notNull])
        : this.#statement(notNull),
    ].join('\n')
  }
}
