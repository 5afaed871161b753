import { types } from 'node:util'

/**
 * A value a synchronous driver (node:sqlite) has at once, or the promise of an asynchronous one's. The
 * Session's read path passes these along, so a SQLite read costs no promise until the one its caller
 * awaits: each `async` step would cost one or two promises and a microtask a statement, which is a good part
 * of what a request spends above the statement itself. graphql-js resolves its fields the same way.
 *
 * @example
 * const count: PromiseOrValue<number> = andThen(scope.run<unknown[]>(statement), ({ rows }) => rows.length)
 */
export type PromiseOrValue<T> = T | Promise<T>

/**
 * `value` is a promise. `types.isPromise` rather than `instanceof Promise`: the values passed along are
 * often rows, and a tracked row is a `Proxy`, on which `instanceof` leaves V8's fast path (~47 ns against
 * ~9 ns; on other values the two cost about the same).
 *
 * @example
 * isPromise(executor.runNow(statement)) // false on SQLite, true on PostgreSQL and MySQL
 */
export function isPromise<T>(value: PromiseOrValue<T>): value is Promise<T> {
  return types.isPromise(value)
}

/**
 * `next` of `value`: at once when it is a value, after it resolves when it is a promise. A throw of `next`
 * on a value is a throw, so the public method that began the chain turns it into a rejection
 * ({@link settled}).
 *
 * @example
 * andThen(executor.runNow<unknown[]>(statement), ({ rows }) => rows.length) // 1, or a promise of it
 */
export function andThen<T, U>(
  value: PromiseOrValue<T>,
  next: (value: T) => PromiseOrValue<U>,
): PromiseOrValue<U> {
  return isPromise(value) ? value.then(next) : next(value)
}

/**
 * What `run` gives, a value or a promise, with a throw turned into a rejected promise, as an `async`
 * function would: for a chain that hands on its value but must not throw at its caller.
 *
 * @example
 * return new PendingResult(attempt(() => this.#select(query, params))) // a value on SQLite, or a promise
 */
export function attempt<T>(run: () => PromiseOrValue<T>): PromiseOrValue<T> {
  try {
    return run()
  } catch (error) {
    return Promise.reject(error)
  }
}

/**
 * What `run` gives, as a promise: a rejected one for what it throws ({@link attempt}) and a resolved one
 * for a value. A public method that runs a chain of {@link andThen}s ends with it.
 *
 * @example
 * first(): Promise<T | undefined> { return settled(() => andThen(this.#result, (result) => result.first())) }
 */
export function settled<T>(run: () => PromiseOrValue<T>): Promise<T> {
  const value = attempt(run)
  return isPromise(value) ? value : Promise.resolve(value)
}
