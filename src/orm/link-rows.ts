/**
 * The link rows of many-to-many relationships, as a flush writes them: a pair of rows appended to a
 * collection (on either side) is one row of the link table to insert, a pair removed is one to delete.
 * The pairs are gathered before the flush's inserts and written after them, when both rows have keys.
 */
import type { Engine } from '../engine/engine.ts'
import { bind, OBJECT_ROWS, type Statement } from '../engine/statement.ts'
import type { Relationship } from '../model/relationship.ts'
import { toParam } from './param-slots.ts'
import { insertRows } from './insert-rows.ts'
import { chunks } from './relationships.ts'

type Row = Record<string, unknown>

/** The pairs one many-to-many (either side of it) links or unlinks: target rows, by owner row. */
type Pairs = Map<object, Set<object>>

/**
 * The link rows a flush inserts and deletes. Both sides of a many-to-many may report one pair
 * (`hero.teams.push(team)` and `team.heroes.push(hero)`): it is written once.
 *
 * @example
 * const links = new LinkChanges()
 * links.add(Hero.relationships.get('teams')!, hero, team)
 * for (const statement of links.statements(engine)) await scope.run(statement)
 */
export class LinkChanges {
  readonly #added = new Map<Relationship, Pairs>()
  readonly #removed = new Map<Relationship, Pairs>()

  get size(): number {
    return this.#added.size + this.#removed.size
  }

  /** `relationship` now pairs `owner` with `target`. */
  add(relationship: Relationship, owner: object, target: object): void {
    record(this.#added, this.#removed, relationship, owner, target)
  }

  /** `relationship` no longer pairs `owner` with `target`. */
  remove(relationship: Relationship, owner: object, target: object): void {
    record(this.#removed, this.#added, relationship, owner, target)
  }

  /** The deletes, then the inserts; both rows of every pair have their keys by now. */
  statements(engine: Engine): Statement[] {
    const statements: Statement[] = []
    for (const [relationship, pairs] of this.#removed) {
      for (const chunk of chunks(keyPairs(relationship, pairs))) {
        statements.push(deletePairs(engine, relationship, chunk))
      }
    }
    for (const [relationship, pairs] of this.#added) {
      for (const chunk of chunks(keyPairs(relationship, pairs))) {
        statements.push(insertPairs(engine, relationship, chunk))
      }
    }
    return statements
  }
}

/**
 * Records the pair in `into`, under the side of the relationship that writes it, unless it is already
 * there; a pair in `opposite` (appended, then removed in the same flush) cancels out instead.
 */
function record(
  into: Map<Relationship, Pairs>,
  opposite: Map<Relationship, Pairs>,
  relationship: Relationship,
  owner: object,
  target: object,
): void {
  const [side, from, to] = writingSide(relationship, owner, target)
  if (opposite.get(side)?.get(from)?.delete(to)) return
  let pairs = into.get(side)
  if (!pairs) into.set(side, (pairs = new Map()))
  const targets = pairs.get(from)
  if (targets) targets.add(to)
  else pairs.set(from, new Set([to]))
}

/** A pair as one side of its many-to-many sees it: the side whose name comes first. */
function writingSide(
  relationship: Relationship,
  owner: object,
  target: object,
): [Relationship, object, object] {
  const back = relationship.backPopulates
  if (!back || String(relationship) <= String(back)) return [relationship, owner, target]
  return [back, target, owner]
}

/** The link table's two key values of each pair: the owner's, then the target's. */
function keyPairs(relationship: Relationship, pairs: Pairs): [unknown, unknown][] {
  const { references, link } = relationship
  const keys: [unknown, unknown][] = []
  for (const [owner, targets] of pairs) {
    for (const target of targets) {
      keys.push([(owner as Row)[references], (target as Row)[link!.targetReferences]])
    }
  }
  return keys
}

/**
 * `INSERT INTO <link> (<owner key>, <target key>, …) VALUES …`: the link table's other columns take their
 * defaults, as the link model's `create()` gives them (the declaration checked that they have one).
 */
function insertPairs(engine: Engine, relationship: Relationship, keys: [unknown, unknown][]): Statement {
  const { table, targetKey } = relationship.link!
  const rows = keys.map(([ownerKey, targetKeyValue]) => {
    const row = table.validate({ [relationship.foreignKey]: ownerKey, [targetKey]: targetKeyValue }) as Row
    const values: Row = {}
    for (const [name, field] of Object.entries(table.fields)) {
      if (row[name] !== undefined) values[name] = toParam(field, row[name])
    }
    return values
  })
  return insertRows(engine, table.tableName, rows, OBJECT_ROWS)
}

/** `DELETE FROM <link> WHERE (<owner key> = ? AND <target key> = ?) OR …`. */
function deletePairs(engine: Engine, relationship: Relationship, keys: [unknown, unknown][]): Statement {
  const { table, targetKey } = relationship.link!
  const { foreignKey } = relationship
  const [ownerField, targetField] = [table.fields[foreignKey], table.fields[targetKey]]
  const remove = engine.db
    .deleteFrom(table.tableName)
    .where((eb) =>
      eb.or(
        keys.map(([owner, target]) =>
          eb.and([
            eb(foreignKey, '=', toParam(ownerField, owner)),
            eb(targetKey, '=', toParam(targetField, target)),
          ]),
        ),
      ),
    )
    .compile()
  return bind(remove, remove.parameters, OBJECT_ROWS)
}
