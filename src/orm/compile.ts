/**
 * Turns onemodel's condition trees and selects into Kysely queries. This is the only place that knows
 * both vocabularies.
 */
import { sql, type Expression, type ExpressionBuilder, type Kysely, type SqlBool } from 'kysely'
import type { ColumnInfo, ConditionNode } from '../model/column.ts'
import type { Dialect } from '../engine/dialect/dialect.ts'
import type { AnyField } from '../model/field.ts'
import type { TableModel } from '../model/table.ts'
import { Select } from './select.ts'

type Builder = ExpressionBuilder<any, any>

function ref(column: ColumnInfo) {
  return `${column.table}.${column.name}`
}

/** `%`, `_` and the escape character itself match literally. */
function likePattern(text: string, match: 'contains' | 'startsWith' | 'endsWith'): string {
  const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`)
  return match === 'contains' ? `%${escaped}%` : match === 'startsWith' ? `${escaped}%` : `%${escaped}`
}

export function toExpression(eb: Builder, node: ConditionNode, dialect: Dialect): Expression<SqlBool> {
  switch (node.kind) {
    case 'compare':
      return eb(ref(node.column), node.op, toParam(node.column.field, node.value))
    case 'in':
      // `in ()` is not SQL; Kysely writes an empty and() as 1 = 1 and an empty or() as 1 = 0.
      if (node.values.length === 0) return node.negated ? eb.and([]) : eb.or([])
      return eb(
        ref(node.column),
        node.negated ? 'not in' : 'in',
        node.values.map((value) => toParam(node.column.field, value)),
      )
    case 'null':
      return eb(ref(node.column), node.negated ? 'is not' : 'is', null)
    case 'like':
      return sql<SqlBool>`${eb.ref(ref(node.column))} like ${likePattern(node.text, node.match)} ${sql.raw(dialect.likeEscape)}`
    case 'and':
      return eb.and(node.items.map((item) => toExpression(eb, item, dialect)))
    case 'or':
      return eb.or(node.items.map((item) => toExpression(eb, item, dialect)))
    case 'not':
      return eb.not(toExpression(eb, node.item, dialect))
  }
}

/** The Kysely query of a {@link Select}: its values are parameters, limit and offset too. */
export function buildSelect(db: Kysely<any>, dialect: Dialect, query: Select) {
  const { model, state } = query
  let builder = db.selectFrom(model.tableName).select(columnsOf(model))
  if (state.where.length > 0) {
    builder = builder.where((eb) => eb.and(state.where.map((node) => toExpression(eb, node, dialect))))
  }
  for (const term of state.orderBy) builder = builder.orderBy(ref(term.column), term.direction)
  if (state.limit !== undefined) builder = builder.limit(state.limit)
  if (state.offset !== undefined) {
    // MySQL and SQLite accept OFFSET only after a LIMIT; the largest limit means "no limit".
    if (state.limit === undefined) builder = builder.limit(Number.MAX_SAFE_INTEGER)
    builder = builder.offset(state.offset)
  }
  // SQLite has no row locks: its transaction, begun by the Session for a locking select, stands in.
  if (state.lock !== undefined && dialect.supportsRowLocks) {
    builder = builder.forUpdate()
    if (state.lock.wait === 'skipLocked') builder = builder.skipLocked()
    if (state.lock.wait === 'noWait') builder = builder.noWait()
  }
  return builder
}

/**
 * `SELECT count(*) FROM (<query>)`: how many rows `query` finds, its order, paging, loads and lock left
 * out. Counting the query itself, as a subquery, keeps the total right whatever it selects.
 */
export function buildCount(db: Kysely<any>, dialect: Dialect, query: Select) {
  const counted = buildSelect(db, dialect, unpaged(query)).as('counted')
  return db.selectFrom(counted).select((eb) => eb.fn.countAll().as('count'))
}

/** The rows `query` would find, in any order, all of them, unlocked: what {@link buildCount} counts. */
export function unpaged<M extends TableModel>(query: Select<M>): Select<M> {
  const { state } = query
  return new Select(query.model, {
    ...state,
    orderBy: [],
    limit: undefined,
    offset: undefined,
    options: [],
    lock: undefined,
  })
}

/** What decides the SQL text of `query`; its values are pushed to `parameters`, in the order SQL binds them. */
export function shapeOf(query: Select, parameters: unknown[]): string {
  const { state } = query
  let shape = ''
  for (const node of state.where) shape += ` where ${conditionShape(node, parameters)}`
  for (const term of state.orderBy) shape += ` order ${ref(term.column)} ${term.direction}`
  if (state.limit !== undefined || state.offset !== undefined) {
    shape += ' limit'
    parameters.push(state.limit ?? Number.MAX_SAFE_INTEGER)
  }
  if (state.offset !== undefined) {
    shape += ' offset'
    parameters.push(state.offset)
  }
  if (state.lock !== undefined) shape += ` lock ${state.lock.wait}`
  return shape
}

function conditionShape(node: ConditionNode, parameters: unknown[]): string {
  switch (node.kind) {
    case 'compare':
      parameters.push(toParam(node.column.field, node.value))
      return `${ref(node.column)} ${node.op} ?`
    case 'in':
      for (const value of node.values) parameters.push(toParam(node.column.field, value))
      return `${ref(node.column)} ${node.negated ? 'not in' : 'in'} ${node.values.length}`
    case 'null':
      return `${ref(node.column)} ${node.negated ? 'is not' : 'is'} null`
    case 'like':
      parameters.push(likePattern(node.text, node.match))
      return `${ref(node.column)} like ?`
    case 'and':
    case 'or':
      return `${node.kind}(${node.items.map((item) => conditionShape(item, parameters)).join(', ')})`
    case 'not':
      return `not(${conditionShape(node.item, parameters)})`
  }
}

/**
 * The model's columns by name, never `*`: a model ahead of its database (a field added, not yet migrated)
 * then fails to read with the database naming the missing column, instead of reading `undefined`.
 */
export function columnsOf(table: TableModel): string[] {
  return Object.keys(table.fields).map((key) => `${table.tableName}.${key}`)
}

/**
 * A field value as a statement parameter. JSON goes as its text on every dialect: drivers would otherwise
 * send an array as a PostgreSQL array literal or an object as a MySQL `SET` list.
 */
export function toParam(field: AnyField, value: unknown): unknown {
  return field.kind === 'json' && value !== null && value !== undefined ? JSON.stringify(value) : value
}
