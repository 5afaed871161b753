/**
 * Graceful shutdown: what an app still has to finish when it closes. A request counts from its arrival
 * until its answer has been sent and the work after it (background tasks, the dependencies' cleanup) is
 * done; the lifespan shutdown (the engine's dispose) waits for none to be left.
 */
import type { FastifyRequest } from 'fastify'
import type { ServerResponse } from 'node:http'

const appOf = new WeakMap<FastifyRequest, InFlight>()

/** The requests of one app still running, with the work after their answers. */
export class InFlight {
  #count = 0
  #idle: (() => void)[] = []

  /** The number of requests and pieces of after-answer work still running. */
  get count(): number {
    return this.#count
  }

  /** Counts `request` until its response closes (an `onRequest` hook calls it). */
  track(request: FastifyRequest, response: ServerResponse): void {
    appOf.set(request, this)
    response.on('close', this.hold())
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

/**
 * Holds the shutdown of the app serving `request` until the function returned is called: for work that
 * goes on after the answer. A request no app tracks holds nothing.
 *
 * @example
 * const release = holdShutdown(request)
 * response.once('close', () => void cleanup().finally(release))
 */
export function holdShutdown(request: FastifyRequest): () => void {
  return appOf.get(request)?.hold() ?? (() => {})
}
