/**
 * Which statements a server keeps prepared, for one engine: each SQL text with parameters gets a name the
 * first time it runs, the same on every connection, until `size` texts have one. Later texts run
 * unprepared, however many distinct texts an application sends (an `IN` list of each length is a text of
 * its own), so a connection holds at most `size` prepared statements, plus one for each text prepared
 * again after its table changed ({@link forget}), whose old statement stays until the connection closes.
 * The names go to the first texts to run, for the life of the engine: an application's hot statements
 * (gets, inserts and updates by key) run early and often. Statements without parameters (DDL, `BEGIN`)
 * are never prepared: they seldom repeat.
 *
 * @example
 * const prepared = new PreparedStatements(2)
 * prepared.nameOf('select * from hero where id = $1', 1) // 'om_1', and 'om_1' again next time
 */
export class PreparedStatements {
  readonly #names = new Map<string, string>()
  /** Texts the server will not prepare, which run as text without asking it again; at most `size`. */
  readonly #refused = new Set<string>()
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
    if (name !== undefined || this.#names.size >= this.#size || this.#refused.has(sql)) return name
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

  /**
   * Runs `sql` unprepared from now on, as the server will never prepare it (MySQL's `ER_UNSUPPORTED_PS`),
   * and gives its name's place to another text.
   */
  refuse(sql: string): void {
    this.#names.delete(sql)
    if (this.#refused.size < this.#size) this.#refused.add(sql)
  }
}
