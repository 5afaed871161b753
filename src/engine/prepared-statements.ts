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
  /** Names ever given: a forgotten text gets a new one, never a name a connection may still hold. */
  #given = 0

  constructor(size: number) {
    this.#size = size
  }

  /** The name `sql` is prepared under, or `undefined` when it runs unprepared. */
  nameOf(sql: string, parameterCount: number): string | undefined {
    if (parameterCount === 0) return undefined
    const name = this.#names.get(sql)
    if (name !== undefined || this.#names.size >= this.#size) return name
    const assigned = `om_${++this.#given}`
    this.#names.set(sql, assigned)
    return assigned
  }

  /**
   * Stops using the name of `sql`, whose prepared statement went stale (its table changed under it): the
   * next run prepares the text again under a new name, on every connection.
   */
  forget(sql: string): void {
    this.#names.delete(sql)
  }
}
