import { andThen, settled, type PromiseOrValue } from '../engine/promise-or-value.ts'
import { MultipleResultsError, NoResultError } from '../errors.ts'

/**
 * The rows of an executed query. Iterable, as SQLModel's result is (`for (const hero of result)`).
 *
 * @example
 * const result = await session.exec(select(Hero))
 * for (const hero of result) console.log(hero.id, hero.name)
 */
export class Result<T> implements Iterable<T> {
  readonly #rows: T[]
  readonly #source: string

  constructor(rows: T[], source: string) {
    this.#rows = rows
    this.#source = source
  }

  /** Every row, in a new array. */
  all(): T[] {
    return [...this.#rows]
  }

  /** The first row, or `undefined` when there is none. */
  first(): T | undefined {
    return this.#rows[0]
  }

  /**
   * The only row.
   * @throws {NoResultError} when there is none. @throws {MultipleResultsError} when there are several.
   */
  one(): T {
    if (this.#rows.length === 1) return this.#rows[0]!
    const message = `exec(...).one(): expected 1 row from "${this.#source}", got ${this.#rows.length}.`
    if (this.#rows.length === 0)
      throw new NoResultError(`${message} Use first() when no row is a valid answer.`)
    throw new MultipleResultsError(`${message} Add a where() that matches one row, or use first().`)
  }

  [Symbol.iterator](): Iterator<T> {
    return this.#rows[Symbol.iterator]()
  }
}

/**
 * A query on its way. Await it for a {@link Result}, or call `all()`, `first()` or `one()` directly:
 * `await session.exec(query).all()`.
 */
export class PendingResult<T> implements PromiseLike<Result<T>> {
  /** The result itself where the driver had it at once (node:sqlite): each method then costs one promise. */
  readonly #result: PromiseOrValue<Result<T>>

  /** @internal The Session makes it, from a result it has at once or the promise of one. */
  constructor(result: PromiseOrValue<Result<T>>) {
    this.#result = result
  }

  then<A = Result<T>, B = never>(
    onFulfilled?: ((value: Result<T>) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return Promise.resolve(this.#result).then(onFulfilled, onRejected)
  }

  /** Every row. */
  all(): Promise<T[]> {
    return settled(() => andThen(this.#result, (result) => result.all()))
  }

  /** The first row, or `undefined`. */
  first(): Promise<T | undefined> {
    return settled(() => andThen(this.#result, (result) => result.first()))
  }

  /** The only row; throws {@link NoResultError} or {@link MultipleResultsError} otherwise. */
  one(): Promise<T> {
    return settled(() => andThen(this.#result, (result) => result.one()))
  }
}
