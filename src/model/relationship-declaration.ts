/**
 * Declaring relationships between table models (SQLModel's `Relationship(back_populates=…)`): once for a set
 * of tables, after the tables, so TypeScript infers every row type without annotations. `relationships()`
 * checks the declarations, resolves each into a {@link Relationship} and installs it on its table's rows.
 */
import { RelationshipDefinitionError } from '../errors.ts'
import type { Fields } from './field.ts'
import { attach, Relationship, type Cascade, type CollectionOrder, type LinkPath } from './relationship.ts'
import type { TableModel } from './table.ts'
import type { NewRowOf, RowOf } from './types.ts'

/** Options of a relationship declared with `one()` or `many()`. */
export interface RelationshipOptions<Back extends string = string> {
  /**
   * The partner relationship on the other table, which must point back at this one (`back_populates`).
   * Setting one side then updates the other.
   */
  backPopulates?: Back
  /**
   * The foreign key column, on whichever side holds it (the `one` side's table). Needed only when that
   * table has several foreign keys to the other table.
   */
  foreignKey?: string
}

/** Options of a collection declared with `many()`: its order, its cascade, and a many-to-many's link table. */
export interface ManyOptions<Names extends string = string> extends RelationshipOptions {
  /**
   * The link table of a many-to-many (SQLModel's `link_model`), named by its key in the tables: its rows
   * pair this table's rows with the target's. `foreignKey` then names the link column that refers to this
   * table, and `targetForeignKey` the one that refers to the target; each is needed only when the link has
   * several foreign keys to that table (a table linked to itself, users who follow users).
   *
   * @example
   * many('Team', { link: 'HeroTeamLink', backPopulates: 'heroes' })
   * many('User', { link: 'Follow', foreignKey: 'follower_id', targetForeignKey: 'followed_id' })
   */
  link?: Names
  /** The link table's foreign key column to the target, when it has several. Only with `link`. */
  targetForeignKey?: string
  /**
   * The order of a collection's rows when it is loaded (SQLAlchemy's `order_by`): a column of the target,
   * ascending, or `[column, 'desc']`. Rows appended in memory stay where they were put.
   *
   * @example
   * many('Hero', { backPopulates: 'team', orderBy: ['age', 'desc'] })
   */
  orderBy?: string | readonly [column: string, direction: 'asc' | 'desc']
  /**
   * What the Session does to a collection's rows besides saving them (SQLAlchemy's `cascade`): `'delete'`
   * deletes them with their parent (SQLModel's `cascade_delete=True`); `'delete-orphan'` also deletes a
   * row that leaves the collection without joining another parent. Unlike the foreign key's `onDelete:
   * 'cascade'`, where the database deletes the rows, the Session deletes them, so the rows it holds are
   * deleted too.
   *
   * @example
   * many('Hero', { backPopulates: 'team', cascade: 'delete-orphan' })
   */
  cascade?: Cascade
}

/** A relationship as declared, before {@link relationships} resolves it. Type-only parameters. */
export class RelationshipDeclaration<
  Kind extends 'one' | 'many' = 'one' | 'many',
  Target extends string = string,
> {
  declare readonly '~target': Target
  readonly kind: Kind
  readonly target: Target
  readonly options: Readonly<ManyOptions>

  constructor(kind: Kind, target: Target, options: ManyOptions) {
    this.kind = kind
    this.target = target
    this.options = Object.freeze({ ...options })
  }
}

// --- Types: the rows of related tables ---------------------------------------------------------

/** The relationship declarations of a set of tables: `{ Hero: { team: one('Team') } }`. */
export type RelationshipDeclarations<Names extends string> = {
  readonly [Name in Names]?: Readonly<Record<string, RelationshipDeclaration<'one' | 'many', Names>>>
}

/**
 * The fields of a table model.
 *
 * @example
 * type HeroFields = FieldsOf<typeof Hero> // { id: Field<number, …>; name: Field<string, …>; … }
 */
export type FieldsOf<T> = T extends TableModel<string, infer F extends Fields> ? F : never

/**
 * A row of table `K` with its relationships: columns, then `team: Team | null` or `heroes: Hero[]`. A
 * relationship may hold a row not yet flushed (`team.heroes.push(Hero.create(…))`), so its key may be unknown.
 */
export type RelatedRow<T, S, K extends keyof T> = (RowOf<FieldsOf<T[K]>> | NewRowOf<FieldsOf<T[K]>>) &
  RelationshipsOf<T, S, K>

/** The relationship properties of table `K`'s rows. */
export type RelationshipsOf<T, S, K extends keyof T> = K extends keyof S
  ? {
      -readonly [R in keyof S[K]]: S[K][R] extends RelationshipDeclaration<'many', infer Target>
        ? RelatedRow<T, S, Target & keyof T>[]
        : S[K][R] extends RelationshipDeclaration<'one', infer Target>
          ? RelatedRow<T, S, Target & keyof T> | null
          : never
    }
  : {}

/**
 * The relationships of table `K` as query terms, under `rel`: `Hero.rel.team` is a
 * `Relationship<'hero', 'team', 'one'>`.
 */
export type RelationshipRefsOf<T, S, K extends keyof T> = K extends keyof S
  ? {
      readonly [R in keyof S[K]]: S[K][R] extends RelationshipDeclaration<infer Kind, infer Target>
        ? Relationship<TableNameOf<T[K]>, TableNameOf<T[Target & keyof T]>, Kind>
        : never
    }
  : {}

type TableNameOf<M> = M extends TableModel<infer N> ? N : never

/** The tables of {@link relationships}, each typed with its relationships. */
export type RelatedTables<T extends Record<string, TableModel>, S> = {
  [K in keyof T]: T[K] extends TableModel<infer N, infer F>
    ? TableModel<N, F, RelationshipsOf<T, S, K>, RelationshipRefsOf<T, S, K>>
    : never
}

/** The builders {@link relationships} hands its callback; `Names` are the keys of its tables. */
export interface RelationshipBuilders<Names extends string> {
  /**
   * Many-to-one: this row refers to at most one row of `target` through a foreign key column of its own
   * (`hero.team`). Its value is the target row or `null`.
   */
  one<const Target extends Names>(
    target: Target,
    options?: RelationshipOptions,
  ): RelationshipDeclaration<'one', Target>
  /**
   * One-to-many: the rows of `target` whose foreign key refers to this row (`team.heroes`). With `link`,
   * many-to-many: the rows of `target` paired with this row by the link table's rows (`hero.teams`). Its
   * value is an array; pushing to it or removing from it links or unlinks rows at the next flush.
   */
  many<const Target extends Names>(
    target: Target,
    options?: ManyOptions<Names>,
  ): RelationshipDeclaration<'many', Target>
}

const builders: RelationshipBuilders<string> = {
  one: (target, options = {}) => new RelationshipDeclaration('one', target, options),
  many: (target, options = {}) => new RelationshipDeclaration('many', target, options),
}

/**
 * Declares the relationships of a set of tables, after the tables themselves, and returns the same tables
 * typed with their relationship properties (SQLModel's `Relationship(back_populates=…)`). Targets are named
 * by their keys in `tables`, as SQLModel names them by class (`List["Hero"]`). Each table's foreign key
 * column is declared on the field: `field.integer({ nullable: true, default: null, foreignKey: 'team.id' })`.
 *
 * A relationship is never loaded by reading it: load it with `select(Team).options(selectinload('heroes'))`
 * (one more query for all the rows) or `session.load(team, 'heroes')`. Reading one that is not loaded throws
 * {@link RelationshipNotLoadedError}.
 *
 * Declaration mistakes throw {@link RelationshipDefinitionError} naming both sides: an unknown target, a
 * `backPopulates` partner that is missing or does not point back, no foreign key between the two tables,
 * a `cascade` on a `one()` or over a foreign key with `onDelete: 'set null'`.
 *
 * @example
 * export const { Team, Hero } = relationships(
 *   {
 *     Team: table('team', TeamBase.extend('Team', { id: field.integer({ primaryKey: true }) })),
 *     Hero: table('hero', HeroBase.extend('Hero', { id: field.integer({ primaryKey: true }) })),
 *   },
 *   ({ one, many }) => ({
 *     Team: { heroes: many('Hero', { backPopulates: 'team' }) },
 *     Hero: { team: one('Team', { backPopulates: 'heroes' }) },
 *   }),
 * )
 * export type Team = typeof Team.Type   // { id: number; name: string; …; heroes: Hero[] }
 * export type Hero = typeof Hero.Type   // { id: number; …; team_id: number | null; team: Team | null }
 */
export function relationships<
  const T extends Record<string, TableModel>,
  const S extends RelationshipDeclarations<keyof T & string>,
>(tables: T, declare: (builders: RelationshipBuilders<keyof T & string>) => S): RelatedTables<T, S> {
  const declarations = declare(builders) as RelationshipDeclarations<string>
  const resolved: Relationship[] = []
  for (const [ownerKey, ownDeclarations] of Object.entries(declarations)) {
    const owner = tables[ownerKey]
    if (!owner) {
      throw new RelationshipDefinitionError(
        `relationships(): '${ownerKey}' declares relationships but is not one of the tables (${Object.keys(tables).join(', ')}).`,
        [ownerKey, ownerKey],
      )
    }
    for (const [name, declaration] of Object.entries(ownDeclarations ?? {})) {
      resolved.push(resolve(tables, owner, name, declaration))
    }
  }
  pairUp(tables, declarations, resolved)
  refuseOverlaps(resolved)
  for (const relationship of resolved) attach(relationship)
  return tables as never
}

function resolve(
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

/**
 * A table the Session writes as a many-to-many's link rows cannot also be a collection of rows the Session
 * holds: the same rows would be written two ways, and the held ones would go stale (SQLAlchemy warns of
 * such overlapping relationships).
 */
function refuseOverlaps(resolved: readonly Relationship[]): void {
  for (const relationship of resolved) {
    const link = relationship.link?.table
    const rows =
      link && resolved.find((other) => other.kind === 'many' && !other.link && other.target === link)
    if (!rows) continue
    throw new RelationshipDefinitionError(
      `${relationship} writes the ${link.name} rows itself, and ${rows} holds them as rows: the Session would write them two ways. Keep one: the many-to-many, or the one-to-manys to ${link.name} and its one() relationships, as SQLModel's "Link Model with Extra Fields" does.`,
      [String(relationship), String(rows)],
    )
  }
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

/** Links each relationship with its `backPopulates` partner, which must exist and point back. */
function pairUp(
  tables: Record<string, TableModel>,
  declarations: RelationshipDeclarations<string>,
  resolved: Relationship[],
): void {
  for (const relationship of resolved) {
    const back = declarationOf(tables, declarations, relationship).options.backPopulates
    if (back === undefined) continue
    const where = String(relationship)
    const partner = resolved.find((r) => r.owner === relationship.target && r.name === back)
    if (!partner) {
      // A relationship of the target that points back at the owner is the partner meant, misspelled.
      const meant = resolved.filter((r) => r.owner === relationship.target && r.target === relationship.owner)
      const fix =
        meant.length > 0
          ? `Did you mean ${meant.map((r) => `'${r.name}'`).join(' or ')}? ${relationship.target.name}'s relationships to ${relationship.owner.name}: ${meant.map((r) => r.name).join(', ')}.`
          : `Declare ${relationship.target.name}: { ${back}: ${partnerDeclaration(tables, relationship)} }.`
      throw new RelationshipDefinitionError(
        `${where}: backPopulates '${back}', but ${relationship.target.name} has no relationship '${back}'. ${fix}`,
        [where, `${relationship.target.name}.${back}`],
      )
    }
    const partnerBack = declarationOf(tables, declarations, partner).options.backPopulates
    if (partner.target !== relationship.owner || partnerBack !== relationship.name) {
      throw new RelationshipDefinitionError(
        `${where}: backPopulates '${back}', but ${partner} does not point back (${partner.target === relationship.owner ? (partnerBack === undefined ? 'it has no backPopulates' : `its backPopulates is '${partnerBack}'`) : `its target is ${partner.target.name}`}). Give ${partner} { backPopulates: '${relationship.name}' }.`,
        [where, String(partner)],
      )
    }
    if (!mirrors(relationship, partner)) {
      throw new RelationshipDefinitionError(
        relationship.link || partner.link
          ? `${where} and ${partner} populate each other, so both must be many() over the same link table, each with the other's foreign key (${describeLink(relationship)} and ${describeLink(partner)}).`
          : `${where} and ${partner} populate each other, so one must be one() and the other many() over the same foreign key (${relationship.child.name}.${relationship.foreignKey} and ${partner.child.name}.${partner.foreignKey}).`,
        [where, String(partner)],
      )
    }
    relationship.pairWith(partner)
  }
}

/** The declaration of `relationship`'s missing partner, for messages. */
function partnerDeclaration(tables: Record<string, TableModel>, relationship: Relationship): string {
  const owner = keyOf(tables, relationship.owner)
  const { link, kind, name } = relationship
  if (link) return `many('${owner}', { link: '${keyOf(tables, link.table)}', backPopulates: '${name}' })`
  return `${kind === 'one' ? 'many' : 'one'}('${owner}', { backPopulates: '${name}' })`
}

/**
 * `a` and `b` are two sides of one link: a many-to-one and a collection over the same foreign key, or two
 * many-to-manys over the same link table, each going out by the other's way in.
 */
function mirrors(a: Relationship, b: Relationship): boolean {
  if (a.link && b.link) {
    return (
      a.link.table === b.link.table && a.foreignKey === b.link.targetKey && b.foreignKey === a.link.targetKey
    )
  }
  return !a.link && !b.link && a.kind !== b.kind && a.foreignKey === b.foreignKey && a.child === b.child
}

/** `many('Team', link HeroTeamLink from hero_id to team_id)`, for messages. */
function describeLink(relationship: Relationship): string {
  const { link, foreignKey, kind, target } = relationship
  if (!link) return `${kind}('${target.name}') over ${relationship.child.name}.${foreignKey}`
  return `${link.table.name} from ${foreignKey} to ${link.targetKey}`
}

function keyOf(tables: Record<string, TableModel>, table: TableModel): string {
  return Object.entries(tables).find(([, t]) => t === table)![0]
}

function declarationOf(
  tables: Record<string, TableModel>,
  declarations: RelationshipDeclarations<string>,
  relationship: Relationship,
): RelationshipDeclaration {
  return declarations[keyOf(tables, relationship.owner)]![relationship.name]!
}
