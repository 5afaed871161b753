/**
 * Turns onemodel's condition trees and selects into Kysely queries. This is the only place that knows
 * both vocabularies.
 */
import {
  sql,
  type CompiledQuery,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type SqlBool,
} from 'kysely'
import type { ColumnInfo, ConditionNode } from '../model/column.ts'
import type { TableModel } from '../model/table.ts'
import { driverQuery, type Dialect, type DriverQuery } from '../engine/dialect/dialect.ts'
import type { Select } from './select.ts'
import { layoutOf } from './snapshot.ts'
import { columnsOf, toParam } from './statements.ts'

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

/**
 * Compiles a {@link Select} for one engine, as a query whose rows come back as arrays in field order. The
 * SQL text depends only on the query's shape (its columns, operators and clauses), never on its values,
 * which are bound parameters: each shape is built with Kysely once per engine and model, and later queries of that
 * shape only bind their values.
 */
export function compileSelect(db: Kysely<any>, dialect: Dialect, query: Select): DriverQuery {
  const parameters: unknown[] = []
  const shape = shapeOf(query, parameters)
  let models = templatesByDb.get(db)
  if (!models) templatesByDb.set(db, (models = new WeakMap()))
  let templates = models.get(query.model)
  if (!templates) models.set(query.model, (templates = new Map()))
  let template = templates.get(shape)
  if (template === undefined) {
    const compiled = build(db, dialect, query).compile()
    // The cache relies on Kysely binding the values in the order shapeOf visits them. Checked here once
    // per shape; a shape where the two differ would simply be compiled every time.
    if (!sameValues(compiled.parameters, parameters)) return withRows(query, compiled, compiled.parameters)
    if (templates.size >= MAX_SHAPES) templates.delete(templates.keys().next().value!)
    templates.set(shape, (template = compiled))
  }
  return withRows(query, template, parameters)
}

/** Shapes kept per engine and model; an `in` list makes one shape per length, so the cache is bounded. */
const MAX_SHAPES = 500
const templatesByDb = new WeakMap<Kysely<any>, WeakMap<TableModel, Map<string, CompiledQuery>>>()

function withRows(query: Select, template: CompiledQuery, parameters: readonly unknown[]): DriverQuery {
  return driverQuery(template, parameters, { arrayOf: layoutOf(query.model).keys })
}

function build(db: Kysely<any>, dialect: Dialect, query: Select) {
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
  return builder
}

/** What decides the SQL text of `query`; its values are pushed to `parameters`, in the order SQL binds them. */
function shapeOf(query: Select, parameters: unknown[]): string {
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

function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]))
}
