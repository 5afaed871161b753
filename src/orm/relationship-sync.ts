/**
 * Foreign keys and relationships in step around a flush: relationship changes to foreign keys before it
 * (the save-update cascade, delete-orphan), keys to relationships after it. A many-to-many's link rows are
 * many-to-many-sync.ts; what a delete does to the rows it reaches, relationship-deletes.ts.
 */
import { assign, relationshipValue, relationshipValues, unload } from '../model/relationship-values.ts'
import type { Relationship } from '../model/relationship.ts'
import type { LinkChanges } from './link-rows.ts'
import { linkPairs } from './many-to-many-sync.ts'
import type { RowState } from './row-state.ts'
import type { TrackedRows } from './tracked-rows.ts'

type Row = Record<string, unknown>

/** A foreign key to set from a relationship at flush: `child[fk] = parent[references]`, or null. */
interface Link {
  readonly child: object
  readonly relationship: Relationship
  readonly parent: object | null
}

/** Foreign keys that wait for a new parent's generated key, by child: set once the parent is inserted. */
export type DeferredLinks = Map<object, Link[]>

/**
 * Keeps foreign keys and relationships in step, as SQLAlchemy's unit of work does: before a flush it turns
 * relationship changes into foreign key values, adds the rows they reach (the save-update cascade) and
 * marks the orphans of a `'delete-orphan'` collection for deletion; after it, it makes the loaded
 * relationships match the keys. What a delete does to the rows it reaches is `RelationshipDeletes`'s.
 *
 * @example
 * const sync = new RelationshipSync(rows, (row) => session.add(row))
 * const deferred = sync.beforeFlush(links) // hero.team = team has set hero.team_id, or waits for team's key
 */
export class RelationshipSync {
  readonly #rows: TrackedRows
  readonly #add: (row: object) => void

  /** `add` takes in a row a relationship reaches (the Session's `add`, with its checks). */
  constructor(rows: TrackedRows, add: (row: object) => void) {
    this.#rows = rows
    this.#add = add
  }

  /**
   * Turns relationship changes into foreign key values: rows pushed to or removed from a collection, and
   * many-to-one values that were assigned. Rows reached this way are added to the session, including a new
   * child given a parent of the session whose collection is not loaded. A key that waits for a new
   * parent's generated key is returned, by child, for the unit of work to set after the parent's insert.
   */
  beforeFlush(pairs: LinkChanges): DeferredLinks | undefined {
    const links: Link[] = []
    // Collections first: a child pushed to team.heroes gets hero.team = team, which the second pass reads.
    // A row reached either way joins the rows the first pass is going through, and is gone through too.
    for (const state of this.#related()) {
      this.#collectionLinks(state, links, pairs)
      this.#reachParents(state)
    }
    for (const state of this.#related()) this.#parentLinks(state, links)
    this.#deleteOrphans(links)
    let deferred: DeferredLinks | undefined
    for (const link of links) {
      if (applyLinks([link])) continue
      deferred ??= new Map()
      const list = deferred.get(link.child)
      if (list) list.push(link)
      else deferred.set(link.child, [link])
    }
    return deferred
  }

  /** The rows whose relationships may have changed, and are not deleted. */
  *#related(): Generator<RowState> {
    for (const row of this.#rows.related) {
      const state = this.#rows.get(row)!
      if (state.state !== 'deleted') yield state
    }
  }

  #collectionLinks(state: RowState, links: Link[], pairs: LinkChanges): void {
    const { row, table } = state
    // A child given this parent while its collection was not loaded (hero.team = team) is in no list.
    for (const [child, name] of state.appended ?? []) {
      const back = table.relationships.get(name)!.backPopulates!
      // Unless it was given another parent since.
      if (relationshipValue(child, back.name) === row && !this.#rows.has(child)) this.#add(child)
    }
    for (const [name, value] of relationshipValues(row) ?? []) {
      const relationship = table.relationships.get(name)!
      if (relationship.kind !== 'many') continue
      const current = value as object[]
      const before = state.flushedValue(relationship) as object[]
      if (sameRows(current, before)) continue
      // Sets: a collection of thousands of rows costs what it holds, not its square.
      const inBefore = new Set(before)
      const inCurrent = new Set(current)
      // A row pushed twice (by hand, and by its relationship's assignment) is in the collection once.
      if (inCurrent.size < current.length) current.splice(0, current.length, ...inCurrent)
      if (relationship.link) {
        linkPairs(this.#rows, this.#add, row, relationship, inCurrent, inBefore, pairs)
        continue
      }
      const back = relationship.backPopulates
      for (const child of current) {
        if (inBefore.has(child)) continue
        if (!this.#rows.has(child)) this.#add(child)
        if (back) {
          if (relationshipValue(child, back.name) !== row) this.#assign(back, child, row)
        } else links.push({ child, relationship, parent: row })
      }
      for (const child of before) {
        if (inCurrent.has(child)) continue
        if (back) {
          const parent = relationshipValue(child, back.name)
          if (parent === undefined || parent === row) this.#assign(back, child, null)
        } else links.push({ child, relationship, parent: null })
      }
    }
  }

  /**
   * Sets `child`'s many-to-one, which the pass over many-to-ones then reads when the session holds the
   * child (one that left it, through a StaleDataError say, is not written).
   */
  #assign(relationship: Relationship, child: object, parent: object | null): void {
    assign(relationship, child, parent)
    if (this.#rows.has(child)) this.#rows.related.add(child)
  }

  /** Adds the parents newly given to `state`'s row (`hero.team = Team.create(…)`) to the session. */
  #reachParents(state: RowState): void {
    for (const [relationship, parent] of this.#changedParents(state)) {
      if (parent && !this.#rows.has(parent)) this.#add(parent)
    }
  }

  #parentLinks(state: RowState, links: Link[]): void {
    for (const [relationship, parent] of this.#changedParents(state)) {
      links.push({ child: state.row, relationship, parent })
    }
  }

  /** The many-to-ones of `state`'s row that changed since its last flush, with their values. */
  *#changedParents(state: RowState): Generator<[Relationship, object | null]> {
    for (const [name, value] of relationshipValues(state.row) ?? []) {
      const relationship = state.table.relationships.get(name)!
      if (relationship.kind !== 'one' || value === state.flushedValue(relationship)) continue
      yield [relationship, value as object | null]
    }
  }

  /**
   * Marks for deletion the children of a `'delete-orphan'` collection that lost their parent: in the
   * database they had one, and now they have none. A child moved to another parent is not an orphan.
   */
  #deleteOrphans(links: readonly Link[]): void {
    // A child's last link is its parent after the flush: removed from one collection, pushed to another.
    const last = new Map<object, Link>()
    for (const link of links) last.set(link.child, link)
    for (const { child, relationship, parent } of last.values()) {
      const collection = relationship.kind === 'many' ? relationship : relationship.backPopulates
      if (parent !== null || collection?.cascade !== 'delete-orphan') continue
      const state = this.#rows.get(child)
      if (state?.state !== 'persistent' || this.#rows.deletes.has(child)) continue
      const had = state.layout.valueOf(state.flushed!, collection.foreignKey)
      if (had !== null && had !== undefined) this.#rows.markDeleted(child)
    }
  }

  /**
   * Sets the `deferred` foreign keys of rows already in the database whose parent now has its key;
   * true when any was set, so the rows' updates must be found again.
   */
  linkPersistent(deferred: DeferredLinks): boolean {
    let linked = false
    for (const [child, links] of deferred) {
      if (this.#rows.get(child)!.state !== 'persistent' || !applyLinks(links)) continue
      deferred.delete(child)
      linked = true
    }
    return linked
  }

  /**
   * Sets the foreign keys `child` waited for, before its insert. A parent of its own table may come after
   * it: the key then waits on, for an update once the parent has its key.
   */
  linkPending(deferred: DeferredLinks | undefined, child: object): void {
    const links = deferred?.get(child)
    if (links && applyLinks(links)) deferred!.delete(child)
  }

  /**
   * After a flush, what each loaded relationship holds is what the database has. A foreign key column set
   * directly (`hero.team_id = 2`) moves the row between the loaded collections and sets its many-to-one
   * to the parent in the session, or unloads it when that parent is not in the session.
   */
  afterFlush(): void {
    for (const row of this.#rows.flushed) {
      const tracked = this.#rows.get(row)
      if (!tracked || tracked.state === 'deleted') continue
      for (const relationship of tracked.table.relationships.values()) {
        if (relationship.kind === 'one') this.#followKey(row, relationship)
      }
    }
    for (const row of this.#rows.related) {
      const state = this.#rows.get(row)!
      state.appended = undefined
      let collections = false
      for (const [name, value] of relationshipValues(row) ?? []) {
        state.setFlushedValue(name, value)
        collections ||= Array.isArray(value)
      }
      // A many-to-one's next change is a write the row's observer sees; a collection's may be a push.
      if (!collections) this.#rows.related.delete(row)
    }
  }

  /** Makes `row`'s many-to-one match its foreign key. */
  #followKey(row: object, relationship: Relationship): void {
    const key = (row as Row)[relationship.foreignKey]
    const current = relationshipValue(row, relationship.name) as Row | null | undefined
    if (current === undefined && (key === null || key === undefined)) return
    if (
      current !== undefined &&
      (current === null ? key === null : current[relationship.references] === key)
    ) {
      return
    }
    const parent =
      key === null || key === undefined
        ? null
        : relationship.references === relationship.parent.primaryKey
          ? this.#rows.identity.get(relationship.parent, key)
          : undefined
    if (parent === undefined) {
      if (current) assign(relationship, row, null)
      unload(row, relationship.name)
    } else assign(relationship, row, parent)
    this.#rows.related.add(row)
  }
}

/** Sets each link's foreign key; false when a parent has no key yet (it is inserted in this flush). */
function applyLinks(links: readonly Link[]): boolean {
  for (const { child, relationship, parent } of links) {
    const value = parent === null ? null : (parent as Row)[relationship.references]
    if (value === undefined) return false
    ;(child as Row)[relationship.foreignKey] = value
  }
  return true
}

/** `a` and `b` hold the same rows in the same order: the collection did not change since its flush. */
function sameRows(a: readonly object[], b: readonly object[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
