/**
 * The SQL side of relationships: the batched `IN` queries that load them, the statement that detaches
 * children before their parent is deleted, and the order in which tables are written.
 */
import type { Engine } from '../engine/engine.ts'
import { bind, OBJECT_ROWS, type Statement } from '../engine/statement.ts'
import type { CollectionOrder, Relationship } from '../model/relationship.ts'
import type { TableModel } from '../model/table.ts'
import type { Column } from '../model/column.ts'
import { and, or } from '../model/condition.ts'
import { select, type AnySelect } from './select.ts'
import { queriesFor } from './query-statements.ts'

/** Keys per `IN (…)` list, as SQLAlchemy's selectinload batches them: well below every driver's limit. */
const CHUNK = 500

/** `items` in chunks of {@link CHUNK}: one statement each. */
export function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let start = 0; start < items.length; start += CHUNK) yield items.slice(start, start + CHUNK)
}

/** The statement of each chunk of `keys`'s select, built by `build`. */
function perChunk<K>(engine: Engine, keys: readonly K[], build: (chunk: K[]) => AnySelect): Statement[] {
  const queries = queriesFor(engine)
  return Array.from(chunks(keys), (chunk) => queries.select(build(chunk)).statement)
}

/** `query` ordered as a collection of `table`'s rows: by its declared order, then by its key. */
function inCollectionOrder(
  query: AnySelect,
  table: TableModel,
  order: CollectionOrder | undefined,
): AnySelect {
  const columns = table.c as Record<string, Column<string, NonNullable<unknown>>>
  if (order) query = query.orderBy(columns[order.column]![order.direction]())
  for (const key of table.primaryKeys) query = query.orderBy(columns[key]!)
  return query
}

/**
 * `SELECT … FROM <table> WHERE <column> IN (…) ORDER BY [<order>,] <pk>`, one statement per {@link CHUNK}
 * keys. A collection's rows all come in the chunk of their parent's key, so each is in order.
 */
export function selectIn(
  engine: Engine,
  table: TableModel,
  column: string,
  keys: readonly NonNullable<unknown>[],
  order?: CollectionOrder,
): Statement[] {
  const columns = table.c as Record<string, Column<string, NonNullable<unknown>>>
  return perChunk(engine, keys, (chunk) =>
    inCollectionOrder(select(table).where(columns[column]!.in(chunk)), table, order),
  )
}

/**
 * `SELECT <target>.*, <link>.<owner key> FROM <target> JOIN <link> ON <link>.<target key> = <target key>
 * WHERE <link>.<owner key> IN (…)`, one statement per {@link CHUNK} owner keys: a many-to-many's rows,
 * each with the owner it is paired with (the last column).
 */
export function selectLinked(
  engine: Engine,
  relationship: Relationship,
  keys: readonly NonNullable<unknown>[],
): Statement[] {
  const { target, foreignKey, orderBy } = relationship
  const { table: link, targetKey, targetReferences } = relationship.link!
  const linkColumns = link.c as Record<string, Column<string, NonNullable<unknown>>>
  const columns = target.c as Record<string, Column<string, NonNullable<unknown>>>
  return perChunk(engine, keys, (chunk) => {
    const query = select(target, linkColumns[foreignKey]!)
      .join(link, linkColumns[targetKey]!.eq(columns[targetReferences]!))
      .where(linkColumns[foreignKey]!.in(chunk))
    return inCollectionOrder(query, target, orderBy)
  })
}

/**
 * The rows of `table` with the given keys, each the values of its key fields in key order: {@link selectIn}
 * on the key for a single-field key, `WHERE (a = ? AND b = ?) OR …` for a composite one, {@link CHUNK}
 * keys a statement.
 */
export function selectByKeys(
  engine: Engine,
  table: TableModel,
  keys: readonly (readonly unknown[])[],
): Statement[] {
  if (table.primaryKey !== undefined) {
    return selectIn(
      engine,
      table,
      table.primaryKey,
      keys.map(([value]) => value as NonNullable<unknown>),
    )
  }
  const columns = table.c as Record<string, Column<string, unknown>>
  return perChunk(engine, keys, (chunk) => {
    const matches = chunk.map((key) =>
      and(...table.primaryKeys.map((field, i) => columns[field]!.eq(key[i]))),
    )
    return select(table).where(or(...matches))
  })
}

/**
 * `DELETE FROM <child> WHERE <fk> = ?`: the rows of an identifying collection (a many-to-many's link rows,
 * a link model's rows) go with their parent, unless the foreign key's `onDelete` has the database remove them.
 */
export function deleteChildren(engine: Engine, relationship: Relationship, key: unknown): Statement {
  const remove = engine.db
    .deleteFrom(relationship.child.tableName)
    .where(relationship.foreignKey, '=', key)
    .compile()
  return bind(remove, remove.parameters, OBJECT_ROWS)
}

/** `DELETE FROM <link> WHERE <target key> = ?`: the link rows that pair other rows with a deleted target. */
export function deleteLinksTo(engine: Engine, relationship: Relationship, key: unknown): Statement {
  const { table, targetKey } = relationship.link!
  const remove = engine.db.deleteFrom(table.tableName).where(targetKey, '=', key).compile()
  return bind(remove, remove.parameters, OBJECT_ROWS)
}

/** `UPDATE <child> SET <fk> = NULL WHERE <fk> = ?`: what SQLAlchemy does before deleting a parent. */
export function detachChildren(engine: Engine, relationship: Relationship, key: unknown): Statement {
  const update = engine.db
    .updateTable(relationship.child.tableName)
    .set({ [relationship.foreignKey]: null })
    .where(relationship.foreignKey, '=', key)
    .compile()
  return bind(update, update.parameters, OBJECT_ROWS)
}

const ranks = new WeakMap<TableModel, number>()

/**
 * How deep a table sits in its foreign keys: 0 for a table that references none, 1 + the deepest
 * referenced table otherwise. Parents are inserted before children and deleted after them.
 */
export function rankOf(table: TableModel, visiting = new Set<TableModel>()): number {
  const known = ranks.get(table)
  if (known !== undefined) return known
  visiting.add(table)
  let rank = 0
  for (const field of Object.values(table.fields)) {
    const reference = field.options.foreignKey
    if (!reference) continue
    const target = table.metadata.get(reference.split('.')[0]!)
    if (!target || visiting.has(target)) continue
    rank = Math.max(rank, rankOf(target, visiting) + 1)
  }
  visiting.delete(table)
  ranks.set(table, rank)
  return rank
}
