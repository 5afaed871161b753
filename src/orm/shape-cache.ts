/**
 * What a statement cache keyed by shape needs: the shape is what a statement's SQL depends on, its values
 * are bound per run. Selects (query-statements.ts) and inserts (insert-rows.ts) are compiled once per shape.
 */
import type { CompiledQuery } from 'kysely'
import type { Engine } from '../engine/engine.ts'
import { sameValues } from './statements.ts'

/** Shapes kept per cache: an `in` list or a VALUES list makes one shape per length, so it must be bounded. */
const MAX_SHAPES = 1000

/**
 * Entries by shape, at most 1000, the oldest dropped first.
 *
 * @example
 * const templates = new ShapeCache<CompiledQuery>()
 * templates.set('hero(name,secret_name) ??', compiled)
 */
export class ShapeCache<T> {
  readonly #entries = new Map<string, T>()

  get(shape: string): T | undefined {
    return this.#entries.get(shape)
  }

  set(shape: string, entry: T): void {
    if (this.#entries.size >= MAX_SHAPES) this.#entries.delete(this.#entries.keys().next().value!)
    this.#entries.set(shape, entry)
  }
}

/**
 * `compiled` binds `values`, in their order: what caching it by shape relies on, as the values of the next
 * statement of the shape are bound in the order the shape was made. Checked once per shape; a shape where
 * the two differ (a plugin that adds values, say) is not cached, and binds what Kysely compiled.
 */
export function bindsInOrder(compiled: CompiledQuery, values: readonly unknown[]): boolean {
  return sameValues(compiled.parameters, values)
}

/**
 * One `T` per engine, made by `make` on first use and dropped with the engine.
 *
 * @example
 * const queriesFor = perEngine((engine) => new QueryStatements(engine))
 */
export function perEngine<T>(make: (engine: Engine) => T): (engine: Engine) => T {
  const cache = new WeakMap<Engine, T>()
  return (engine) => {
    let value = cache.get(engine)
    if (value === undefined) cache.set(engine, (value = make(engine)))
    return value
  }
}
