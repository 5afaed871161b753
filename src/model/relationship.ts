/**
 * A resolved relationship between two table models: its tables, foreign key, link, order and cascade, and
 * the conditions a query builds from it. What it holds on each row is relationship-values.ts's.
 */
import { Condition } from './condition.ts'
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
  /** What the Session does to a collection's rows besides saving them (SQLAlchemy's `cascade`). */
  readonly cascade: Cascade | undefined
  #backPopulates: Relationship | undefined

  constructor(
    name: string,
    kind: 'one' | 'many',
    owner: TableModel,
    target: TableModel,
    foreignKey: string,
    references: string,
    { orderBy, link, cascade }: RelationshipShape = {},
  ) {
    this.orderBy = orderBy
    this.cascade = cascade
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

  /**
   * A collection whose rows cannot outlive their parent: the link rows of a many-to-many, or children whose
   * foreign key is part of their primary key (a link model's rows), which cannot be set to null. Deleting
   * the parent deletes them, where other children are detached.
   */
  get identifying(): boolean {
    return (
      this.kind === 'many' && (this.link !== undefined || this.child.primaryKeys.includes(this.foreignKey))
    )
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

/**
 * What the Session does to a collection's rows besides saving them, as SQLAlchemy's `cascade` option:
 * `'delete'` deletes them with their parent (SQLModel's `cascade_delete=True`); `'delete-orphan'` also
 * deletes a row that leaves the collection without joining another parent (`cascade="all, delete-orphan"`).
 *
 * @example
 * many('Hero', { backPopulates: 'team', cascade: 'delete-orphan' })
 */
export type Cascade = 'delete' | 'delete-orphan'

/** What a relationship may have besides its two tables and its foreign key. */
export interface RelationshipShape {
  readonly orderBy?: CollectionOrder | undefined
  readonly link?: LinkPath | undefined
  readonly cascade?: Cascade | undefined
}
