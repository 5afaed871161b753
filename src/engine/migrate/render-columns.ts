/**
 * A column in a generated migration: its type and definition as Kysely's builder takes them, and the
 * statements that add a column to a table or change one.
 */
import { isColumnDataType, type ColumnDefinitionBuilder } from 'kysely'
import type { Dialect } from '../dialect/dialect.ts'
import type { ColumnSchema } from '../schema.ts'
import { chain, stringLiteral } from './render-source.ts'
import type { RenderScope } from './render-scope.ts'

/** `await db.schema.alterTable(…).addColumn(…)`: `column` added to an existing `table`. */
export function addColumn(scope: RenderScope, table: string, column: ColumnSchema): string {
  return chain([
    `alterTable(${stringLiteral(table)})`,
    `addColumn(${stringLiteral(column.name)}, ${dataType(scope, column.type)}${columnDefinition(scope.dialect, column, true)})`,
  ])
}

/** The change of a column's type or nullability, as the dialect's ALTER TABLE makes it. */
export function alterColumn(
  scope: RenderScope,
  table: string,
  from: ColumnSchema,
  to: ColumnSchema,
  typeChanged: boolean,
): string {
  const support = scope.dialect.migrations
  if (support.alterColumn === 'modify') {
    // MySQL restates the whole column; the primary key stays as it is.
    return chain([
      `alterTable(${stringLiteral(table)})`,
      `modifyColumn(${stringLiteral(to.name)}, ${dataType(scope, to.type)}${columnDefinition(scope.dialect, { ...to, primaryKey: false }, true)})`,
    ])
  }
  const calls: string[] = []
  if (typeChanged)
    calls.push(
      `alterColumn(${stringLiteral(to.name)}, (col) => col.setDataType(${dataType(scope, to.type)}))`,
    )
  if (from.nullable !== to.nullable) {
    calls.push(
      `alterColumn(${stringLiteral(to.name)}, (col) => col.${to.nullable ? 'dropNotNull' : 'setNotNull'}())`,
    )
  }
  return chain([`alterTable(${stringLiteral(table)})`, ...calls])
}

/** A type Kysely knows as a string (`'varchar(255)'`); any other through `sql` (`sql\`double\``). */
export function dataType(scope: RenderScope, type: string): string {
  if (isColumnDataType(type)) return stringLiteral(type)
  // A type read from the database (`int(11)`, `character varying(100)`) in the spelling a model gives.
  const normalize = scope.dialect.migrations.normalizeType
  const same = portableSpellings(type).find((candidate) => normalize(candidate) === normalize(type))
  if (same !== undefined) return stringLiteral(same)
  scope.helpers.add('sql')
  return `sql\`${type.replaceAll('\\', '\\\\').replaceAll('`', '\\`').replaceAll('${', '\\${')}\``
}

/** `, (col) => col.primaryKey().notNull()`, or nothing for a plain nullable column. */
export function columnDefinition(dialect: Dialect, column: ColumnSchema, alone: boolean): string {
  const calls: string[] = []
  if (column.primaryKey && !alone) calls.push('primaryKey()')
  if (column.autoIncrement) calls.push(...autoIncrementCalls(dialect))
  if (!column.nullable) calls.push('notNull()')
  return calls.length === 0 ? '' : `, (col) => col.${calls.join('.')}`
}

const SIMPLE_TYPES = [
  'integer',
  'bigint',
  'smallint',
  'boolean',
  'text',
  'varchar',
  'char',
  'double precision',
  'real',
  'numeric',
  'date',
  'timestamptz',
  'timestamp',
  'datetime',
  'time',
  'uuid',
  'jsonb',
  'json',
  'blob',
  'bytea',
] as const

/** Kysely's spellings that may name the same type as `type`, with its length or precision. */
function portableSpellings(type: string): string[] {
  const n = /\((\d+)\)/.exec(type)?.[1]
  const sized =
    n === undefined
      ? []
      : ['varchar', 'char', 'timestamptz', 'timestamp', 'datetime', 'time'].map((t) => `${t}(${n})`)
  return [...sized, ...SIMPLE_TYPES]
}

/** The builder calls the dialect makes to mark a generated key, recorded: `['generatedByDefaultAsIdentity()']`. */
function autoIncrementCalls(dialect: Dialect): string[] {
  const calls: string[] = []
  const recorder: ColumnDefinitionBuilder = new Proxy({} as ColumnDefinitionBuilder, {
    get: (_target, property) => () => {
      calls.push(`${String(property)}()`)
      return recorder
    },
  })
  dialect.autoIncrement(recorder)
  return calls
}
