import type { AnyField } from '../model/field.ts'
import type { TableModel } from '../model/table.ts'

/**
 * A row's field values as the database last saw them, in the table's field order (the order of the
 * columns the Session selects), normalized for comparison: dates as ms, JSON as its text. What dirty
 * checking compares a row against, and what a rollback restores.
 */
export type Snapshot = readonly unknown[]

type Values = Record<string, unknown>

/** Where each field of a table sits in its snapshots, and how its values are taken, compared and restored. */
export class SnapshotLayout {
  readonly keys: readonly string[]
  readonly #fields: readonly AnyField[]
  readonly #index: ReadonlyMap<string, number>
  readonly #keyIndex: number
  /** No field is normalized: an array of the row's values in field order is its snapshot as it is. */
  readonly plain: boolean

  constructor(table: TableModel) {
    this.keys = Object.keys(table.fields)
    this.#fields = Object.values(table.fields)
    this.#index = new Map(this.keys.map((key, i) => [key, i]))
    this.#keyIndex = this.#index.get(table.primaryKey)!
    this.plain = this.#fields.every((field) => field.kind !== 'datetime' && field.kind !== 'json')
  }

  /** Where the primary key is in a snapshot, and in a row read as an array. */
  get keyIndex(): number {
    return this.#keyIndex
  }

  take(row: Values): Snapshot {
    const { keys } = this
    const out: unknown[] = new Array(keys.length)
    for (let i = 0; i < keys.length; i++) out[i] = normalize(this.#fields[i]!, row[keys[i]!])
    return out
  }

  /** The primary key in `snapshot`. */
  keyOf(snapshot: Snapshot): unknown {
    return snapshot[this.#keyIndex]
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

  /** The fields of `row` whose value differs from `snapshot`. */
  changedKeys(row: Values, snapshot: Snapshot): string[] {
    const { keys } = this
    const changed: string[] = []
    for (let i = 0; i < keys.length; i++) {
      if (!Object.is(normalize(this.#fields[i]!, row[keys[i]!]), snapshot[i])) changed.push(keys[i]!)
    }
    return changed
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
