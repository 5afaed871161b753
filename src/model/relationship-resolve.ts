/**
 * Resolving one declared relationship into a {@link Relationship}: its target and a many-to-many's link
 * table, its foreign keys, its order and cascade, each checked against the tables' columns. Mistakes throw
 * {@link RelationshipDefinitionError} naming both sides.
 */
import { RelationshipDefinitionError } from '../errors.ts'
import { RelationshipDeclaration } from './relationship-declaration.ts'
import { Relationship, type Cascade, type CollectionOrder, type LinkPath } from './relationship.ts'
import type { TableModel } from './table.ts'

/** `owner`'s relationship `name` as `declaration` declares it, checked against `tables`. */
export function resolve(
  tables: Record<string, TableModel>,
  owner: TableModel,
  name: string,
  declaration: RelationshipDeclaration,
): Relationship {
  const where = `${owner.name}.${name}`
  const target = tables[declaration.target]
  if (!(declaration instanceof RelationshipDeclaration) || !target) {
    throw new RelationshipDefinitionError(
      `${where}: the target ${JSON.stringify((declaration as RelationshipDeclaration).target)} is not one of the tables (${Object.keys(tables).join(', ')}). Declare it with one('Team') or many('Hero'), naming a key of the tables.`,
      [where, String((declaration as RelationshipDeclaration).target)],
    )
  }
  if (name in owner.fields || owner.relationships.has(name)) {
    throw new RelationshipDefinitionError(
      `${where}: ${owner.name} already has a ${name in owner.fields ? 'field' : 'relationship'} named '${name}'. Give the relationship another name.`,
      [where, target.name],
    )
  }
  const order = orderOf(where, declaration, target)
  const { kind, options } = declaration
  if (options.link !== undefined || options.targetForeignKey !== undefined) {
    const link = linkTableOf(tables, where, declaration)
    const [foreignKey, references] = findForeignKey(where, link, owner, options.foreignKey)
    const path = linkPath(where, link, target, options.targetForeignKey, foreignKey)
    if (options.cascade !== undefined) {
      throw new RelationshipDefinitionError(
        `${where}: a many-to-many's link rows are deleted with either end already, and cascade: '${options.cascade}' would delete the ${target.name} rows themselves, which other rows may be linked to. Drop cascade, or delete them yourself.`,
        [where, target.name],
      )
    }
    return new Relationship(name, kind, owner, target, foreignKey, references, { orderBy: order, link: path })
  }
  const child = kind === 'one' ? owner : target
  const parent = kind === 'one' ? target : owner
  const [foreignKey, references] = findForeignKey(where, child, parent, options.foreignKey)
  const cascade = cascadeOf(where, declaration, child, foreignKey)
  return new Relationship(name, kind, owner, target, foreignKey, references, { orderBy: order, cascade })
}

/** The link table a many-to-many names, which must be one of the tables. */
function linkTableOf(
  tables: Record<string, TableModel>,
  where: string,
  declaration: RelationshipDeclaration,
): TableModel {
  const { link } = declaration.options
  if (declaration.kind === 'one' || link === undefined) {
    throw new RelationshipDefinitionError(
      declaration.kind === 'one'
        ? `${where}: one('${declaration.target}') refers to a single row through a foreign key of its own, so it has no link table. Declare the many-to-many with many('${declaration.target}', { link: '…' }).`
        : `${where}: targetForeignKey names a column of the link table, and no link is given. Add { link: '<link table>' }.`,
      [where, declaration.target],
    )
  }
  const table = tables[link]
  if (!table) {
    throw new RelationshipDefinitionError(
      `${where}: the link ${JSON.stringify(link)} is not one of the tables (${Object.keys(tables).join(', ')}). Name the link table by its key, as the target is named.`,
      [where, String(link)],
    )
  }
  return table
}

/** The link table's way to the target: its foreign key to the target, other than the owner's. */
function linkPath(
  where: string,
  link: TableModel,
  target: TableModel,
  named: string | undefined,
  ownerKey: string,
): LinkPath {
  const [targetKey, targetReferences] = findForeignKey(
    where,
    link,
    target,
    named,
    ownerKey,
    'targetForeignKey',
  )
  // The Session writes a link row from its two keys alone: its other columns must have a default.
  const required = Object.entries(link.fields).filter(
    ([key, field]) => key !== ownerKey && key !== targetKey && !field.hasDefault && !field.isGenerated,
  )
  if (required.length > 0) {
    const [key] = required[0]!
    throw new RelationshipDefinitionError(
      `${where}: the Session writes a ${link.name} row when a pair is linked, with only ${ownerKey} and ${targetKey}, but ${link.name}.${key} has no default. Give it one (${key}: field.…({ default: … })), or leave out the link option and create ${link.name} rows yourself, through one-to-many relationships to ${link.name}.`,
      [where, `${link.name}.${key}`],
    )
  }
  return Object.freeze({ table: link, targetKey, targetReferences })
}

/** A collection's cascade, checked against its kind and its foreign key's `onDelete`. */
function cascadeOf(
  where: string,
  declaration: RelationshipDeclaration,
  child: TableModel,
  foreignKey: string,
): Cascade | undefined {
  const { cascade } = declaration.options
  if (cascade === undefined) return undefined
  if (cascade !== 'delete' && cascade !== 'delete-orphan') {
    throw new RelationshipDefinitionError(
      `${where}: cascade ${JSON.stringify(cascade)} is not one of 'delete' (delete the rows with their parent) and 'delete-orphan' (also delete a row removed from the collection).`,
      [where, child.name],
    )
  }
  if (declaration.kind === 'one') {
    throw new RelationshipDefinitionError(
      `${where}: cascade deletes the rows of a collection, and one('${declaration.target}') is a single row, the parent. Put { cascade: '${cascade}' } on the parent's many() side.`,
      [where, child.name],
    )
  }
  if (child.fields[foreignKey]!.options.onDelete === 'set null') {
    throw new RelationshipDefinitionError(
      `${where}: cascade: '${cascade}' deletes the ${child.name} rows of a deleted parent, but ${child.name}.${foreignKey} has onDelete: 'set null', which keeps them. Keep one: drop onDelete from ${child.name}.${foreignKey}, or drop cascade.`,
      [where, `${child.name}.${foreignKey}`],
    )
  }
  return cascade
}

/** A collection's order, checked against the target's columns. */
function orderOf(
  where: string,
  declaration: RelationshipDeclaration,
  target: TableModel,
): CollectionOrder | undefined {
  const { orderBy } = declaration.options
  if (orderBy === undefined) return undefined
  const [column, direction] = typeof orderBy === 'string' ? [orderBy, 'asc' as const] : orderBy
  if (declaration.kind === 'one') {
    throw new RelationshipDefinitionError(
      `${where}: orderBy orders a collection, and one('${declaration.target}') is a single row. Put orderBy on the many() side.`,
      [where, target.name],
    )
  }
  if (!(column in target.fields) || (direction !== 'asc' && direction !== 'desc')) {
    throw new RelationshipDefinitionError(
      `${where}: orderBy ${JSON.stringify(orderBy)} must name a column of ${target.name} (${Object.keys(target.fields).join(', ')}), with 'asc' or 'desc': orderBy: '${Object.keys(target.fields)[0]}' or ['${Object.keys(target.fields)[0]}', 'desc'].`,
      [where, `${target.name}.${column}`],
    )
  }
  return Object.freeze({ column, direction })
}

/** The foreign key column of `child` that references `parent`, checked against `parent`'s columns. */
function findForeignKey(
  where: string,
  child: TableModel,
  parent: TableModel,
  named: string | undefined,
  taken?: string,
  option: 'foreignKey' | 'targetForeignKey' = 'foreignKey',
): [string, string] {
  const candidates = Object.entries(child.fields).filter(([key, field]) => {
    if (named !== undefined) return key === named
    // A link table's second key to one table: the column the first did not take.
    if (key === taken) return false
    const reference = field.options.foreignKey
    return reference !== undefined && reference.split('.')[0] === parent.tableName
  })
  if (named !== undefined && candidates.length === 0) {
    throw new RelationshipDefinitionError(
      `${where}: ${option} '${named}' is not a column of ${child.name}. Its columns are: ${Object.keys(child.fields).join(', ')}.`,
      [where, `${child.name}.${named}`],
    )
  }
  if (candidates.length === 0) {
    throw new RelationshipDefinitionError(
      `${where}: ${child.name} has no foreign key to table '${parent.tableName}' (${parent.name}). Declare one on ${child.name}, for example ${parent.tableName}_id: field.integer({ nullable: true, default: null, foreignKey: '${parent.tableName}.${parent.primaryKey}' }).`,
      [where, parent.name],
    )
  }
  if (candidates.length > 1) {
    throw new RelationshipDefinitionError(
      `${where}: ${child.name} has several foreign keys to '${parent.tableName}' (${candidates.map(([k]) => k).join(', ')}). Say which with { ${option}: '${candidates[0]![0]}' }.`,
      [where, parent.name],
    )
  }
  const [column, field] = candidates[0]!
  const reference = field.options.foreignKey
  const [targetTable, targetColumn] = (reference ?? '').split('.') as [string, string | undefined]
  if (reference === undefined || targetTable !== parent.tableName) {
    throw new RelationshipDefinitionError(
      `${where}: ${child.name}.${column} is not a foreign key to '${parent.tableName}' (${parent.name})${reference === undefined ? '' : `: it references "${reference}"`}. Declare it with foreignKey: '${parent.tableName}.${parent.primaryKey}'.`,
      [`${child.name}.${column}`, parent.name],
    )
  }
  if (targetColumn === undefined || !(targetColumn in parent.fields)) {
    throw new RelationshipDefinitionError(
      `${where}: ${child.name}.${column} has foreignKey "${reference}", but ${parent.name} (table '${parent.tableName}') has no column '${targetColumn}'. Its columns are: ${Object.keys(parent.fields).join(', ')}.`,
      [`${child.name}.${column}`, `${parent.name}.${targetColumn}`],
    )
  }
  return [column, targetColumn]
}
