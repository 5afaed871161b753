import type { TableModel } from '../model/table.ts'

/**
 * A Session's rows by table and primary key: two reads of one key give one object, and a read of a key
 * the Session holds needs no query. A key is a row's identity as `SnapshotLayout.keyOf` gives it: the
 * value of a single-field key, the text of a composite key's values.
 *
 * @example
 * const identity = new IdentityMap()
 * identity.set(Hero, 1, hero)
 * identity.get(Hero, 1) === hero // true
 */
export class IdentityMap {
  readonly #tables = new Map<TableModel, Map<unknown, object>>()

  /** The row of `table` with primary key `key`, when the Session holds it. */
  get(table: TableModel, key: unknown): object | undefined {
    return this.#tables.get(table)?.get(key)
  }

  set(table: TableModel, key: unknown, row: object): void {
    this.of(table).set(key, row)
  }

  /**
   * The rows of `table` by key, for a caller that looks up many keys of one table: it finds the table once.
   * Valid until {@link clear}.
   */
  of(table: TableModel): ReadonlyMap<unknown, object> & Map<unknown, object> {
    let byKey = this.#tables.get(table)
    if (!byKey) this.#tables.set(table, (byKey = new Map()))
    return byKey
  }

  /** Forgets `key`; with `row`, only while the key still names that row. */
  delete(table: TableModel, key: unknown, row?: object): void {
    const byKey = this.#tables.get(table)
    if (byKey && (row === undefined || byKey.get(key) === row)) byKey.delete(key)
  }

  /** Every row of `table` the Session holds. */
  rowsOf(table: TableModel): Iterable<object> {
    return this.#tables.get(table)?.values() ?? []
  }

  clear(): void {
    if (this.#tables.size > 0) this.#tables.clear()
  }
}
