import type { AnyField } from '../model/field.ts'
import type { TableModel } from '../model/table.ts'

/**
 * A row's field values as the database last saw them, in the table's field order (the order of the
 * columns the Session selects), normalized for comparison: dates as ms, JSON as its text. What dirty
 * checking compares a row against, and what a rollback restores.
 */
export type Snapshot = readonly unknown[]

type Values = Record<string, unknown>

/**
 * Where each field of a table sits in its snapshots, and how its values are taken, compared and restored;
 * and what identifies a row, in two forms:
 * - its identity, the Session's key for it (the identity map, the rows found by a query): the key's value
 *   for a single-field key, as fast as a Map key can be; the JSON text of the key's values for a composite
 *   key, so two equal keys are one Map key;
 * - its key as statements bind it ({@link keyParams}).
 */
export class SnapshotLayout {
  readonly keys: readonly string[]
  readonly #fields: readonly AnyField[]
  readonly #index: ReadonlyMap<string, number>
  /** Where the primary key fields are in a snapshot, and in a row read as an array, in key order. */
  readonly keyIndexes: readonly number[]
  /** The first (for a single key, the only) key field's place. */
  readonly #keyIndex: number
  readonly #composite: boolean
  /** No field is normalized: an array of the row's values in field order is its snapshot as it is. */
  readonly plain: boolean
  /** Where the fields whose values change in place (a date, JSON) are, in field order. */
  readonly #inPlace: readonly number[]

  constructor(table: TableModel) {
    this.keys = Object.keys(table.fields)
    this.#fields = Object.values(table.fields)
    this.#index = new Map(this.keys.map((key, i) => [key, i]))
    this.keyIndexes = table.primaryKeys.map((key) => this.#index.get(key)!)
    this.#keyIndex = this.keyIndexes[0]!
    this.#composite = this.keyIndexes.length > 1
    this.#inPlace = this.#fields.flatMap((field, i) =>
      field.kind === 'datetime' || field.kind === 'json' ? [i] : [],
    )
    this.plain = this.#inPlace.length === 0
  }

  /** Where the (first) primary key field is in a snapshot: never null in a row read from the table. */
  get keyIndex(): number {
    return this.#keyIndex
  }

  take(row: Values): Snapshot {
    const { keys } = this
    const out: unknown[] = new Array(keys.length)
    for (let i = 0; i < keys.length; i++) out[i] = normalize(this.#fields[i]!, row[keys[i]!])
    return out
  }

  /** The identity of the row of `snapshot`, or of a row read as an array (see {@link SnapshotLayout}). */
  keyOf(snapshot: Snapshot): unknown {
    // The hottest path of reads: a single key is one array read, without keyAt's offset.
    return this.#composite ? this.keyAt(snapshot, 0) : snapshot[this.#keyIndex]
  }

  /** The identity of the row whose values start at `start` in `values` (a row of a select of several items). */
  keyAt(values: readonly unknown[], start: number): unknown {
    if (!this.#composite) return values[start + this.#keyIndex]
    return identityOf(this.keyIndexes.map((i) => values[start + i]))
  }

  /** The primary key of `snapshot` as statements bind it: its values, in key order. */
  keyParams(snapshot: Snapshot): unknown[] {
    return this.keyIndexes.map((i) => snapshot[i])
  }

  /** The primary key of `row` as statements bind it: the values of its key fields, in key order. */
  keyParamsOfRow(row: Values): unknown[] {
    return this.keyIndexes.map((i) => row[this.keys[i]!])
  }

  /** The identity of the key whose values, in key order, are `params`. */
  identityOfParams(params: readonly unknown[]): unknown {
    return this.#composite ? identityOf(params) : params[0]
  }

  /** The value of field `key` in `snapshot`. */
  valueOf(snapshot: Snapshot, key: string): unknown {
    return snapshot[this.#index.get(key)!]
  }

  /** A copy of `snapshot` with field `key` set to `value`. */
  with(snapshot: Snapshot, key: string, value: unknown): Snapshot {
    const copy = [...snapshot]
    copy[this.#index.get(key)!] = value
    return copy
  }

  /** A copy of `snapshot` with the values of the fields `keys` taken from `row`: what an UPDATE of them leaves. */
  updated(snapshot: Snapshot, row: Values, keys: readonly string[]): Snapshot {
    const copy = [...snapshot]
    for (const key of keys) {
      const i = this.#index.get(key)!
      copy[i] = normalize(this.#fields[i]!, row[key])
    }
    return copy
  }

  /** The fields of `row` whose value differs from `snapshot`. */
  changedKeys(row: Values, snapshot: Snapshot): string[] {
    const changed: string[] = []
    for (let i = 0; i < this.keys.length; i++) this.#compare(row, snapshot, i, changed)
    return changed
  }

  /**
   * The fields of `row` whose value differs from `snapshot` among those that change in place (a date,
   * JSON): what can change unseen in a row whose writes are observed.
   */
  changedInPlace(row: Values, snapshot: Snapshot): string[] {
    const changed: string[] = []
    for (const i of this.#inPlace) this.#compare(row, snapshot, i, changed)
    return changed
  }

  #compare(row: Values, snapshot: Snapshot, i: number, changed: string[]): void {
    const key = this.keys[i]!
    if (!Object.is(normalize(this.#fields[i]!, row[key]), snapshot[i])) changed.push(key)
  }

  /** Puts the snapshot's values back on `row`. */
  restore(row: Values, snapshot: Snapshot): void {
    const { keys } = this
    for (let i = 0; i < keys.length; i++) row[keys[i]!] = denormalize(this.#fields[i]!, snapshot[i])
  }
}

const layouts = new WeakMap<TableModel, SnapshotLayout>()

/** The snapshot layout of `table`, made on first use. */
export function layoutOf(table: TableModel): SnapshotLayout {
  let layout = layouts.get(table)
  if (!layout) layouts.set(table, (layout = new SnapshotLayout(table)))
  return layout
}

/** A composite key's identity: the JSON text of its values, a date as its time (as in snapshots). */
function identityOf(values: readonly unknown[]): string {
  return JSON.stringify(
    values.map((value) =>
      value instanceof Date ? value.getTime() : typeof value === 'bigint' ? String(value) : value,
    ),
  )
}

// Dates compare by time and JSON by its text, so an in-place change of a JSON value is seen.
function normalize(field: AnyField, value: unknown): unknown {
  if (value instanceof Date) return value.getTime()
  if (field.kind === 'json' && value !== null && value !== undefined) return JSON.stringify(value)
  return value
}

function denormalize(field: AnyField, value: unknown): unknown {
  if (value === null || value === undefined) return value
  if (field.kind === 'datetime') return new Date(value as number)
  if (field.kind === 'json') return JSON.parse(value as string)
  return value
}
