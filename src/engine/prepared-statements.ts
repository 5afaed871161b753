/**
 * Which statements a server keeps prepared, for one engine: each SQL text with parameters gets a name the
 * first time it runs, the same on every connection, until `size` texts have one. Later texts run
 * unprepared, so a connection never holds more than `size` prepared statements however many distinct
 * texts an application sends (an `IN` list of each length is a text of its own). Statements without
 * parameters (DDL, `BEGIN`) are never prepared: they seldom repeat.
 *
 * @example
 * const prepared = new PreparedStatements(2)
 * prepared.nameOf('select * from hero where id = $1', 1) // 'om_1', and 'om_1' again next time
 */
export class PreparedStatements {
  readonly #names = new Map<string, string>()
  readonly #size: number

  constructor(size: number) {
    this.#size = size
  }

  /** The name `sql` is prepared under, or `undefined` when it runs unprepared. */
  nameOf(sql: string, parameterCount: number): string | undefined {
    if (parameterCount === 0) return undefined
    const name = this.#names.get(sql)
    if (name !== undefined || this.#names.size >= this.#size) return name
    const assigned = `om_${this.#names.size + 1}`
    this.#names.set(sql, assigned)
    return assigned
  }
}
