/**
 * Graceful shutdown: what an app still has to finish when it closes. Fastify's close stops the server and
 * lets the answers in flight be sent before the app's `onClose` hook runs; what goes on after an answer
 * (background tasks, the dependencies' cleanup) is counted here, and the lifespan shutdown (the engine's
 * dispose) waits for none to be left.
 */

/**
 * The work of one app still running after its answers were sent.
 *
 * @example
 * const release = inFlight.hold()
 * response.once('close', () => void cleanup().finally(release))
 */
export class InFlight {
  #count = 0
  #idle: (() => void)[] = []

  /** The pieces of after-answer work still running. */
  get count(): number {
    return this.#count
  }

  /** Counts one more piece of work; call the function returned when it is done (twice is harmless). */
  hold(): () => void {
    this.#count++
    let released = false
    return () => {
      if (released) return
      released = true
      if (--this.#count === 0) for (const resolve of this.#idle.splice(0)) resolve()
    }
  }

  /** Resolves `true` once nothing runs, or `false` after `timeoutMs` if something still does. */
  settled(timeoutMs: number): Promise<boolean> {
    if (this.#count === 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs)
      this.#idle.push(() => {
        clearTimeout(timer)
        resolve(true)
      })
    })
  }
}
