/**
 * What a select reads from: its FROM tables, and its joins with their ON conditions. A join given no
 * condition follows the foreign key between the joined table and those read before it, as SQLAlchemy's
 * `join(Team)` does; where there is none, or several, the error says how to name one.
 */
import { InvalidQueryError } from '../errors.ts'
import { AliasedTable } from '../model/alias.ts'
import type { ConditionNode } from '../model/condition.ts'
import type { ValueNode } from '../model/expression.ts'
import { Relationship } from '../model/relationship.ts'
import { TableModel } from '../model/table.ts'
import type { Entity, SelectItem, Selection } from './select-types.ts'
import type { SelectState } from './select.ts'

/**
 * One join of a select: the table (or alias) joined, its ON condition, inner or left.
 *
 * @example
 * select(Hero, Team).leftJoin(Team).state.joins[0] // { target: Team, on: …, kind: 'left' }
 */
export interface Join {
  readonly target: Entity
  readonly on: ConditionNode
  readonly kind: 'inner' | 'left'
}

/** A selected item that is a table model or an alias (whole rows), not an expression. */
export function isEntity(item: SelectItem): item is Entity {
  return item instanceof TableModel || item instanceof AliasedTable
}

/** The table a table model or alias reads. */
export function tableOf(entity: Entity): TableModel {
  return entity instanceof AliasedTable ? entity.table : entity
}

/** The name a table model or alias goes by in the query: `hero`, or the alias. */
export function nameOf(entity: Entity): string {
  return entity instanceof AliasedTable ? entity.alias : entity.tableName
}

/**
 * The tables a select reads before its joins, in order and each once: the selected table models and
 * aliases, the tables of the selected columns, and `selectFrom()`'s, except the joined ones and those of an
 * enclosing query (`correlate()`).
 */
export function fromOf(selection: Selection, state: SelectState): Entity[] {
  const found = new Map<string, Entity>()
  const add = (entity: Entity) => {
    const known = found.get(nameOf(entity))
    if (known === undefined) found.set(nameOf(entity), entity)
    else sameTable(known, entity)
  }
  for (const item of selection instanceof TableModel ? [selection] : selection) {
    if (isEntity(item)) add(item)
    else sourcesOf(item.node, add)
  }
  for (const entity of state.from) add(entity)
  for (const { target } of state.joins) {
    const known = found.get(nameOf(target))
    if (known !== undefined) sameTable(known, target)
    found.delete(nameOf(target))
  }
  for (const entity of state.correlated) found.delete(nameOf(entity))
  return [...found.values()]
}

/**
 * Every table or alias whose columns `node` reads: a subquery reads its own FROM, but the enclosing
 * tables it refers to are the enclosing query's to read.
 */
function sourcesOf(node: ValueNode, add: (entity: Entity) => void): void {
  if (node.kind === 'column') add(node.column.source)
  else if (node.kind === 'aggregate' && node.argument) sourcesOf(node.argument, add)
  else if (node.kind === 'subquery') node.outer.forEach(add)
}

/**
 * Two tables a query reads under one name must be one table: an alias named as another table would read
 * that table's rows as its own.
 * @throws {InvalidQueryError} naming both, when they differ.
 */
function sameTable(known: Entity, other: Entity): void {
  if (tableOf(known) === tableOf(other)) return
  throw new InvalidQueryError(
    `select(…): ${describe(known)} and ${describe(other)} both go by '${nameOf(known)}' in the query. Give the alias a name no other table of the query has.`,
  )
}

/** Whether `node` reads a column of the table or alias called `name`, outside subqueries. */
function reads(node: ConditionNode, name: string): boolean {
  switch (node.kind) {
    case 'compare':
      return readsValue(node.left, name) || readsValue(node.right, name)
    case 'in':
    case 'inQuery':
      return readsValue(node.left, name)
    case 'null':
      return readsValue(node.operand, name)
    case 'like':
      return node.column.table === name
    case 'and':
    case 'or':
      return node.items.some((item) => reads(item, name))
    case 'not':
      return reads(node.item, name)
    case 'exists':
    case 'related':
      return false
  }
}

function readsValue(node: ValueNode, name: string): boolean {
  if (node.kind === 'column') return node.column.table === name
  return node.kind === 'aggregate' && node.argument !== undefined && readsValue(node.argument, name)
}

/**
 * The joins of `target` to a select: on `on` when given, else on the foreign key of a relationship, or the
 * one foreign key between `target` and the tables the select reads. A many-to-many is two joins: its link
 * table, then its target.
 * @throws {InvalidQueryError} when `target` is read already, or no foreign key or several link it.
 */
export function joinOf(
  selection: Selection,
  state: SelectState,
  target: Entity | Relationship,
  on: ConditionNode | undefined,
  kind: 'inner' | 'left',
): readonly Join[] {
  const method = kind === 'inner' ? 'join' : 'leftJoin'
  const entity = target instanceof Relationship ? target.target : target
  const name = nameOf(entity)
  const shown = target instanceof Relationship ? String(target) : describe(target)
  const from = fromOf(selection, state)
  if (from.length === 0) {
    throw new InvalidQueryError(
      `select(…).${method}(${shown}): the query reads no table to join '${name}' to. Name one with selectFrom(), as in select(count()).selectFrom(Hero).${method}(…).`,
    )
  }
  // A selected table that is joined leaves the FROM list for the join (`select(Hero, Team).join(Team)`),
  // unless FROM would be left empty or a join before it reads it (its ON would come before the table).
  for (const read of [...from, ...state.joins.map((join) => join.target)]) {
    if (nameOf(read) === name) sameTable(read, entity)
  }
  const leaving = from.some((read) => nameOf(read) === name)
  const rest = from.filter((read) => nameOf(read) !== name)
  const joined = state.joins.some((join) => nameOf(join.target) === name)
  const readBefore = leaving && state.joins.some((join) => reads(join.on, name))
  if (joined || (leaving && rest.length === 0) || readBefore) {
    const why =
      joined || rest.length === 0
        ? `the query reads '${name}' already`
        : `an earlier join's ON condition reads '${name}', so it must stay first`
    throw new InvalidQueryError(
      `select(…).${method}(${shown}): ${why}. To read the table a second time, join an alias: const Other = alias(${tableOf(entity).name}, 'other').`,
    )
  }
  const scope = [...rest, ...state.joins.map((join) => join.target)]
  if (target instanceof Relationship) return relationshipJoin(scope, target, kind, method)
  if (on !== undefined) return [Object.freeze({ target, on, kind })]
  const links = scope.flatMap((read) => foreignKeysBetween(read, target))
  if (links.length === 1) return [Object.freeze({ target, on: links[0]!.on, kind })]
  const tables = scope.map(nameOf).join(', ')
  if (links.length === 0) {
    throw new InvalidQueryError(
      `select(…).${method}(${shown}): no foreign key links '${name}' with ${tables}. Pass the ON condition: .${method}(${shown}, ${describe(scope[0]!)}.c.<column>.eq(${shown}.c.<column>)).`,
    )
  }
  throw new InvalidQueryError(
    `select(…).${method}(${shown}): ${links.length} foreign keys link '${name}' with ${tables} (${links.map((link) => link.text).join('; ')}). Say which with the ON condition, as .${method}(${shown}, ${links[0]!.code}).`,
  )
}

interface Link {
  readonly on: ConditionNode
  /** `hero.team_id = team.id`, for messages. */
  readonly text: string
  /** `Hero.c.team_id.eq(Team.c.id)`, for messages. */
  readonly code: string
}

/** The conditions of the foreign keys from either table to the other. */
function foreignKeysBetween(left: Entity, right: Entity): Link[] {
  return [...foreignKeysFrom(left, right), ...foreignKeysFrom(right, left)]
}

/** `child.fk = parent.column` for each foreign key of `child`'s table to `parent`'s. */
function foreignKeysFrom(child: Entity, parent: Entity): readonly Link[] {
  // Between two tables (no alias) the links never change: found once, as a join is built per request.
  if (!(child instanceof TableModel && parent instanceof TableModel)) return findLinks(child, parent)
  let byParent = knownLinks.get(child)
  if (!byParent) knownLinks.set(child, (byParent = new Map()))
  let links = byParent.get(parent)
  if (!links) byParent.set(parent, (links = Object.freeze(findLinks(child, parent))))
  return links
}

function findLinks(child: Entity, parent: Entity): Link[] {
  const links: Link[] = []
  const parentTable = tableOf(parent)
  for (const [key, field] of Object.entries(tableOf(child).fields)) {
    const reference = field.options.foreignKey
    if (reference === undefined) continue
    const [table, column] = reference.split('.')
    if (table !== parentTable.tableName || column === undefined) continue
    links.push({
      on: equal(child, key, parent, column),
      text: `${nameOf(child)}.${key} = ${nameOf(parent)}.${column}`,
      code: `${describe(child)}.c.${key}.eq(${describe(parent)}.c.${column})`,
    })
  }
  return links
}

/** The foreign key links found from one table (the child) to another. */
const knownLinks = new WeakMap<TableModel, Map<TableModel, readonly Link[]>>()

function relationshipJoin(
  scope: readonly Entity[],
  relationship: Relationship,
  kind: 'inner' | 'left',
  method: string,
): readonly Join[] {
  const owners = scope.filter((entity) => tableOf(entity) === relationship.owner)
  if (owners.length !== 1) {
    throw new InvalidQueryError(
      `select(…).${method}(${relationship}): ${owners.length === 0 ? `the query does not read ${relationship.owner.name}` : `the query reads ${relationship.owner.name} ${owners.length} times`}. Join ${relationship.target.name} with an ON condition instead.`,
    )
  }
  const owner = owners[0]!
  const { target, link, foreignKey, references } = relationship
  if (link) {
    if (scope.some((entity) => nameOf(entity) === link.table.tableName)) {
      throw new InvalidQueryError(
        `select(…).${method}(${relationship}): the query reads its link table '${link.table.tableName}' already. Join ${target.name} on the link's foreign key instead: .${method}(${target.name}, ${link.table.name}.c.${link.targetKey}.eq(${target.name}.c.${link.targetReferences})).`,
      )
    }
    return [
      Object.freeze({ target: link.table, on: equal(link.table, foreignKey, owner, references), kind }),
      Object.freeze({ target, on: equal(target, link.targetReferences, link.table, link.targetKey), kind }),
    ]
  }
  const [child, parent] = relationship.kind === 'one' ? [owner, target] : [target, owner]
  return [Object.freeze({ target, on: equal(child, foreignKey, parent, references), kind })]
}

function equal(left: Entity, leftColumn: string, right: Entity, rightColumn: string): ConditionNode {
  return {
    kind: 'compare',
    left: columnNode(left, leftColumn),
    op: '=',
    right: columnNode(right, rightColumn),
  }
}

function columnNode(entity: Entity, column: string): ValueNode {
  const field = tableOf(entity).fields[column]!
  return { kind: 'column', column: { table: nameOf(entity), name: column, field, source: entity } }
}

function describe(entity: Entity): string {
  return entity instanceof AliasedTable ? `alias(${entity.table.name}, '${entity.alias}')` : entity.name
}
