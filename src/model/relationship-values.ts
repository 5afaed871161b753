/**
 * What a relationship holds on each row. A relationship is an accessor on the rows' prototype; its value
 * lives beside the row (a `WeakMap`), so rows stay plain objects whose own keys are their columns. Setting
 * it keeps the partner side in step; a new row's relationships start from its input. What a session last
 * wrote of it is the session's to keep.
 */
import { OnemodelError, RelationshipNotLoadedError } from '../errors.ts'
import type { Relationship } from './relationship.ts'
import { isObserved, observerOf } from './row.ts'
import type { TableModel } from './table.ts'

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
 * Sets `row`'s relationship `name` as the user does (`hero.team = team`, `team.heroes = [hero]`). The
 * partners follow at once, as SQLAlchemy's backref events do: a hero joins or leaves the team's loaded
 * collection, and the heroes that join or leave a collection refer to the team or to nothing. A partner
 * whose collection is not loaded tells its observer it gained `row`.
 */
export function assign(relationship: Relationship, row: object, value: unknown, where?: string): void {
  check(relationship, value, where ?? `${relationship} = …`)
  const previous = relationshipValue(row, relationship.name)
  // A row read from the database whose collection was never loaded: the rows leaving it are unknown.
  if (relationship.kind === 'many' && previous === undefined) {
    throw new RelationshipNotLoadedError(
      relationship.owner.name,
      relationship.name,
      relationship.target.name,
      true,
    )
  }
  setRelationshipValue(row, relationship.name, value)
  const back = relationship.backPopulates
  if (!back || previous === value) return
  if (relationship.link) {
    replacePartners(relationship, row, previous as object[] | undefined, value as object[])
    return
  }
  if (relationship.kind === 'many') {
    replaceChildren(relationship, row, previous as object[] | undefined, value as object[])
    return
  }
  if (previous) leave(previous as object, back, row)
  if (value) join(value as object, back, row)
}

/** `child` leaves `parent`'s collection, when it is loaded. */
function leave(parent: object, collection: Relationship, child: object): void {
  const list = relationshipValue(parent, collection.name) as object[] | undefined
  const at = list?.indexOf(child) ?? -1
  if (at >= 0) list!.splice(at, 1)
}

/** `child` joins `parent`'s collection, or tells `parent`'s observer when it is not loaded. */
function join(parent: object, collection: Relationship, child: object): void {
  const list = relationshipValue(parent, collection.name) as object[] | undefined
  if (!list) observerOf(parent)?.linked(collection.name, child)
  else if (!list.includes(child)) list.push(child)
}

/**
 * `row`'s collection went from `previous` to `current`: the rows that joined it refer to `row` (and leave
 * the collection of the parent they had), the rows that left it and still referred to `row` to nothing.
 */
function replaceChildren(
  collection: Relationship,
  row: object,
  previous: readonly object[] | undefined,
  current: readonly object[],
): void {
  const back = collection.backPopulates!
  // Sets: a collection of thousands of rows costs what it holds, not its square.
  const before = new Set(previous)
  const after = new Set(current)
  for (const child of current) {
    if (before.has(child)) continue
    const parent = relationshipValue(child, back.name)
    if (parent === row) continue
    if (parent) leave(parent as object, collection, child)
    setParent(back, child, row)
  }
  for (const child of before) {
    if (!after.has(child) && relationshipValue(child, back.name) === row) setParent(back, child, null)
  }
}

/**
 * `row`'s many-to-many went from `previous` to `current`: the loaded partner collections of the rows that
 * joined or left follow. A partner whose collection is not loaded needs nothing: the flush writes the pair
 * from this side.
 */
function replacePartners(
  relationship: Relationship,
  row: object,
  previous: readonly object[] | undefined,
  current: readonly object[],
): void {
  const back = relationship.backPopulates!
  const before = new Set(previous)
  const after = new Set(current)
  for (const target of after) {
    if (!before.has(target) && relationshipValue(target, back.name) !== undefined) join(target, back, row)
  }
  for (const target of before) if (!after.has(target)) leave(target, back, row)
}

/** Sets `child`'s many-to-one without touching collections, and tells the child's observer. */
function setParent(relationship: Relationship, child: object, parent: object | null): void {
  setRelationshipValue(child, relationship.name, parent)
  observerOf(child)?.assigned(relationship.name)
}

/** Throws unless `value` is what `relationship` holds: a target row or null, or an array of target rows. */
function check(relationship: Relationship, value: unknown, where: string): void {
  const target = relationship.target
  const isTargetRow = (item: unknown) =>
    typeof item === 'object' && item !== null && Object.getPrototypeOf(item) === target.rowPrototype
  if (relationship.kind === 'one') {
    if (value === null || isTargetRow(value)) return
    throw notARow(relationship, where, describe(value))
  }
  if (!Array.isArray(value)) throw notARow(relationship, where, describe(value))
  const at = value.findIndex((item) => !isTargetRow(item))
  if (at >= 0) throw notARow(relationship, where, `${describe(value[at])} at ${relationship.name}[${at}]`)
}

function notARow(relationship: Relationship, where: string, got: string): OnemodelError {
  const target = relationship.target.name
  const expected = relationship.kind === 'one' ? `a ${target} row or null` : `an array of ${target} rows`
  return new OnemodelError(
    'OM_ORM_NOT_A_ROW',
    `${where}: expected ${expected}, got ${got}. Create one with ${target}.create({...}) or load it with session.get(${target}, id).`,
  )
}

/** What a wrong value is, for messages: never the value itself, which may hold a secret. */
function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return value === null ? 'null' : typeof value
  if (Array.isArray(value)) return 'an array'
  const prototype: unknown = Object.getPrototypeOf(value)
  if (prototype === null || prototype === Object.prototype) return 'a plain object'
  return `a ${value.constructor.name}`
}

const linksInto = new WeakMap<TableModel, Relationship[]>()

/**
 * The many-to-manys whose target is `table`, whichever table owns them: a deleted row of `table` leaves
 * their collections, and its link rows go, though `table` may declare no relationship back.
 */
export function linksTo(table: TableModel): readonly Relationship[] {
  return linksInto.get(table) ?? []
}

/** Installs the relationship's accessor on its owner's rows. */
export function attach(relationship: Relationship): void {
  const { owner, name, kind, foreignKey, link, target } = relationship
  owner.addRelationship(relationship)
  if (link) linksInto.set(target, [...linksTo(target), relationship])
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

/**
 * The relationships `input` gives a new row of `table`, by relationship: its own properties named after
 * them. `create()` is `strict`: each value must be what the relationship holds. `validate()` takes a value
 * only when it holds rows: data, as a request body is, never sets a relationship and is dropped as any
 * unknown key is.
 */
export function relationshipInput(
  table: TableModel,
  input: unknown,
  strict: boolean,
): Map<Relationship, unknown> | undefined {
  if (typeof input !== 'object' || input === null) return undefined
  let found: Map<Relationship, unknown> | undefined
  for (const relationship of table.relationships.values()) {
    // An own key only: a row's relationships are accessors of its prototype, and stay its own.
    const value = Object.hasOwn(input, relationship.name)
      ? (input as Record<string, unknown>)[relationship.name]
      : undefined
    if (value === undefined) continue
    if (!strict && !(isRow(value) || (Array.isArray(value) && value.some(isRow)))) continue
    ;(found ??= new Map()).set(relationship, value)
  }
  return found
}

function isRow(value: unknown): boolean {
  return typeof value === 'object' && value !== null && isObserved(value)
}

/**
 * A new row (from `create()` or `validate()`, named by `where` in errors): its collections are loaded and
 * empty, then its relationships hold what `input` gives them, as assigning each would.
 */
export function initNewRow(
  table: TableModel,
  row: object,
  input: ReadonlyMap<Relationship, unknown> | undefined,
  where: string,
): void {
  for (const relationship of table.relationships.values()) {
    if (relationship.kind === 'many' && relationshipValue(row, relationship.name) === undefined) {
      setRelationshipValue(row, relationship.name, [])
    }
  }
  for (const [relationship, value] of input ?? []) {
    // The row's own array: pushing to it later does not change the caller's.
    const own = Array.isArray(value) ? [...value] : value
    assign(relationship, row, own, `${where}({ ${relationship.name} })`)
  }
}
