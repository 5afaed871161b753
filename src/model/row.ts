import { inspect, type InspectOptionsStylized } from 'node:util'

/**
 * The class every model's rows are instances of. Its one private slot holds what the database last
 * committed for the row, written by the Session: a row then moves from one Session to the next (a Session
 * per request) and is updated there, not inserted again. A private field is invisible to JSON, spreads,
 * `Object.keys` and `assert.deepEqual`, and costs far less per row than a `WeakMap` entry.
 */
class Row {
  #persisted: unknown = undefined

  static persistedOf(row: object): unknown {
    return #persisted in row ? row.#persisted : undefined
  }

  static setPersisted(row: object, state: unknown): void {
    if (#persisted in row) row.#persisted = state
  }
}

/** What {@link setPersistedState} last stored for a row, or `undefined`. */
export const persistedState: (row: object) => unknown = Row.persistedOf

/** Stores the state the database last committed for a row (the ORM's snapshot); `undefined` clears it. */
export const setPersistedState: (row: object, state: unknown) => void = Row.setPersisted

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
