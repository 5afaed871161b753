/**
 * A resolved relationship between two table models, and what it holds on each row. A relationship is an
 * accessor on the rows' prototype; its value lives beside the row (a `WeakMap`), so rows stay plain objects
 * whose own keys are their columns. What a session last wrote of it is the session's to keep.
 */
import { OnemodelError, RelationshipNotLoadedError } from '../errors.ts'
import { Condition } from './condition.ts'
import { observerOf } from './row.ts'
import type { TableModel } from './table.ts'

/**
 * A resolved relationship of one table (`Hero.rel.team`, also `Hero.relationships.get('team')`). The foreign
 * key is always on the `child` table and references a column of the `parent` table: for a `one`
 * relationship the owner is the child, for a `many` relationship the owner is the parent. A many-to-many
 * goes through a {@link link} table: its `child` is the link table, whose `foreignKey` refers to the owner,
 * and whose `link.targetKey` refers to the target. In a query it is a join path
 * (`select(Hero, Team).join(Hero.rel.team)`) and a predicate (`Team.rel.heroes.any(…)`); its type
 * parameters, the owner's and the target's table names, let the query check both.
 */
export class Relationship<
  Owner extends string = string,
  Target extends string = string,
  Kind extends 'one' | 'many' = 'one' | 'many',
> {
  declare readonly '~owner': Owner
  declare readonly '~target': Target
  declare readonly '~kind': Kind
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
  /** The order a collection's rows are loaded in, besides their primary key. */
  readonly orderBy: CollectionOrder | undefined
  /** The foreign key's `onDelete`; `undefined` lets the Session set the children's key to null first. */
  readonly onDelete: 'cascade' | 'set null' | 'restrict' | undefined
  /** The link table of a many-to-many, and its column that refers to the target. */
  readonly link: LinkPath | undefined
  #backPopulates: Relationship | undefined

  constructor(
    name: string,
    kind: 'one' | 'many',
    owner: TableModel,
    target: TableModel,
    foreignKey: string,
    references: string,
    orderBy?: CollectionOrder,
    link?: LinkPath,
  ) {
    this.orderBy = orderBy
    this.name = name
    this.kind = kind
    this.owner = owner
    this.target = target
    this.link = link
    this.child = link ? link.table : kind === 'one' ? owner : target
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

  /**
   * Some row of the collection meets `condition` (any row, without one): SQLAlchemy's `any()`, compiled
   * to `EXISTS (SELECT … WHERE <foreign key> = <key> AND <condition>)`. A condition may also read tables
   * of the enclosing query; the query must then read them.
   *
   * @example
   * select(Team).where(Team.rel.heroes.any(Hero.c.age.gt(40))) // the teams with a hero over 40
   */
  any<O extends string, T extends string, U extends string = never>(
    this: Relationship<O, T, 'many'>,
    condition?: Condition<NoInfer<T> | U>,
  ): Condition<O | Exclude<U, T>> {
    return new Condition({ kind: 'related', relationship: this, condition: condition?.node })
  }

  /**
   * The row this one refers to exists and meets `condition`: SQLAlchemy's `has()`, compiled to `EXISTS`.
   *
   * @example
   * select(Hero).where(Hero.rel.team.has(Team.c.headquarters.eq('Sharp Tower')))
   */
  has<O extends string, T extends string, U extends string = never>(
    this: Relationship<O, T, 'one'>,
    condition?: Condition<NoInfer<T> | U>,
  ): Condition<O | Exclude<U, T>> {
    return new Condition({ kind: 'related', relationship: this, condition: condition?.node })
  }

  /** `Hero.team`, for messages. */
  toString(): string {
    return `${this.owner.name}.${this.name}`
  }
}

/**
 * The order of a collection's rows when loaded: a column of the target and a direction.
 *
 * @example
 * Team.relationships.get('heroes')!.orderBy // { column: 'age', direction: 'desc' }
 */
export interface CollectionOrder {
  readonly column: string
  readonly direction: 'asc' | 'desc'
}

/**
 * The way from a many-to-many's link table to its target: the link table, its foreign key column to the
 * target, and the target's column it references.
 *
 * @example
 * Hero.relationships.get('teams')!.link // { table: HeroTeamLink, targetKey: 'team_id', targetReferences: 'id' }
 */
export interface LinkPath {
  readonly table: TableModel
  readonly targetKey: string
  readonly targetReferences: string
}

// --- Values: what a row's relationship holds ------------------------------------------------------

/** The relationships of each row that are loaded or were set, by name: row data, kept beside the row. */
const values = new WeakMap<object, Map<string, unknown>>()

/** The value of `row`'s relationship `name`, or `undefined` when it is neither loaded nor set. */
export function relationshipValue(row: object, name: string): unknown {
  return values.get(row)?.get(name)
}

/** Every loaded or set relationship of `row`, by name. */
export function relationshipValues(row: object): ReadonlyMap<string, unknown> | undefined {
  return values.get(row)
}

/** Sets `row`'s relationship `name` to a value read from the database: its partners are not touched. */
export function setRelationshipValue(row: object, name: string, value: unknown): void {
  let map = values.get(row)
  if (!map) values.set(row, (map = new Map()))
  map.set(name, value)
}

/** Forgets `row`'s relationship `name`: it reads as not loaded again. */
export function unload(row: object, name: string): void {
  values.get(row)?.delete(name)
}

/** Forgets every relationship value of `row`: they read as not loaded again. */
export function unloadAll(row: object): void {
  values.delete(row)
}

/**
 * Sets `row`'s relationship `name` as the user does (`hero.team = team`). The partner collections that
 * are loaded follow at once, as SQLAlchemy's backref events do; a partner whose collection is not loaded
 * tells its observer it gained `row`.
 */
export function assign(relationship: Relationship, row: object, value: unknown): void {
  check(relationship, value)
  const previous = relationshipValue(row, relationship.name)
  setRelationshipValue(row, relationship.name, value)
  const back = relationship.backPopulates
  if (relationship.kind !== 'one' || !back || previous === value) return
  if (previous) {
    const list = relationshipValue(previous as object, back.name) as object[] | undefined
    const at = list?.indexOf(row) ?? -1
    if (at >= 0) list!.splice(at, 1)
  }
  if (value) {
    const list = relationshipValue(value as object, back.name) as object[] | undefined
    if (!list) observerOf(value as object)?.linked(back.name, row)
    else if (!list.includes(row)) list.push(row)
  }
}

function check(relationship: Relationship, value: unknown): void {
  const target = relationship.target
  if (relationship.kind === 'many') {
    if (!Array.isArray(value)) {
      throw new OnemodelError(
        'OM_ORM_NOT_A_ROW',
        `${relationship} = …: expected an array of ${target.name} rows, got ${value === null ? 'null' : typeof value}.`,
      )
    }
    return
  }
  if (value === null) return
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== target.rowPrototype) {
    throw new OnemodelError(
      'OM_ORM_NOT_A_ROW',
      `${relationship} = …: expected a ${target.name} row or null. Create one with ${target.name}.create({...}) or load it with session.get(${target.name}, id).`,
    )
  }
}

/** Installs the relationship's accessor on its owner's rows. */
export function attach(relationship: Relationship): void {
  const { owner, name, kind, foreignKey } = relationship
  owner.addRelationship(relationship)
  Object.defineProperty(owner.rowPrototype, name, {
    configurable: true,
    enumerable: false,
    get(this: Record<string, unknown>) {
      const value = relationshipValue(this, name)
      if (value !== undefined) return value
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
    if (relationship.kind === 'many' && relationshipValue(row, relationship.name) === undefined) {
      setRelationshipValue(row, relationship.name, [])
    }
  }
}
