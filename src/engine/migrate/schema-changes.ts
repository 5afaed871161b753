/**
 * What autogenerate's comparison says: each change that brings the database closer to the models, the
 * order `up()` applies them in, and the diff that lists them with what it chose not to guess. diff.ts
 * finds them; the renderers and `invert` read them.
 */
import type { ColumnSchema, ForeignKeySchema, IndexSchema, TableSchema, UniqueSchema } from '../schema.ts'

/** One change that brings the database closer to the models. `table` is the table's name. */
export type SchemaChange =
  | { readonly kind: 'createTable'; readonly table: TableSchema }
  | { readonly kind: 'dropTable'; readonly table: TableSchema }
  | { readonly kind: 'addColumn'; readonly table: string; readonly column: ColumnSchema }
  | { readonly kind: 'dropColumn'; readonly table: string; readonly column: ColumnSchema }
  | { readonly kind: 'renameColumn'; readonly table: string; readonly from: string; readonly to: string }
  | {
      /** Autogenerate cannot write it: the revision marks where `up()` and `down()` need it by hand. */
      readonly kind: 'alterPrimaryKey'
      readonly table: string
      readonly from: readonly string[]
      readonly to: readonly string[]
    }
  | {
      /**
       * `from` is the column as the database has it before `up()`, under its old name when it is also
       * renamed; `to` is the declared one. A guard runs before the rename and reads `from.name`; the
       * change itself runs after it and alters `to.name` (and `down()` the other way round).
       */
      readonly kind: 'alterColumn'
      readonly table: string
      readonly from: ColumnSchema
      readonly to: ColumnSchema
      /** The type differs, not only its spelling (`INTEGER` and `integer` are the same type). */
      readonly typeChanged: boolean
    }
  | { readonly kind: 'createIndex'; readonly table: string; readonly index: IndexSchema }
  | { readonly kind: 'dropIndex'; readonly table: string; readonly index: IndexSchema }
  | { readonly kind: 'addUnique'; readonly table: string; readonly unique: UniqueSchema }
  | { readonly kind: 'dropUnique'; readonly table: string; readonly unique: UniqueSchema }
  | { readonly kind: 'addForeignKey'; readonly table: string; readonly foreignKey: ForeignKeySchema }
  | { readonly kind: 'dropForeignKey'; readonly table: string; readonly foreignKey: ForeignKeySchema }

/** The kinds of {@link SchemaChange}. */
export type SchemaChangeKind = SchemaChange['kind']

/** What autogenerate found: the changes, in the order `up()` applies them, and what it chose not to guess. */
export interface SchemaDiff {
  readonly changes: readonly SchemaChange[]
  /** Possible renames, primary key changes and other things to review by hand, one sentence each. */
  readonly warnings: readonly string[]
  /**
   * The warnings that the revision gets wrong unless it is edited: a rename written as a drop and an add,
   * a primary key change it leaves to write by hand, a constraint it cannot drop. A revision with any is
   * written with a marker that `upgrade` refuses until the file is edited.
   */
  readonly edits: readonly string[]
}

// The order of `up()`: constraints and indexes that may stand in the way go first, new tables before
// columns that may reference them, dropped columns and tables last.
// A renamed column takes its new name before anything else uses it; a primary key changes once its
// columns exist and before the foreign keys that may reference it are added.
const CHANGE_ORDER: Record<SchemaChangeKind, number> = {
  dropForeignKey: 0,
  dropIndex: 1,
  dropUnique: 2,
  renameColumn: 3,
  createTable: 4,
  addColumn: 5,
  alterColumn: 6,
  dropColumn: 7,
  alterPrimaryKey: 8,
  createIndex: 9,
  addUnique: 10,
  addForeignKey: 11,
  dropTable: 12,
}

/** The phase of a change in `up()` (see {@link CHANGE_ORDER}). */
export function phaseOf(kind: SchemaChangeKind): number {
  return CHANGE_ORDER[kind]
}

/** Orders changes by phase; `Array.prototype.sort` is stable, so changes of one phase keep their order. */
export function byChangeOrder(a: SchemaChange, b: SchemaChange): number {
  return CHANGE_ORDER[a.kind] - CHANGE_ORDER[b.kind]
}
