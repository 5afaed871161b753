/**
 * A resolved relationship between two table models, and what it holds on each row. A relationship is an
 * accessor on the rows' prototype; its value lives beside the row (a `WeakMap`), so rows stay plain objects
 * whose own keys are their columns.
 */
import { RelationshipNotLoadedError, SessionError } from '../errors.ts'
import type { TableModel } from './table.ts'

/**
 * A resolved relationship of one table (`Hero.relationships.get('team')`). The foreign key is always on the
 * `child` table and references a column of the `parent` table: for a `one` relationship the owner is the
 * child, for a `many` relationship the owner is the parent.
 */
export class Relationship {
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
  /** The foreign key's `onDelete`; `undefined` lets the Session set the children's key to null first. */
  readonly onDelete: 'cascade' | 'set null' | 'restrict' | undefined
  #backPopulates: Relationship | undefined

  constructor(
    name: string,
    kind: 'one' | 'many',
    owner: TableModel,
    target: TableModel,
    foreignKey: string,
    references: string,
  ) {
    this.name = name
    this.kind = kind
    this.owner = owner
    this.target = target
    this.child = kind === 'one' ? owner : target
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

  /** `Hero.team`, for messages. */
  toString(): string {
    return `${this.owner.name}.${this.name}`
  }
}

// --- Values: what a row's relationship holds ------------------------------------------------------

/** A relationship's value on one row: the current value and the value as of the last load or flush. */
export interface RelationshipSlot {
  current: unknown
  /** `NOT_LOADED` when the value was set without being loaded first. */
  flushed: unknown
}

/** The `flushed` value of a relationship that was assigned before it was ever loaded. */
export const NOT_LOADED: unique symbol = Symbol('not loaded')

const slots = new WeakMap<object, Map<string, RelationshipSlot>>()

/** The slot of `row`'s relationship `name`, when it is loaded or was set. */
export function slotOf(row: object, name: string): RelationshipSlot | undefined {
  return slots.get(row)?.get(name)
}

/** Every loaded or set relationship of `row`. */
export function slotsOf(row: object): Map<string, RelationshipSlot> | undefined {
  return slots.get(row)
}

/**
 * Children assigned to a parent whose collection is not loaded (`hero.team = team` before `team.heroes`
 * was loaded), by parent. The Session adds them when it holds the parent, as SQLAlchemy's save-update
 * cascade follows the backref's pending appends; without this the child was never inserted.
 */
const appendedUnloaded = new WeakMap<object, Set<object>>()

/** The children assigned to `parent` while its collection was not loaded, since the last flush. */
export function appendedWhileUnloaded(parent: object): ReadonlySet<object> | undefined {
  return appendedUnloaded.get(parent)
}

/** The flush has written `parent`'s children: forgets them. */
export function clearAppendedWhileUnloaded(parent: object): void {
  appendedUnloaded.delete(parent)
}

/** Records a value loaded from the database: both current and flushed. */
export function setLoaded(row: object, name: string, value: unknown): void {
  let map = slots.get(row)
  if (!map) slots.set(row, (map = new Map()))
  map.set(name, { current: value, flushed: Array.isArray(value) ? [...value] : value })
}

/** Forgets `row`'s relationship `name`: it reads as not loaded again. */
export function unload(row: object, name: string): void {
  slots.get(row)?.delete(name)
}

/** Forgets every relationship value of `row`: they read as not loaded again. */
export function unloadAll(row: object): void {
  slots.delete(row)
}

/** Sets `row`'s relationship `name` as the user does (`hero.team = team`), updating a loaded partner. */
export function assign(relationship: Relationship, row: object, value: unknown): void {
  check(relationship, value)
  let map = slots.get(row)
  if (!map) slots.set(row, (map = new Map()))
  const slot = map.get(relationship.name)
  const previous = slot?.current
  if (slot) slot.current = value
  else map.set(relationship.name, { current: value, flushed: relationship.kind === 'many' ? [] : NOT_LOADED })
  const back = relationship.backPopulates
  if (relationship.kind !== 'one' || !back || previous === value) return
  // The partner collections that are loaded follow at once, as SQLAlchemy's backref events do.
  if (previous) {
    const list = slotOf(previous as object, back.name)?.current as object[] | undefined
    const at = list?.indexOf(row) ?? -1
    if (at >= 0) list!.splice(at, 1)
    appendedUnloaded.get(previous as object)?.delete(row)
  }
  if (value) {
    const list = slotOf(value as object, back.name)?.current as object[] | undefined
    if (!list) {
      const appended = appendedUnloaded.get(value as object)
      if (appended) appended.add(row)
      else appendedUnloaded.set(value as object, new Set([row]))
    } else if (!list.includes(row)) list.push(row)
  }
}

function check(relationship: Relationship, value: unknown): void {
  const target = relationship.target
  if (relationship.kind === 'many') {
    if (!Array.isArray(value)) {
      throw new SessionError(
        'OM_ORM_NOT_A_ROW',
        `${relationship} = …: expected an array of ${target.name} rows, got ${value === null ? 'null' : typeof value}.`,
      )
    }
    return
  }
  if (value === null) return
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== target.rowPrototype) {
    throw new SessionError(
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
      const slot = slots.get(this)?.get(name)
      if (slot) return slot.current
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
    if (relationship.kind === 'many' && !slotOf(row, relationship.name)) setLoaded(row, relationship.name, [])
  }
}
