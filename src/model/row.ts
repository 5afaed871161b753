import { inspect, types, type InspectOptionsStylized } from 'node:util'

/**
 * Told of the writes to one row, so a layer that keeps rows (the ORM) learns what changed without
 * comparing every row it holds. The model layer only calls it; what it does is the observer's.
 *
 * @example
 * setObserver(hero, { assigned: (key) => console.log(`${String(key)} changed`), linked() {} })
 * hero.age = 31 // age changed
 */
export interface RowObserver {
  /** A field or relationship of the row was assigned, defined or deleted. */
  assigned(key: string | symbol): void
  /** `child` now refers to the row through the partner of its collection `name`, which it does not hold. */
  linked(name: string, child: object): void
}

/**
 * The class every model's rows are instances of. Its private slots hold what a row carries besides its
 * fields: the fields its validated input left unset (for `dump({ excludeUnset })`) and the observer of its
 * writes. Private fields are invisible to JSON, spreads, `Object.keys` and `assert.deepEqual`, and cost
 * far less per row than `WeakMap` entries.
 *
 * A table's rows are observed: each is a `Proxy` over a row of this class with only write traps, so
 * reads go to the row's fields untouched and the row stays a plain object to its users. The slots live
 * on the proxied row; {@link Row.holder} reaches them from the proxy.
 */
class Row {
  #unset: readonly string[] | undefined = undefined
  #observer: RowObserver | undefined = undefined
  /** The observed row over this one, if any: the `set` trap tells writes to it from writes to heirs. */
  #proxy: Row | undefined = undefined

  static unsetOf(row: object): readonly string[] | undefined {
    const holder = Row.holder(row)
    return holder && holder.#unset
  }

  static setUnset(row: object, keys: readonly string[]): void {
    const holder = Row.holder(row)
    if (holder) holder.#unset = keys
  }

  static observerOf(row: object): RowObserver | undefined {
    const holder = Row.holder(row)
    return holder && holder.#observer
  }

  static setObserver(row: object, observer: RowObserver | undefined): void {
    const holder = Row.holder(row)
    if (holder) holder.#observer = observer
  }

  /** An observed row over `row`, which from now on is only reached through it. */
  static observe(row: Row): Row {
    const proxy = new Proxy(row, observing)
    row.#proxy = proxy
    return proxy
  }

  /** `receiver` is the observed row over `target`, not an object that inherits from it. */
  static isProxyOf(target: Row, receiver: unknown): boolean {
    return target.#proxy === receiver
  }

  /** Tells the observer of the row whose proxied row is `target`. */
  static assigned(target: object, key: string | symbol): void {
    if (#observer in target) target.#observer?.assigned(key)
  }

  static observed(row: object): boolean {
    return types.isProxy(row) && row instanceof Row
  }

  /**
   * The object that holds `row`'s private slots: the row itself, or, for an observed row, the row behind
   * the proxy, which the proxy's `set` trap hands over for {@link REACH} (a proxy without a `get` trap
   * has no other way to it). `undefined` for an object that is not a row.
   */
  static holder(row: object): Row | undefined {
    if (#unset in row) return row
    if (!Row.observed(row)) return undefined
    reached = undefined
    Reflect.set(row, REACH, undefined)
    return reached
  }
}

/** The key the proxy of an observed row answers by handing over its target (see {@link Row.holder}). */
const REACH = Symbol('row holder')
let reached: Row | undefined

/**
 * The traps of an observed row: writes only. A write to a field already on the row goes straight to it;
 * anything else (a new key, a relationship's setter on the prototype) is done by `Reflect.set` with the
 * proxy as receiver, so setters see the proxy as `this`.
 */
const observing: ProxyHandler<Row> = {
  set(target, key, value, receiver) {
    if (key === REACH) {
      reached = target
      return true
    }
    // A write to an object that inherits from the row (`Object.create(row)`) is that object's own.
    if (!Row.isProxyOf(target, receiver)) return Reflect.set(target, key, value, receiver)
    if (Object.hasOwn(target, key)) (target as unknown as Record<string | symbol, unknown>)[key] = value
    else if (!Reflect.set(target, key, value, receiver)) return false
    Row.assigned(target, key)
    return true
  },
  defineProperty(target, key, descriptor) {
    if (!Reflect.defineProperty(target, key, descriptor)) return false
    Row.assigned(target, key)
    return true
  },
  deleteProperty(target, key) {
    if (!Reflect.deleteProperty(target, key)) return false
    Row.assigned(target, key)
    return true
  },
}

/** The fields the validated input of `row` did not set, or `undefined` when it was not validated. */
export const unsetFields: (row: object) => readonly string[] | undefined = Row.unsetOf

/** Records the fields the validated input of `row` did not set. */
export const setUnsetFields: (row: object, keys: readonly string[]) => void = Row.setUnset

/** The observer of `row`'s writes, or `undefined`. */
export const observerOf: (row: object) => RowObserver | undefined = Row.observerOf

/** Sets (or, with `undefined`, clears) the observer of `row`'s writes. */
export const setObserver: (row: object, observer: RowObserver | undefined) => void = Row.setObserver

/** `row` is an observed row: its writes reach its observer. */
export const isObserved: (row: object) => boolean = Row.observed

/**
 * An observed row over `row`, a new row of a table whose fields are set: from now on, only the returned
 * object is the row.
 *
 * @example
 * const row = observe(filled) // reads as filled does; writes reach observerOf(row)
 */
export function observe<T extends object>(row: T): T {
  // A row of this module's Row class, which is all the traps need of `row`.
  return Row.observe(row as object as Row) as object as T
}

/**
 * A class named after the model, so rows print on one line as `Hero { id: 1, name: 'Deadpond', … }` and
 * are created by a constructor (V8 then gives them a fixed shape).
 */
export function rowClassNamed(name: string): new () => object {
  const RowClass = { [name]: class extends Row {} }[name]!
  Object.defineProperty(RowClass.prototype, inspect.custom, {
    value(this: object, _depth: number, options: InspectOptionsStylized, show: typeof inspect): string {
      return `${name} ${show({ ...this }, { ...options, breakLength: Infinity })}`
    },
  })
  return RowClass
}
