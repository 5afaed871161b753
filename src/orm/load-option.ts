/**
 * What a select loads with its rows besides their columns: relationships, and the relationships of those,
 * each level with one more query for all the rows of the level (`selectinload`).
 */
import { InvalidQueryError } from '../errors.ts'
import type { Relationship } from '../model/relationship.ts'
import type { TableModel } from '../model/table.ts'

/** The names of the relationships of table model `M`: `'team'` for `Hero`. */
export type RelationshipNames<M extends TableModel> = keyof M['~relationships'] & string

/** A path of relationship names, each a relationship of the previous one's target: `['team', 'heroes']`. */
export type LoadPath = readonly [string, ...string[]]

/**
 * The paths {@link selectinload} may take from table model `M`, up to 4 relationships deep: `['team']`,
 * `['team', 'heroes']`, … for `Hero`.
 */
export type RelationshipPath<M extends TableModel> = PathsFrom<M['~relationships'], [1, 2, 3]>

/** The paths through relationship properties `R`: each name, alone or followed by a path from its target. */
type PathsFrom<R, Deeper extends unknown[]> = {
  [K in keyof R & string]:
    | readonly [K]
    | (Deeper extends [unknown, ...infer Rest]
        ? readonly [K, ...PathsFrom<RelationshipsOfRow<TargetOf<R[K]>>, Rest>]
        : never)
}[keyof R & string]

/** The row type a relationship holds: the element of a collection, the row of a many-to-one. */
type TargetOf<V> = V extends readonly (infer Row)[] ? Row : Exclude<V, null>

/**
 * The relationship properties of a related row's type: those holding rows (`Team | null`, `Hero[]`). A
 * related row's type does not say which of its properties are columns, so a JSON column holding objects
 * passes too; `options()` still refuses it when called.
 */
type RelationshipsOfRow<Row> = {
  [K in keyof Row as HoldsRows<Row[K]> extends true ? K : never]: Row[K]
}

type HoldsRows<V> = [V] extends [readonly (infer Item)[]] ? IsRow<Item> : IsRow<Exclude<V, null>>

type IsRow<T> = [T] extends [never]
  ? false
  : [T] extends [Date | Uint8Array]
    ? false
    : [T] extends [object]
      ? true
      : false

/**
 * Relationships to load with a query's rows: a path of relationship names, loaded a level at a time. Build
 * it with {@link selectinload}; `P` is the path, so a name the previous level's table does not declare
 * does not compile.
 */
export class LoadOption<P extends LoadPath = LoadPath> {
  readonly path: P
  readonly strategy: 'selectin'

  constructor(path: P) {
    this.path = path
    this.strategy = 'selectin'
    Object.freeze(this)
  }

  /**
   * The chained spelling of a longer path, as SQLAlchemy writes it:
   * `selectinload('team').selectinload('heroes')` is `selectinload('team', 'heroes')`.
   */
  selectinload<const K extends string>(relationship: K): LoadOption<readonly [...P, K]> {
    return new LoadOption<readonly [...P, K]>([...this.path, relationship])
  }
}

/**
 * Loads relationships of the selected rows with one more query for all of them (SQLAlchemy's
 * `selectinload`): `WHERE team_id IN (…)` for a collection, `WHERE id IN (…)` for a many-to-one. Never one
 * query per row. Several names are a path: `selectinload('team', 'heroes')` loads each hero's team, then
 * those teams' heroes, one query per level (per 500 keys) whatever the number of rows, up to 4 levels.
 * Rows whose relationship is already loaded, and many-to-one rows the Session already holds, cost no
 * query. `selectinload('team').selectinload('heroes')` is the same path, chained.
 *
 * @example
 * const teams = await session.exec(select(Team).options(selectinload('heroes'))).all()
 * teams[0].heroes // Hero[], loaded: two queries in all
 * const hero = await session.get(Hero, 1, { options: [selectinload('team', 'heroes')] })
 * hero.team?.heroes // the hero's teammates: three queries in all
 */
export function selectinload<const P extends LoadPath>(...path: P): LoadOption<P> {
  return new LoadOption(path)
}

/** The relationship `name` of `model`, or a clear error naming what it has. */
export function relationshipOf(model: TableModel, name: string, method: string): Relationship {
  const relationship = model.relationships.get(name)
  if (!relationship) {
    const known = [...model.relationships.keys()]
    throw new InvalidQueryError(
      `${method}(): ${model.name} has no relationship '${name}'. ${known.length === 0 ? `Declare one with relationships({ … }, ({ one, many }) => ({ … })).` : `Its relationships are: ${known.join(', ')}.`}`,
    )
  }
  return relationship
}

/**
 * Checks each name of `path` against the table its previous name leads to.
 * @throws {InvalidQueryError} naming the table that lacks a name, and its relationships.
 */
export function checkPath(model: TableModel, path: readonly string[], method: string): void {
  let table = model
  for (const name of path) table = relationshipOf(table, name, method).target
}
