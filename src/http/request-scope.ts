/**
 * What a request holds until its answer is sent: the generators and `depends.using()` values of its
 * dependencies, and the work after the answer (background tasks, then their cleanup).
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { RouteDefinitionError } from '../errors.ts'
import { runBackgroundTasks } from './background.ts'
import type { Dependency, RequestContext } from './depends.ts'
import type { Report } from './report.ts'
import type { InFlight } from './shutdown.ts'

/**
 * The work after one request's answer: its background tasks, then its dependencies' cleanup, the code
 * after each generator's `yield` and the disposal of each `depends.using()` value, last made first.
 */
export class RequestScope {
  /**
   * What runs after the response, in the order made: each generator's rest, each resource's disposal. A
   * cleanup returns a promise when it has to be waited for.
   */
  readonly #cleanups: (() => PromiseLike<unknown> | undefined)[] = []
  readonly #request: FastifyRequest
  readonly #reply: FastifyReply
  readonly #report: Report
  /** Lets the app's graceful shutdown go on once the cleanup is done. */
  readonly #release: () => void
  #error: unknown
  #handlerDone = false
  #responseClosed = false

  constructor(request: FastifyRequest, reply: FastifyReply, report: Report, inFlight: InFlight) {
    this.#request = request
    this.#reply = reply
    this.#report = report
    this.#release = inFlight.hold()
    this.#watchResponse()
  }

  /**
   * The value of `dependency`: what it returned, or a promise of what it resolves to or yields. A value
   * returned as it is costs the request no microtask.
   */
  call(dependency: Dependency, args: unknown, context: RequestContext): unknown {
    const result = dependency.run(args as never, context)
    if (dependency.disposes) {
      return isPromiseLike(result)
        ? result.then((value) => this.#hold(dependency, value))
        : this.#hold(dependency, result)
    }
    if (!isGenerator(result)) return result
    this.#cleanups.push(() => this.#resume(result))
    return yielded(dependency, result)
  }

  /** `value`, which `dependency` made to be disposed of after the response: held for that. */
  #hold(dependency: Dependency, value: unknown): unknown {
    // A generator is disposable too (its iterator's return()), but its body would never run: it is
    // depends()'s form, a mistake here.
    if (isGenerator(value)) {
      throw new RouteDefinitionError(
        `Dependency ${dependency.name} is declared with depends.using() but returns a generator. A generator that yields its value is declared with depends(); depends.using() takes a function that returns the value itself.`,
      )
    }
    const disposal = disposalOf(value)
    if (disposal === undefined) {
      throw new RouteDefinitionError(
        `Dependency ${dependency.name} is declared with depends.using(), but its value has neither [Symbol.asyncDispose] nor [Symbol.dispose]. Return an object with one of them, or declare the dependency with depends().`,
      )
    }
    this.#cleanups.push(disposal)
    return value
  }

  /** The handler (or a dependency) is finished, with `error` when it threw. */
  finish(error?: unknown): void {
    this.#error = error
    this.#handlerDone = true
    if (this.#responseClosed) void this.#cleanup()
  }

  #watchResponse(): void {
    const raw = this.#reply.raw
    const closed = (): void => {
      this.#responseClosed = true
      if (this.#handlerDone) void this.#cleanup()
    }
    // `on`, not `once`: the response closes once, and once() would wrap and then remove the listener.
    if (raw.destroyed) closed()
    else raw.on('close', closed)
  }

  // Runs the background tasks of a handler that succeeded, then the code after each `yield` and the
  // disposal of each resource, last dependency first; an error of the handler is thrown into the
  // generators, so their `catch` and `finally` see it, as FastAPI does. On success the generator is
  // resumed (`next()`, not `return()`, which would skip the code after `yield` and run only its `finally`).
  async #cleanup(): Promise<void> {
    try {
      const tasks = this.#error === undefined ? runBackgroundTasks(this.#request, this.#report) : undefined
      if (tasks) await tasks
      await this.#runCleanups()
    } finally {
      this.#release()
    }
  }

  async #runCleanups(): Promise<void> {
    // Last made first; popping also empties the list, which setting its length does on V8's slow path.
    for (let cleanup = this.#cleanups.pop(); cleanup !== undefined; cleanup = this.#cleanups.pop()) {
      try {
        // A synchronous disposal is not awaited: it costs no microtask.
        const done = cleanup()
        if (done !== undefined) await done
      } catch (error) {
        if (error !== this.#error)
          this.#report(this.#request, 'error', 'a dependency failed in its cleanup', error)
      }
    }
  }

  async #resume(generator: AsyncGenerator | Generator): Promise<void> {
    if (this.#error !== undefined) await generator.throw(this.#error)
    else if (!(await generator.next()).done) {
      await generator.return(undefined)
      throw new RouteDefinitionError('A dependency yielded more than once; a dependency yields one value.')
    }
  }
}

/**
 * The disposal of `value`, as `await using` does it: its `[Symbol.asyncDispose]()`, else its
 * `[Symbol.dispose]()`, which is not waited for; `undefined` when it has neither.
 */
function disposalOf(value: unknown): (() => PromiseLike<void> | undefined) | undefined {
  if (!isObjectLike(value)) return undefined
  const { [Symbol.asyncDispose]: disposeAsync, [Symbol.dispose]: dispose } = value as Partial<
    AsyncDisposable & Disposable
  >
  if (typeof disposeAsync === 'function') return () => disposeAsync.call(value)
  if (typeof dispose === 'function') return () => void dispose.call(value)
  return undefined
}

/** An object or a function: what can have methods. */
function isObjectLike(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function'
}

/** The one value `generator` yields, or a promise of it: its first step, as it comes. */
function yielded(dependency: Dependency, generator: AsyncGenerator | Generator): unknown {
  const step = generator.next()
  return isPromiseLike(step)
    ? step.then((first) => yieldedValue(dependency, first))
    : yieldedValue(dependency, step)
}

/** The value of a generator's first step: one that returns without yielding is a definition error. */
function yieldedValue(dependency: Dependency, step: IteratorResult<unknown>): unknown {
  if (step.done) {
    throw new RouteDefinitionError(`Dependency ${dependency.name} returned without yielding a value.`)
  }
  return step.value
}

/** What `await` would wait for: an object or function with a `then` method. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return isObjectLike(value) && typeof (value as PromiseLike<unknown>).then === 'function'
}

function isGenerator(value: unknown): value is AsyncGenerator | Generator {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Generator).next === 'function' &&
    typeof (value as Generator).throw === 'function' &&
    (Symbol.asyncIterator in value || Symbol.iterator in value)
  )
}
