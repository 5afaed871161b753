/**
 * A select's shape: what decides its SQL text, never its values. Two selects of one shape share one
 * compiled statement; only their values, collected here in the order the SQL binds them, differ.
 */
import type { Dialect } from '../engine/dialect/dialect.ts'
import { AliasedTable } from '../model/alias.ts'
import type { ConditionNode } from '../model/condition.ts'
import { encodingFieldOf, Labelled, qualifiedName, type ValueNode } from '../model/expression.ts'
import { arrayRows, isPaged, subquery } from './compile.ts'
import { likePattern, likeSlot, pageSlot, paramSlot, toParam, type SlotContext } from './param-slots.ts'
import { isEntity, tableOf } from './joins.ts'
import type { Entity } from './select-types.ts'
import { itemsOf, type AnySelect, type PageParam } from './select.ts'

/**
 * The shape of `query`; its values are pushed to `parameters` in the order its SQL binds them: the
 * selected expressions, the joins' ON conditions, WHERE, GROUP BY, HAVING, ORDER BY, LIMIT, OFFSET. (The
 * statement cache checks that order against Kysely's once per shape.)
 *
 * `dialect` says what its SQL writes differently: without `NULLS FIRST / LAST` (MySQL), compile.ts writes
 * the ordering's expression twice; an array subquery is paged inside its aggregate or in a derived table.
 *
 * @example
 * const values: unknown[] = []
 * shapeOf(select(Hero).where(Hero.c.age.lt(30)), values, engine.dialect) // ' items(hero#1 ) where hero.age#1 < ?', [30]
 */
export function shapeOf(query: AnySelect, parameters: unknown[], dialect: ShapeDialect): string {
  return selectShape(query, { values: parameters, dialect })
}

/** What of a dialect a select's shape, and its array subqueries' SQL, depend on. */
export type ShapeDialect = Pick<Dialect, 'supportsNullsOrder' | 'jsonArrayTakesLimit'>

/** Where a shape's values go, and what the dialect's SQL repeats. */
interface Collected {
  readonly values: unknown[]
  readonly dialect: ShapeDialect
}

function selectShape(query: AnySelect, collected: Collected): string {
  const { state } = query
  let shape = ` items(${itemsShape(query, collected)})`
  for (const entity of state.from) shape += ` from ${entityShape(entity)}`
  for (const entity of state.correlated) shape += ` correlate ${entityShape(entity)}`
  if (state.distinct) shape += ' distinct'
  for (const join of state.joins) {
    shape += ` ${join.kind} ${entityShape(join.target)} on ${conditionShape(join.on, collected)}`
  }
  for (const node of state.where) shape += ` where ${conditionShape(node, collected)}`
  for (const node of state.groupBy) shape += ` group ${valueShape(node, collected)}`
  for (const node of state.having) shape += ` having ${conditionShape(node, collected)}`
  for (const term of state.orderBy) {
    // Without NULLS FIRST/LAST, the expression is written twice (`x is null`, then `x`): its values too.
    if (term.nulls !== undefined && !collected.dialect.supportsNullsOrder)
      shape += ` order isnull ${valueShape(term.expression, collected)}`
    shape += ` order ${valueShape(term.expression, collected)} ${term.direction} ${term.nulls ?? ''}`
  }
  // A bind parameter's limit is bound as a number is: the SQL is the same.
  if (isPaged(query)) {
    shape += ' limit'
    collected.values.push(pageParameter(state.limit ?? Number.MAX_SAFE_INTEGER))
  }
  if (state.offset !== undefined) {
    shape += ' offset'
    collected.values.push(pageParameter(state.offset))
  }
  if (state.lock !== undefined) shape += ` lock ${state.lock.wait}`
  return shape
}

/** Shapes are of templates, whose bind parameters each run fills. */
const TEMPLATE: SlotContext = { params: true }

function pageParameter(page: number | PageParam): unknown {
  return typeof page === 'number' ? page : pageSlot(page, TEMPLATE)
}

function itemsShape(query: AnySelect, collected: Collected): string {
  return itemsOf(query)
    .map((item) => {
      if (isEntity(item)) return entityShape(item)
      const label = item instanceof Labelled ? ` as ${item.label}` : ''
      return valueShape(item.node, collected) + label
    })
    .join(', ')
}

function entityShape(entity: Entity): string {
  const table = tableOf(entity)
  return `${table.tableName}#${idOf(table)} ${entity instanceof AliasedTable ? entity.alias : ''}`
}

function valueShape(node: ValueNode, collected: Collected): string {
  switch (node.kind) {
    case 'column':
      return `${qualifiedName(node.column)}#${idOf(tableOf(node.column.source))}`
    case 'value':
      collected.values.push(toParam(node.field, node.value))
      return '?'
    case 'param':
      collected.values.push(paramSlot(node, TEMPLATE))
      return '?'
    case 'aggregate':
      return `${node.fn}(${node.distinct ? 'distinct ' : ''}${node.argument ? valueShape(node.argument, collected) : '*'})`
    case 'subquery':
      return node.array
        ? arrayShape(subquery(node.query), collected)
        : `(${subqueryShape(node.query, collected)})`
  }
}

function subqueryShape(query: object, collected: Collected): string {
  return selectShape(subquery(query), collected)
}

/**
 * An array subquery: the rows it reads, then the order its aggregate writes, which binds no value, and the
 * page where the aggregate takes it (MariaDB's), written in as numbers.
 */
function arrayShape(query: AnySelect, collected: Collected): string {
  const { orderBy, limit, offset } = query.state
  const order = orderBy.map((term) => `${term.direction} ${term.nulls ?? ''}`).join(', ')
  const page = isPaged(query) && collected.dialect.jsonArrayTakesLimit ? ` page ${limit} ${offset}` : ''
  return `array(${selectShape(arrayRows(query, collected.dialect), collected)} order ${order}${page})`
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

function conditionShape(node: ConditionNode, collected: Collected): string {
  switch (node.kind) {
    case 'compare':
      return `${valueShape(node.left, collected)} ${node.op} ${valueShape(node.right, collected)}`
    case 'in': {
      const left = valueShape(node.left, collected)
      const field = encodingFieldOf(node.left)
      for (const value of node.values) collected.values.push(toParam(field, value))
      return `${left} ${node.negated ? 'not in' : 'in'} ${node.values.length}`
    }
    case 'inQuery':
      return `${valueShape(node.left, collected)} ${node.negated ? 'not in' : 'in'} (${subqueryShape(node.query, collected)})`
    case 'null':
      return `${valueShape(node.operand, collected)} ${node.negated ? 'is not' : 'is'} null`
    case 'like': {
      const { text } = node
      collected.values.push(
        typeof text === 'string' ? likePattern(text, node.match) : likeSlot(node, text, TEMPLATE),
      )
      return `${qualifiedName(node.column)} like ?`
    }
    case 'and':
    case 'or':
      return `${node.kind}(${node.items.map((item) => conditionShape(item, collected)).join(', ')})`
    case 'not':
      return `not(${conditionShape(node.item, collected)})`
    case 'exists':
      return `exists(${subqueryShape(node.query, collected)})`
    case 'related': {
      return `related ${idOf(node.relationship)}(${node.condition ? conditionShape(node.condition, collected) : ''})`
    }
  }
}
