/**
 * Relationships between table models (SQLModel's `Relationship(back_populates=…)`): declared once for a set
 * of tables, after the tables, so TypeScript infers every row type without annotations. A relationship is
 * an accessor on the rows' prototype; its value lives beside the row (a `WeakMap`), so rows stay plain
 * objects whose own keys are their columns.
 */
import { RelationshipDefinitionError, RelationshipNotLoadedError, SessionError } from '../errors.ts'
import type { Fields } from './field.ts'
import { tableOfRow, type TableModel } from './table.ts'
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

/** A relationship as declared, before {@link relationships} resolves it. Type-only parameters. */
export class RelationshipDeclaration<
  Kind extends 'one' | 'many' = 'one' | 'many',
  Target extends string = string,
> {
  declare readonly '~target': Target
  readonly kind: Kind
  readonly target: Target
  readonly options: Readonly<RelationshipOptions>

  constructor(kind: Kind, target: Target, options: RelationshipOptions) {
    this.kind = kind
    this.target = target
    this.options = Object.freeze({ ...options })
  }
}

/**
 * A resolved relationship of one table (`Hero.relationships.get('team')`). The foreign key is always on the
 * `child` table and references a column of the `parent` table: for a `one` relationship the owner is the
 * child, for a `many` relationship the owner is the parent.
 */
export class Relationship {
  readonly name: string
  readonly kind: 'one' | 'many'
  readonly owner: TableModel
  readonly target: TableModel
  readonly child: TableModel
  readonly parent: TableModel
  /** The foreign key column, on {@link child}. */
  readonly foreignKey: string
  /** The referenced column, on {@link parent}. */
  readonly references: string
  /** The foreign key's `onDelete`; `undefined` lets the Session set the children's key to null first. */
  readonly onDelete: 'cascade' | 'set null' | 'restrict' | undefined
  #backPopulates: Relationship | undefined

  constructor(
    name: string,
    kind: 'one' | 'many',
    owner: TableModel,
    target: TableModel,
    foreignKey: string,
    references: string,
  ) {
    this.name = name
    this.kind = kind
    this.owner = owner
    this.target = target
    this.child = kind === 'one' ? owner : target
    this.parent = kind === 'one' ? target : owner
    this.foreignKey = foreignKey
    this.references = references
    this.onDelete = this.child.fields[foreignKey]!.options.onDelete
  }

  /** The partner relationship on the target, when declared with `backPopulates`. */
  get backPopulates(): Relationship | undefined {
    return this.#backPopulates
  }

  /** @internal */
  pairWith(partner: Relationship): void {
    this.#backPopulates = partner
  }

  /** `Hero.team`, for messages. */
  toString(): string {
    return `${this.owner.name}.${this.name}`
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

/** The tables of {@link relationships}, each typed with its relationships. */
export type RelatedTables<T extends Record<string, TableModel>, S> = {
  [K in keyof T]: T[K] extends TableModel<infer N, infer F>
    ? TableModel<N, F, RelationshipsOf<T, S, K>>
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
   * One-to-many: the rows of `target` whose foreign key refers to this row (`team.heroes`). Its value is
   * an array; pushing to it or removing from it links or unlinks rows at the next flush.
   */
  many<const Target extends Names>(
    target: Target,
    options?: RelationshipOptions,
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
 * `backPopulates` partner that is missing or does not point back, no foreign key between the two tables.
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
  const child = declaration.kind === 'one' ? owner : target
  const parent = declaration.kind === 'one' ? target : owner
  const [foreignKey, references] = findForeignKey(where, child, parent, declaration.options.foreignKey)
  return new Relationship(name, declaration.kind, owner, target, foreignKey, references)
}

/** The foreign key column of `child` that references `parent`, checked against `parent`'s columns. */
function findForeignKey(
  where: string,
  child: TableModel,
  parent: TableModel,
  named: string | undefined,
): [string, string] {
  const candidates = Object.entries(child.fields).filter(([key, field]) => {
    if (named !== undefined) return key === named
    const reference = field.options.foreignKey
    return reference !== undefined && reference.split('.')[0] === parent.tableName
  })
  if (named !== undefined && candidates.length === 0) {
    throw new RelationshipDefinitionError(
      `${where}: foreignKey '${named}' is not a column of ${child.name}. Its columns are: ${Object.keys(child.fields).join(', ')}.`,
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
      `${where}: ${child.name} has several foreign keys to '${parent.tableName}' (${candidates.map(([k]) => k).join(', ')}). Say which with { foreignKey: '${candidates[0]![0]}' }.`,
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
      throw new RelationshipDefinitionError(
        `${where}: backPopulates '${back}', but ${relationship.target.name} has no relationship '${back}'. Declare ${relationship.target.name}: { ${back}: ${relationship.kind === 'one' ? 'many' : 'one'}('${keyOf(tables, relationship.owner)}', { backPopulates: '${relationship.name}' }) }.`,
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
    if (partner.kind === relationship.kind || partner.foreignKey !== relationship.foreignKey) {
      throw new RelationshipDefinitionError(
        `${where} and ${partner} populate each other, so one must be one() and the other many() over the same foreign key (${relationship.child.name}.${relationship.foreignKey} and ${partner.child.name}.${partner.foreignKey}).`,
        [where, String(partner)],
      )
    }
    relationship.pairWith(partner)
  }
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

// --- Values: what a row's relationship holds ------------------------------------------------------

/** A relationship's value on one row: the current value and the value as of the last load or flush. */
export interface RelationshipSlot {
  current: unknown
  /** `NOT_LOADED` when the value was set without being loaded first. */
  flushed: unknown
}

/** The `flushed` value of a relationship that was assigned before it was ever loaded. */
export const NOT_LOADED: unique symbol = Symbol('not loaded')

const slots = new WeakMap<object, Map<string, RelationshipSlot>>()

/** The slot of `row`'s relationship `name`, when it is loaded or was set. */
export function slotOf(row: object, name: string): RelationshipSlot | undefined {
  return slots.get(row)?.get(name)
}

/** Every loaded or set relationship of `row`. */
export function slotsOf(row: object): Map<string, RelationshipSlot> | undefined {
  return slots.get(row)
}

/** Records a value loaded from the database: both current and flushed. */
export function setLoaded(row: object, name: string, value: unknown): void {
  let map = slots.get(row)
  if (!map) slots.set(row, (map = new Map()))
  map.set(name, { current: value, flushed: Array.isArray(value) ? [...value] : value })
}

/** Forgets `row`'s relationship `name`: it reads as not loaded again. */
export function unload(row: object, name: string): void {
  slots.get(row)?.delete(name)
}

/** Forgets every relationship value of `row`: they read as not loaded again. */
export function unloadAll(row: object): void {
  slots.delete(row)
}

/** Sets `row`'s relationship `name` as the user does (`hero.team = team`), updating a loaded partner. */
export function assign(relationship: Relationship, row: object, value: unknown): void {
  check(relationship, value)
  let map = slots.get(row)
  if (!map) slots.set(row, (map = new Map()))
  const slot = map.get(relationship.name)
  const previous = slot?.current
  if (slot) slot.current = value
  else map.set(relationship.name, { current: value, flushed: relationship.kind === 'many' ? [] : NOT_LOADED })
  const back = relationship.backPopulates
  if (relationship.kind !== 'one' || !back || previous === value) return
  // The partner collections that are loaded follow at once, as SQLAlchemy's backref events do.
  if (previous) {
    const list = slotOf(previous as object, back.name)?.current as object[] | undefined
    const at = list?.indexOf(row) ?? -1
    if (at >= 0) list!.splice(at, 1)
  }
  if (value) {
    const list = slotOf(value as object, back.name)?.current as object[] | undefined
    if (list && !list.includes(row)) list.push(row)
  }
}

function check(relationship: Relationship, value: unknown): void {
  const target = relationship.target
  if (relationship.kind === 'many') {
    if (!Array.isArray(value)) {
      throw new SessionError(
        'OM_ORM_NOT_A_ROW',
        `${relationship} = …: expected an array of ${target.name} rows, got ${value === null ? 'null' : typeof value}.`,
      )
    }
    return
  }
  if (value === null) return
  if (typeof value !== 'object' || tableOfRow(value as object) !== target) {
    throw new SessionError(
      'OM_ORM_NOT_A_ROW',
      `${relationship} = …: expected a ${target.name} row or null. Create one with ${target.name}.create({...}) or load it with session.get(${target.name}, id).`,
    )
  }
}

/** Installs the relationship's accessor on its owner's rows. */
function attach(relationship: Relationship): void {
  const { owner, name, kind, foreignKey } = relationship
  owner.addRelationship(relationship)
  Object.defineProperty(owner.rowPrototype, name, {
    configurable: true,
    enumerable: false,
    get(this: Record<string, unknown>) {
      const slot = slots.get(this)?.get(name)
      if (slot) return slot.current
      // A many-to-one whose key is null refers to nothing: there is nothing to load.
      if (kind === 'one' && (this[foreignKey] === null || this[foreignKey] === undefined)) return null
      throw new RelationshipNotLoadedError(relationship.owner.name, name, relationship.target.name)
    },
    set(this: object, value: unknown) {
      assign(relationship, this, value)
    },
  })
}

/** A new row (from `create()` or `validate()`): its collections are loaded and empty. */
export function initNewRow(table: TableModel, row: object): void {
  for (const relationship of table.relationships.values()) {
    if (relationship.kind === 'many' && !slotOf(row, relationship.name)) setLoaded(row, relationship.name, [])
  }
}
