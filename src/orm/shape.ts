/**
 * A select's shape: what decides its SQL text, never its values. Two selects of one shape share one
 * compiled statement; only their values, collected here in the order the SQL binds them, differ.
 */
import { AliasedTable } from '../model/alias.ts'
import type { ConditionNode } from '../model/condition.ts'
import { encodingFieldOf, Labelled, type ValueNode } from '../model/expression.ts'
import { TableModel } from '../model/table.ts'
import { likePattern, ref, subquery, toParam } from './compile.ts'
import { tableOf } from './joins.ts'
import type { Entity } from './select-types.ts'
import type { Select } from './select.ts'

type AnySelect = Select<any, string, string, string>

/**
 * The shape of `query`; its values are pushed to `parameters` in the order its SQL binds them: the
 * selected expressions, the joins' ON conditions, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET. (The
 * statement cache checks that order against Kysely's once per shape.)
 *
 * @example
 * const values: unknown[] = []
 * shapeOf(select(Hero).where(Hero.c.age.lt(30)), values) // ' items(hero) where hero.age < ?', values [30]
 */
export function shapeOf(query: AnySelect, parameters: unknown[]): string {
  const { state } = query
  let shape = ` items(${itemsShape(query, parameters)})`
  for (const entity of state.from) shape += ` from ${entityShape(entity)}`
  for (const name of state.correlated) shape += ` correlate ${name}`
  if (state.distinct) shape += ' distinct'
  for (const join of state.joins) {
    shape += ` ${join.kind} ${entityShape(join.target)} on ${conditionShape(join.on, parameters)}`
  }
  for (const node of state.where) shape += ` where ${conditionShape(node, parameters)}`
  for (const node of state.groupBy) shape += ` group ${valueShape(node, parameters)}`
  for (const node of state.having) shape += ` having ${conditionShape(node, parameters)}`
  for (const term of state.orderBy) {
    shape += ` order ${valueShape(term.expression, parameters)} ${term.direction} ${term.nulls ?? ''}`
  }
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

function itemsShape(query: AnySelect, parameters: unknown[]): string {
  if (query.selection instanceof TableModel) return entityShape(query.selection)
  return query.selection
    .map((item: Entity | Labelled | { node: ValueNode }) => {
      if (item instanceof TableModel || item instanceof AliasedTable) return entityShape(item)
      const label = item instanceof Labelled ? ` as ${item.label}` : ''
      return valueShape(item.node, parameters) + label
    })
    .join(', ')
}

function entityShape(entity: Entity): string {
  const table = tableOf(entity)
  return `${table.tableName}#${idOf(table)} ${entity instanceof AliasedTable ? entity.alias : ''}`
}

function valueShape(node: ValueNode, parameters: unknown[]): string {
  switch (node.kind) {
    case 'column':
      return `${ref(node.column)}#${idOf(tableOf(node.column.source))}`
    case 'value':
      parameters.push(toParam(node.field, node.value))
      return '?'
    case 'aggregate':
      return `${node.fn}(${node.distinct ? 'distinct ' : ''}${node.argument ? valueShape(node.argument, parameters) : '*'})`
    case 'subquery':
      return `(${subqueryShape(node.query, parameters)})`
  }
}

function subqueryShape(query: object, parameters: unknown[]): string {
  return shapeOf(subquery(query), parameters)
}

const ids = new WeakMap<object, number>()

/**
 * A number that tells `object` apart in a shape: two table models may share a table name (in separate
 * metadata) and differ in their columns, and two relationships may share a name.
 */
function idOf(object: object): number {
  let id = ids.get(object)
  if (id === undefined) ids.set(object, (id = nextId++))
  return id
}
let nextId = 1

function conditionShape(node: ConditionNode, parameters: unknown[]): string {
  switch (node.kind) {
    case 'compare':
      return `${valueShape(node.left, parameters)} ${node.op} ${valueShape(node.right, parameters)}`
    case 'in': {
      const left = valueShape(node.left, parameters)
      const field = encodingFieldOf(node.left)
      for (const value of node.values) parameters.push(toParam(field, value))
      return `${left} ${node.negated ? 'not in' : 'in'} ${node.values.length}`
    }
    case 'inQuery':
      return `${valueShape(node.left, parameters)} ${node.negated ? 'not in' : 'in'} (${subqueryShape(node.query, parameters)})`
    case 'null':
      return `${valueShape(node.operand, parameters)} ${node.negated ? 'is not' : 'is'} null`
    case 'like':
      parameters.push(likePattern(node.text, node.match))
      return `${ref(node.column)} like ?`
    case 'and':
    case 'or':
      return `${node.kind}(${node.items.map((item) => conditionShape(item, parameters)).join(', ')})`
    case 'not':
      return `not(${conditionShape(node.item, parameters)})`
    case 'exists':
      return `exists(${subqueryShape(node.query, parameters)})`
    case 'related': {
      return `related ${idOf(node.relationship)}(${node.condition ? conditionShape(node.condition, parameters) : ''})`
    }
  }
}
