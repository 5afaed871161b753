/**
 * What deleting a row does to the rows its relationships reach: the rows it cascades to, marked for
 * deletion before it; its children detached or cascaded as their foreign key's `onDelete` says; its link
 * rows; and the loaded collections it leaves. Foreign keys set from relationships before a flush, and
 * relationships from keys after it, are relationship-sync.ts.
 */
import type { Engine } from '../engine/engine.ts'
import { relationshipValue, linksTo } from '../model/relationship-values.ts'
import type { Relationship } from '../model/relationship.ts'
import type { TableModel } from '../model/table.ts'
import type { ConnectionScope } from './connection-scope.ts'
import { deleteChildren, deleteLinksTo, detachChildren } from './relationships.ts'
import type { RowState } from './row-state.ts'
import type { TrackedRows } from './tracked-rows.ts'

type Row = Record<string, unknown>

/**
 * Before the deletes of a flush, marks the rows they cascade to; before a parent's delete, detaches or
 * cascades to its children and unlinks its many-to-manys.
 */
export class RelationshipDeletes {
  readonly #engine: Engine
  readonly #scope: ConnectionScope
  readonly #rows: TrackedRows
  readonly #load: (relationship: Relationship, rows: readonly object[]) => Promise<void>

  /** `load` loads a relationship of rows the Session holds, in batches (the Session's loader). */
  constructor(
    engine: Engine,
    scope: ConnectionScope,
    rows: TrackedRows,
    load: (relationship: Relationship, rows: readonly object[]) => Promise<void>,
  ) {
    this.#engine = engine
    this.#scope = scope
    this.#rows = rows
    this.#load = load
  }

  /**
   * Marks for deletion the rows a delete cascades to: the rows of each `cascade: 'delete'` or
   * `'delete-orphan'` collection of a row to delete, and theirs, level by level. The collections not
   * loaded are loaded for every parent of a level at once (one query per 500 keys, never one per row).
   * Returns each row's depth below the rows deleted by the user: within one table (a table that
   * references itself) the deepest rows are deleted first.
   */
  async cascadeDeletes(): Promise<Map<object, number>> {
    const depths = new Map<object, number>()
    let level = [...this.#rows.deletes]
    for (let depth = 1; level.length > 0; depth++) {
      const next: object[] = []
      for (const [table, parents] of Map.groupBy(level, (row) => this.#rows.get(row)!.table)) {
        for (const relationship of table.relationships.values()) {
          if (relationship.kind !== 'many' || relationship.cascade === undefined) continue
          await this.#load(
            relationship,
            parents.filter((parent) => relationshipValue(parent, relationship.name) === undefined),
          )
          for (const parent of parents) {
            for (const child of relationshipValue(parent, relationship.name) as object[]) {
              if (this.#rows.get(child)?.state !== 'persistent' || this.#rows.deletes.has(child)) continue
              this.#rows.markDeleted(child)
              depths.set(child, depth)
              next.push(child)
            }
          }
        }
      }
      level = next
    }
    return depths
  }

  /**
   * Before a parent row is deleted, its children follow their foreign key's `onDelete`: with none, the
   * Session sets their key to null first (SQLModel's default); with 'set null' or 'cascade' the database
   * acts and the Session updates the children it holds; with 'restrict' the database refuses. A deleted
   * child leaves its parent's loaded collection.
   */
  async beforeDelete(row: object, tracked: RowState): Promise<void> {
    for (const relationship of tracked.table.relationships.values()) {
      if (relationship.kind === 'one') this.#leaveCollection(row, relationship)
      else await this.#detachOrCascade(tracked, relationship)
    }
    for (const incoming of linksTo(tracked.table)) await this.#unlinkTarget(row, tracked, incoming)
  }

  /**
   * A deleted row that a many-to-many reaches leaves that relationship's loaded collections. Its link rows
   * go: through the partner relationship of the row's own table when there is one (already), else here.
   */
  async #unlinkTarget(row: object, tracked: RowState, relationship: Relationship): Promise<void> {
    const { table, targetKey, targetReferences } = relationship.link!
    const key = tracked.layout.valueOf(tracked.flushed!, targetReferences)
    const onDelete = table.fields[targetKey]!.options.onDelete
    if (!relationship.backPopulates && onDelete === undefined && key !== null && key !== undefined) {
      await this.#scope.run(deleteLinksTo(this.#engine, relationship, key))
    }
    for (const holder of this.#rows.identity.rowsOf(relationship.owner)) this.#drop(holder, relationship, row)
  }

  /** A child about to be deleted leaves its parent's loaded collection. */
  #leaveCollection(row: object, relationship: Relationship): void {
    const parent = relationshipValue(row, relationship.name) as object | null | undefined
    const back = relationship.backPopulates
    if (parent && back) this.#drop(parent, back, row)
  }

  /** `row` leaves `holder`'s collection `relationship`, as loaded and as last flushed, where it is. */
  #drop(holder: object, relationship: Relationship, row: object): void {
    const current = relationshipValue(holder, relationship.name) as object[] | undefined
    if (!current) return
    const flushed = this.#rows.get(holder)?.flushedValue(relationship) as object[] | undefined
    for (const list of flushed ? [current, flushed] : [current]) {
      const at = list.indexOf(row)
      if (at >= 0) list.splice(at, 1)
    }
  }

  /**
   * A deleted parent's children: detached (their key set to null) or, through the foreign key's `onDelete`,
   * cascaded. A many-to-many's link rows are always deleted with the row they pair.
   */
  async #detachOrCascade(tracked: RowState, relationship: Relationship): Promise<void> {
    const key = tracked.layout.valueOf(tracked.flushed!, relationship.references)
    const { onDelete, foreignKey, child, identifying } = relationship
    // A collection with a cascade: its rows were deleted before their parent (see cascadeDeletes).
    if (relationship.cascade !== undefined) return
    if (onDelete === 'restrict' || key === null || key === undefined) return
    if (onDelete === undefined) {
      const statement = identifying ? deleteChildren : detachChildren
      await this.#scope.run(statement(this.#engine, relationship, key))
    }
    const children = [...this.#rows.identity.rowsOf(child)].filter((c) => (c as Row)[foreignKey] === key)
    for (const childRow of children) {
      const childRowState = this.#rows.get(childRow)!
      if (onDelete === 'cascade' || identifying) {
        this.#rows.identity.delete(child, childRowState.layout.keyOf(childRowState.flushed!))
        childRowState.state = 'deleted'
        // A link model's row leaves the collection of the other row it links too.
        for (const parent of child.relationships.values()) {
          if (parent.kind === 'one') this.#leaveCollection(childRow, parent)
        }
      } else {
        ;(childRow as Row)[foreignKey] = null
        childRowState.flushed = childRowState.layout.with(childRowState.flushed!, foreignKey, null)
        const back = relationship.backPopulates
        if (back) this.#rows.setLoaded(childRow, back.name, null)
      }
      this.#rows.wrote(childRow)
    }
  }
}

/**
 * Before a row of `table` is deleted, the Session sets its children's foreign key to null (no `onDelete`,
 * no cascade).
 */
export function detachesChildren(table: TableModel): boolean {
  for (const relationship of table.relationships.values()) {
    if (relationship.kind !== 'many' || relationship.cascade !== undefined) continue
    if (relationship.onDelete === undefined) return true
  }
  // A many-to-many to the table declared on the other side only: the Session deletes its link rows.
  return linksTo(table).some((incoming) => !incoming.backPopulates)
}

/** A row of `table` deleted through the Session deletes the rows of a collection with a cascade. */
export function cascadesDeletes(table: TableModel): boolean {
  for (const relationship of table.relationships.values()) {
    if (relationship.cascade !== undefined) return true
  }
  return false
}
