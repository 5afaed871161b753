/**
 * Turns onemodel's expression trees and selects into Kysely queries. This is the only place that knows
 * both vocabularies. Every value is a bound parameter, limit and offset too.
 */
import {
  expressionBuilder,
  sql,
  type AliasableExpression,
  type AliasedExpression,
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type OrderByModifiers,
  type SelectQueryBuilder,
  type SqlBool,
} from 'kysely'
import { InvalidQueryError } from '../errors.ts'
import type { Dialect } from '../engine/dialect/dialect.ts'
import { AliasedTable } from '../model/alias.ts'
import type { ConditionNode } from '../model/condition.ts'
import {
  encodingFieldOf,
  Expression as ValueExpression,
  Labelled,
  qualifiedName,
  type ColumnInfo,
  type OrderTerm,
  type ValueNode,
} from '../model/expression.ts'
import { Relationship } from '../model/relationship.ts'
import { TableModel } from '../model/table.ts'
import { fromOf, isEntity } from './joins.ts'
import type { Entity, SelectItem } from './select-types.ts'
import { likePattern, likeSlot, pageSlot, paramSlot, toParam } from './param-slots.ts'
import { itemsOf, Select, type AnySelect, type PageParam } from './select.ts'
import type { ShapeDialect } from './shape.ts'

/**
 * What compiling needs: the Kysely instance that builds the statements and the dialect they are for. An
 * engine is one.
 */
export interface SqlContext {
  readonly db: Kysely<any>
  readonly dialect: Dialect
  /**
   * A table read under another name in the subquery being compiled: the target of a relationship from a
   * table to itself (`Node.rel.children.any(…)`), whose columns then mean the inner rows.
   */
  readonly renamed?: { readonly table: string; readonly as: string }
  /**
   * The statement is a select's template, run with `params`: a bind parameter compiles to its slot
   * (param-slots.ts), which each run fills. Elsewhere (a bulk write) a bind parameter is refused.
   */
  readonly params?: boolean
}

const eb: ExpressionBuilder<any, any> = expressionBuilder<any, any>()

/** `table.column` in the query being compiled: under its other name where the context renames its table. */
function columnRef(column: Pick<ColumnInfo, 'table' | 'name'>, context: SqlContext): string {
  const { renamed } = context
  return renamed?.table === column.table ? `${renamed.as}.${column.name}` : qualifiedName(column)
}

/** A condition tree as a Kysely boolean expression. */
export function toCondition(node: ConditionNode, context: SqlContext): Expression<SqlBool> {
  switch (node.kind) {
    case 'compare':
      return eb(toValue(node.left, context), node.op, toValue(node.right, context))
    case 'in': {
      // `in ()` is not SQL; Kysely writes an empty and() as 1 = 1 and an empty or() as 1 = 0.
      if (node.values.length === 0) return node.negated ? eb.and([]) : eb.or([])
      const field = encodingFieldOf(node.left)
      const values = node.values.map((value) => toParam(field, value))
      return eb(toValue(node.left, context), node.negated ? 'not in' : 'in', values)
    }
    case 'inQuery':
      return eb(toValue(node.left, context), node.negated ? 'not in' : 'in', listQuery(node.query, context))
    case 'null':
      return eb(toValue(node.operand, context), node.negated ? 'is not' : 'is', null)
    case 'like': {
      const { text } = node
      const pattern = typeof text === 'string' ? likePattern(text, node.match) : likeSlot(node, text, context)
      return sql<SqlBool>`${eb.ref(columnRef(node.column, context))} like ${pattern} ${sql.raw(context.dialect.likeEscape)}`
    }
    case 'and':
      return eb.and(node.items.map((item) => toCondition(item, context)))
    case 'or':
      return eb.or(node.items.map((item) => toCondition(item, context)))
    case 'not':
      return eb.not(toCondition(node.item, context))
    case 'exists':
      return eb.exists(buildQuery(subquery(node.query), context))
    case 'related':
      return eb.exists(relatedQuery(node.relationship, node.condition, context))
  }
}

/** A value tree as a Kysely expression. */
export function toValue(node: ValueNode, context: SqlContext): AliasableExpression<unknown> {
  switch (node.kind) {
    case 'column':
      return eb.ref(columnRef(node.column, context))
    case 'value':
      return eb.val(toParam(node.field, node.value))
    case 'param':
      return eb.val(paramSlot(node, context))
    case 'aggregate': {
      if (node.argument === undefined) return eb.fn.countAll()
      const argument = toValue(node.argument, context)
      switch (node.fn) {
        case 'count':
          return node.distinct ? eb.fn.count(argument).distinct() : eb.fn.count(argument)
        case 'sum':
          return eb.fn.sum(argument)
        case 'avg':
          return eb.fn.avg(argument)
        case 'min':
          return eb.fn.min(argument)
        case 'max':
          return eb.fn.max(argument)
      }
    }
    case 'subquery': {
      const query = subquery(node.query)
      if (node.array) return arrayQuery(query, context)
      // A count of no row is 0, as its type says: a grouped or paged subquery may find no row at all.
      const { groupBy, having } = query.state
      const mayFindNone = groupBy.length > 0 || having.length > 0 || isPaged(query)
      const [item] = itemsOf(query)
      const value = item === undefined || isEntity(item) ? undefined : item.node
      if (mayFindNone && value?.kind === 'aggregate' && value.fn === 'count') {
        return eb.fn.coalesce(buildQuery(query, context), eb.lit(0))
      }
      return buildQuery(query, context)
    }
  }
}

/**
 * `(select coalesce(json_agg(x order by y), '[]') from … where …)`: the values `query` finds as one JSON
 * array, `[]` for none. Its order is said inside the aggregate, the one place every database keeps it. A
 * page of values is read with the aggregate's own LIMIT where it takes one (MariaDB's), or else from a
 * derived table that picks the page, whose columns the aggregate reads.
 */
function arrayQuery(query: AnySelect, context: SqlContext) {
  const rows = arrayRows(query, context.dialect)
  const { orderBy, limit, offset } = query.state
  if (isPaged(query) && !context.dialect.jsonArrayTakesLimit) {
    const order = orderItems(orderBy, (_, index) => eb.ref(`agg.c${index + 1}`), context)
    const array = jsonArray(eb.ref('agg.c0'), order, context)
    return context.db.selectFrom(buildQuery(rows, context, true).as('agg')).select(array)
  }
  // arraySubquery() made sure the query selects one expression.
  const [item] = itemsOf(query) as [ValueExpression]
  const order = orderItems(orderBy, (term) => toValue(term.expression, context), context)
  const array = jsonArray(
    toValue(item.node, context),
    order,
    context,
    isPaged(query) ? { limit, offset } : undefined,
  )
  return buildQuery(rows, context).clearSelect().select(array)
}

/**
 * `coalesce(json_agg(value order by …), '[]')`. A page inside the aggregate is written as SQL here, as
 * Kysely's aggregates take no LIMIT; its numbers are written in, as MariaDB binds none there (the statement
 * cache keeps a shape per page, see shape.ts).
 */
function jsonArray(
  value: Expression<unknown>,
  order: readonly OrderItem[],
  context: SqlContext,
  page?: { readonly limit: number | PageParam | undefined; readonly offset: number | PageParam | undefined },
) {
  const fn = context.dialect.jsonArrayAggregate
  let values: Expression<unknown>
  if (page === undefined) {
    let aggregate = eb.fn.agg(fn, [value])
    for (const item of order) aggregate = aggregate.orderBy(item.expression, modifiersOf(item))
    values = aggregate
  } else {
    const terms = order.map(
      ({ expression, direction, nulls }) =>
        sql`${expression} ${sql.raw(direction)}${sql.raw(nulls === undefined ? '' : ` nulls ${nulls}`)}`,
    )
    const orderBy = terms.length === 0 ? sql`` : sql` order by ${sql.join(terms)}`
    const limit = sql.lit(writtenPage(page.limit) ?? Number.MAX_SAFE_INTEGER)
    const offset = page.offset === undefined ? sql`` : sql` offset ${sql.lit(writtenPage(page.offset))}`
    values = sql`${sql.raw(fn)}(${value}${orderBy} limit ${limit}${offset})`
  }
  return eb.fn.coalesce(values, sql.lit('[]')).as('array')
}

/**
 * A page number written into the SQL of an aggregate's LIMIT.
 * @throws {InvalidQueryError} for a `bindParam()`, which the statement would have to bind there.
 */
function writtenPage(value: number | PageParam | undefined): number | undefined {
  if (typeof value !== 'object') return value
  throw new InvalidQueryError(
    `select(…).${value.method}(bindParam('${value.name}')).arraySubquery(): this database binds no value in the LIMIT of its JSON array aggregate (MariaDB's JSON_ARRAYAGG), so an array subquery is paged with a number there. Give ${value.method}() a number.`,
  )
}

/** `query` reads a page: it has a limit or an offset. */
export function isPaged(query: AnySelect): boolean {
  return query.state.limit !== undefined || query.state.offset !== undefined
}

/**
 * The rows of `query`'s array, as a select whose items are what the array's SQL reads, in the order it
 * binds their values (the statement cache visits them so). From a derived table, they are its columns,
 * `c0`, `c1`, …: the item, then each ORDER BY expression, which the aggregate orders by; the query's own
 * ORDER BY stays, as it picks the page. Otherwise they are the aggregate's argument and its ORDER BY
 * expressions, one twice where the dialect writes `x is null, x` for NULLS FIRST / LAST.
 */
export function arrayRows(query: AnySelect, dialect: ShapeDialect): AnySelect {
  const { orderBy } = query.state
  const key = (term: OrderTerm) => new ValueExpression(term.expression)
  if (isPaged(query) && !dialect.jsonArrayTakesLimit) {
    return new Select([...itemsOf(query), ...orderBy.map(key)], query.state)
  }
  const keys = orderBy.flatMap((term) =>
    term.nulls !== undefined && !dialect.supportsNullsOrder ? [key(term), key(term)] : [key(term)],
  )
  const state = { ...query.state, orderBy: [], limit: undefined, offset: undefined }
  return new Select([...itemsOf(query), ...keys], state)
}

/**
 * The list of `IN (select …)`. MySQL refuses `LIMIT` in such a subquery, but not in a derived table
 * within it: a paged list is read through one there.
 */
function listQuery(query: object, context: SqlContext) {
  const select = subquery(query)
  const list = buildQuery(select, context)
  if (context.dialect.supportsLimitInList || !isPaged(select)) return list
  return context.db.selectFrom(list.as('listed')).selectAll()
}

/** The select a subquery node holds. */
export function subquery(query: object): AnySelect {
  // The model layer holds subqueries as plain objects; select() makes them.
  if (query instanceof Select) return query
  throw new InvalidQueryError('A subquery must be a select(…).')
}

/**
 * `EXISTS (SELECT 1 FROM <target> WHERE <foreign key> = <key> AND <condition>)` for `Team.rel.heroes.any()`
 * and `Hero.rel.team.has()`: the target's rows linked to the enclosing query's row. A many-to-many reads
 * its target through its link table. A relationship from a table to itself reads the inner rows under
 * another name, and the condition's columns of that table mean them, as SQLAlchemy's `any()` adapts them.
 */
function relatedQuery(relationship: object, condition: ConditionNode | undefined, context: SqlContext) {
  if (!(relationship instanceof Relationship))
    throw new InvalidQueryError('any()/has() needs a relationship.')
  const { owner, target, foreignKey, references, link, kind } = relationship
  // A column of the enclosing row, as the enclosing query names it (an inner row itself, when nested).
  const outer = (column: string) => eb.ref(columnRef({ table: owner.tableName, name: column }, context))
  const renamed = context.renamed?.table === target.tableName ? context.renamed.as : target.tableName
  const inner = owner === target ? `${renamed}_${relationship.name}` : target.tableName
  const from = inner === target.tableName ? inner : `${target.tableName} as ${inner}`
  const innerContext: SqlContext =
    inner === target.tableName ? context : { ...context, renamed: { table: target.tableName, as: inner } }
  let query = context.db.selectFrom(from)
  let join
  if (link) {
    const linkName = link.table.tableName
    query = query.innerJoin(linkName, `${linkName}.${link.targetKey}`, `${inner}.${link.targetReferences}`)
    join = eb(eb.ref(`${linkName}.${foreignKey}`), '=', outer(references))
  } else if (kind === 'many') {
    join = eb(eb.ref(`${inner}.${foreignKey}`), '=', outer(references))
  } else {
    // A many-to-one: the enclosing row holds the key, and the inner row is the one it refers to.
    join = eb(outer(foreignKey), '=', eb.ref(`${inner}.${references}`))
  }
  const where = condition === undefined ? join : eb.and([join, toCondition(condition, innerContext)])
  return query.select(sql.lit(1).as('one')).where(where)
}

/**
 * A row lock on a query whose rows are not the tables' rows (aggregates, groups, distinct), or on the
 * side of a left join that may be missing, is refused on every dialect: PostgreSQL refuses both, and the
 * others would lock rows other than those read.
 */
function refuseLock(query: AnySelect, context: SqlContext): void {
  const { state } = query
  if (state.lock === undefined) return
  const grouped =
    state.groupBy.length > 0 ||
    state.having.length > 0 ||
    state.distinct ||
    itemsOf(query).some((item) => !isEntity(item) && item.node.kind === 'aggregate')
  if (grouped) {
    throw new InvalidQueryError(
      'select(…).forUpdate(): a query of aggregates, groups or distinct rows reads no single row to lock. Lock the rows themselves (select(Hero).where(…).forUpdate()), then count or group them.',
    )
  }
  if (state.joins.some((join) => join.kind === 'left')) {
    throw new InvalidQueryError(
      `select(…).forUpdate(): a left join may find no row of its table to lock${context.dialect.name === 'postgres' ? ' (PostgreSQL refuses it)' : ''}. Lock with an inner join, or lock the rows of each table with a select of its own.`,
    )
  }
}

/** The SQL name of an entity in FROM: the table, `AS` its alias for an alias. */
function tableReference(entity: Entity): string {
  return entity instanceof AliasedTable ? `${entity.table.tableName} as ${entity.alias}` : entity.tableName
}

/**
 * The Kysely query of a {@link Select}. `positional` names every selected column by its position
 * (`c0`, `c1`, …): a select read as a derived table needs distinct column names, which `hero.id` and
 * `team.id` are not.
 */
export function buildQuery(query: AnySelect, context: SqlContext, positional = false) {
  const { state } = query
  const from = fromOf(query.selection, state)
  if (from.length === 0) {
    throw new InvalidQueryError(
      'select(…): the query reads no table. Say which with .selectFrom(Hero), as in select(count()).selectFrom(Hero).',
    )
  }
  refuseLock(query, context)
  // `FROM a, b` reads as SQLModel's; but a comma binds more loosely than JOIN, so with joins the other
  // tables are cross joined, for each ON condition to see every table before it.
  const [first, ...others] = from.map(tableReference)
  let builder: SelectQueryBuilder<any, any, any> = context.db
    .selectFrom(state.joins.length === 0 ? [first!, ...others] : first!)
    .select(selectList(itemsOf(query), context, positional))
  if (state.joins.length > 0) for (const other of others) builder = builder.crossJoin(other)
  if (state.distinct) builder = builder.distinct()
  for (const join of state.joins) {
    const on = toCondition(join.on, context)
    const target = tableReference(join.target)
    builder =
      join.kind === 'inner'
        ? builder.innerJoin(target, (j) => j.on(on))
        : builder.leftJoin(target, (j) => j.on(on))
  }
  if (state.where.length > 0) builder = builder.where(eb.and(state.where.map((n) => toCondition(n, context))))
  if (state.groupBy.length > 0) builder = builder.groupBy(state.groupBy.map((n) => toValue(n, context)))
  if (state.having.length > 0) {
    builder = builder.having(eb.and(state.having.map((n) => toCondition(n, context))))
  }
  for (const item of orderItems(state.orderBy, (term) => toValue(term.expression, context), context)) {
    builder = builder.orderBy(item.expression, modifiersOf(item))
  }
  if (state.limit !== undefined) builder = builder.limit(pageValue(state.limit, context))
  if (state.offset !== undefined) {
    // MySQL and SQLite accept OFFSET only after a LIMIT; the largest limit means "no limit".
    if (state.limit === undefined) builder = builder.limit(Number.MAX_SAFE_INTEGER)
    builder = builder.offset(pageValue(state.offset, context))
  }
  // SQLite has no row locks: its transaction, begun by the Session for a locking select, stands in.
  if (state.lock !== undefined && context.dialect.supportsRowLocks) {
    builder = builder.forUpdate()
    if (state.lock.wait === 'skipLocked') builder = builder.skipLocked()
    if (state.lock.wait === 'noWait') builder = builder.noWait()
  }
  return builder
}

/** One item of an ORDER BY: `nulls` only where the dialect writes NULLS FIRST / LAST. */
interface OrderItem {
  readonly expression: Expression<unknown>
  readonly direction: 'asc' | 'desc'
  readonly nulls?: 'first' | 'last'
}

/**
 * The items of an ORDER BY, of a query or inside an aggregate, for `terms` whose expressions `expressionOf`
 * compiles. MySQL has no NULLS FIRST/LAST: it sorts by `x IS NULL` first, 0 before 1, so nulls go last
 * ascending.
 */
function orderItems(
  terms: readonly OrderTerm[],
  expressionOf: (term: OrderTerm, index: number) => Expression<unknown>,
  context: SqlContext,
): OrderItem[] {
  return terms.flatMap((term, index): OrderItem[] => {
    const expression = expressionOf(term, index)
    const { direction, nulls } = term
    if (nulls === undefined) return [{ expression, direction }]
    if (context.dialect.supportsNullsOrder) return [{ expression, direction, nulls }]
    const isNull = eb(expression, 'is', null)
    return [
      { expression: isNull, direction: nulls === 'last' ? 'asc' : 'desc' },
      { expression, direction },
    ]
  })
}

/** An order item as Kysely's `orderBy()` takes it. */
function modifiersOf({ direction, nulls }: OrderItem): OrderByModifiers {
  if (nulls === undefined) return direction
  return (ob) => {
    const directed = direction === 'asc' ? ob.asc() : ob.desc()
    return nulls === 'first' ? directed.nullsFirst() : directed.nullsLast()
  }
}

/**
 * The selected columns, never `*`: a model ahead of its database (a field added, not yet migrated) then
 * fails to read with the database naming the missing column, instead of reading `undefined`. Rows are
 * read as arrays, so the names matter only to a reader of the SQL, and to a derived table (`positional`).
 */
function selectList(
  items: readonly SelectItem[],
  context: SqlContext,
  positional: boolean,
): (string | AliasedExpression<unknown, string>)[] {
  const list: (string | AliasedExpression<unknown, string>)[] = []
  const name = (fallback: string) => (positional ? `c${list.length}` : fallback)
  items.forEach((item, index) => {
    if (isEntity(item)) {
      for (const column of columnsOf(item)) {
        list.push(positional ? eb.ref(column).as(name('')) : column)
      }
    } else if (item instanceof Labelled) {
      list.push(toValue(item.node, context).as(name(item.label)))
    } else if (item.node.kind === 'column' && !positional) {
      list.push(qualifiedName(item.node.column))
    } else {
      const kind = item.node.kind === 'aggregate' ? item.node.fn : item.node.kind
      list.push(toValue(item.node, context).as(name(`${kind}_${index + 1}`)))
    }
  })
  return list
}

/**
 * `SELECT count(*) FROM (<query>)`: how many rows `query` finds, its order, paging, loads and lock left
 * out. Counting the query itself, as a subquery, keeps the total right whatever it selects: joins,
 * `distinct()`, `groupBy()`.
 */
export function buildCount(query: AnySelect, context: SqlContext) {
  const counted = buildQuery(unpaged(query), context, !(query.selection instanceof TableModel)).as('counted')
  return context.db.selectFrom(counted).select((b) => b.fn.countAll().as('count'))
}

/** The rows `query` would find, in any order, all of them, unlocked: what {@link buildCount} counts. */
export function unpaged(query: AnySelect): AnySelect {
  const { state } = query
  return new Select(query.selection, {
    ...state,
    orderBy: [],
    limit: undefined,
    offset: undefined,
    options: [],
    lock: undefined,
  })
}

/** A limit or offset: the number, or the slot of its bind parameter. */
function pageValue(page: number | PageParam, context: SqlContext) {
  return typeof page === 'number' ? page : sql<number>`${pageSlot(page, context)}`
}

/** The columns of a table model or alias, by name: `hero.id`, `hero.name`, … */
export function columnsOf(entity: TableModel | AliasedTable): string[] {
  const [table, name] =
    entity instanceof AliasedTable ? [entity.table, entity.alias] : [entity, entity.tableName]
  return Object.keys(table.fields).map((key) => `${name}.${key}`)
}
