/**
 * What a select loads with its rows besides their columns: relationships, each with one more query for
 * all the rows (`selectinload`).
 */
import { InvalidQueryError } from '../errors.ts'
import type { Relationship } from '../model/relationship.ts'
import type { TableModel } from '../model/table.ts'

/** The names of the relationships of table model `M`: `'team'` for `Hero`. */
export type RelationshipNames<M extends TableModel> = keyof M['~relationships'] & string

/**
 * A relationship to load with a query's rows. Build it with {@link selectinload}; `K` is its name, so a
 * name the table does not declare does not compile.
 */
export class LoadOption<K extends string = string> {
  readonly relationship: K
  readonly strategy: 'selectin'

  constructor(relationship: K) {
    this.relationship = relationship
    this.strategy = 'selectin'
    Object.freeze(this)
  }
}

/**
 * Loads a relationship of the selected rows with one more query for all of them (SQLAlchemy's
 * `selectinload`): `WHERE team_id IN (…)` for a collection, `WHERE id IN (…)` for a many-to-one. Never one
 * query per row.
 *
 * @example
 * const teams = await session.exec(select(Team).options(selectinload('heroes'))).all()
 * teams[0].heroes // Hero[], loaded: two queries in all
 * const hero = await session.get(Hero, 1, { options: [selectinload('team')] })
 */
export function selectinload<const K extends string>(relationship: K): LoadOption<K> {
  return new LoadOption(relationship)
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
