/**
 * Declaring relationships between table models (SQLModel's `Relationship(back_populates=…)`): once for a set
 * of tables, after the tables, so TypeScript infers every row type without annotations. `relationships()`
 * resolves each declaration (relationship-resolve.ts), pairs `backPopulates` partners, refuses a link table
 * also held as rows, and installs each {@link Relationship} on its table's rows.
 */
import { RelationshipDefinitionError } from '../errors.ts'
import {
  RelationshipDeclaration,
  type RelatedTables,
  type RelationshipBuilders,
  type RelationshipDeclarations,
} from './relationship-declaration.ts'
import { resolve } from './relationship-resolve.ts'
import { attach } from './relationship-values.ts'
import type { Relationship } from './relationship.ts'
import type { TableModel } from './table.ts'

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
