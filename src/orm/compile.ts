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
import type { Dialect } from '../engine/dialect/dialect.ts'
import type { Select } from './select.ts'
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

/** Compiles a {@link Select} for one engine. Limit and offset are bound parameters, so the SQL text repeats. */
export function compileSelect(db: Kysely<any>, dialect: Dialect, query: Select): CompiledQuery {
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
  return builder.compile()
}
