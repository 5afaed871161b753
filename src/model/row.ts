import { inspect, type InspectOptionsStylized } from 'node:util'

/**
 * The class every model's rows are instances of. Its private slots hold what a row carries besides its
 * fields: the fields its validated input left unset (for `dump({ excludeUnset })`), the Session that
 * holds it (a row is in one open Session at a time), and what the database last committed for it, written by the Session, so a row moves from one Session to the next (a
 * Session per request) and is updated there, not inserted again. Private fields are invisible to JSON,
 * spreads, `Object.keys` and `assert.deepEqual`, and cost far less per row than `WeakMap` entries.
 */
class Row {
  #unset: readonly string[] | undefined = undefined
  #persisted: unknown = undefined
  #session: unknown = undefined

  static unsetOf(row: object): readonly string[] | undefined {
    return #unset in row ? row.#unset : undefined
  }

  static setUnset(row: object, keys: readonly string[]): void {
    if (#unset in row) row.#unset = keys
  }

  static persistedOf(row: object): unknown {
    return #persisted in row ? row.#persisted : undefined
  }

  static setPersisted(row: object, state: unknown): void {
    if (#persisted in row) row.#persisted = state
  }

  static sessionOf(row: object): unknown {
    return #session in row ? row.#session : undefined
  }

  static setSession(row: object, session: unknown): void {
    if (#session in row) row.#session = session
  }
}

/** The fields the validated input of `row` did not set, or `undefined` when it was not validated. */
export const unsetFields: (row: object) => readonly string[] | undefined = Row.unsetOf

/** Records the fields the validated input of `row` did not set. */
export const setUnsetFields: (row: object, keys: readonly string[]) => void = Row.setUnset

/** What {@link setPersistedState} last stored for a row, or `undefined`. */
export const persistedState: (row: object) => unknown = Row.persistedOf

/** Stores the state the database last committed for a row (the ORM's snapshot); `undefined` clears it. */
export const setPersistedState: (row: object, state: unknown) => void = Row.setPersisted

/** The Session that last took `row` in, or `undefined`; whether it still holds the row is the Session's to say. */
export const sessionOfRow: (row: object) => unknown = Row.sessionOf

/** Records the Session that takes `row` in. */
export const setSessionOfRow: (row: object, session: unknown) => void = Row.setSession

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
