/**
 * Relationships as declared with `one()` and `many()` (SQLModel's `Relationship(back_populates=…)`): their
 * options, the declaration objects, and the types that give a set of tables' rows their relationship
 * properties. `relationships()` (relationships.ts) resolves the declarations.
 */
import type { Fields } from './field.ts'
import type { Cascade, Relationship } from './relationship.ts'
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

/** A relationship as declared, before `relationships()` resolves it. Type-only parameters. */
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

/** The tables of `relationships()`, each typed with its relationships. */
export type RelatedTables<T extends Record<string, TableModel>, S> = {
  [K in keyof T]: T[K] extends TableModel<infer N, infer F>
    ? TableModel<N, F, RelationshipsOf<T, S, K>, RelationshipRefsOf<T, S, K>>
    : never
}

/** The builders `relationships()` hands its callback; `Names` are the keys of its tables. */
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
