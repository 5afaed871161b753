/**
 * Middleware (Starlette's `@app.middleware("http")`): functions that run around every request of the app,
 * its 404, 405 and error answers included. Fastify has hooks, not a call stack, so a middleware's
 * `next()` is the hook between them: it lets the request on at `onRequest`, and resolves at `onSend`, when
 * the answer's status and headers are set and its body not yet written. The `onSend` hook waits for the
 * middleware to finish before the answer goes out.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { RouteDefinitionError } from '../errors.ts'

/**
 * The answer as a middleware sees it after `next()`: its status and headers, which it may change before
 * the answer is written.
 */
export class MiddlewareResponse {
  readonly #reply: FastifyReply
  /** The answer's headers (as the Fetch API's `Headers`: `get`, `set`, `has`, `delete`). */
  readonly headers: ResponseHeaders

  constructor(reply: FastifyReply) {
    this.#reply = reply
    this.headers = new ResponseHeaders(reply)
  }

  /** The status code; setting it changes the answer's. */
  get status(): number {
    return this.#reply.statusCode
  }

  set status(code: number) {
    this.#reply.code(code)
  }
}

/** The headers of an answer not yet written, read and changed on Fastify's reply. */
export class ResponseHeaders {
  readonly #reply: FastifyReply

  constructor(reply: FastifyReply) {
    this.#reply = reply
  }

  /** The header's value, repeated values joined with `, `; `null` when absent. */
  get(name: string): string | null {
    const value = this.#reply.getHeader(name)
    if (value === undefined) return null
    return Array.isArray(value) ? value.join(', ') : String(value)
  }

  set(name: string, value: string): void {
    this.#reply.header(name, value)
  }

  has(name: string): boolean {
    return this.#reply.hasHeader(name)
  }

  delete(name: string): void {
    this.#reply.removeHeader(name)
  }
}

/**
 * A middleware: code before `next()` runs before the route, code after it once the answer is ready. An
 * error it throws is answered as a route's errors are (`{"detail"}`, or the app's exception handlers).
 *
 * @example
 * app.middleware(async function addProcessTime(request, next) {
 *   const start = performance.now()
 *   const response = await next()
 *   response.headers.set('x-process-time', String((performance.now() - start) / 1000))
 * })
 */
export type Middleware = (request: FastifyRequest, next: () => Promise<MiddlewareResponse>) => Promise<void>

/** One request's way through the middleware: the answer `next()` waits for, and the chain's end. */
interface Run {
  /** Resolves `next()` of the innermost middleware. */
  answer(response: MiddlewareResponse): void
  /** Settles when the outermost middleware has returned. */
  readonly finished: Promise<void>
}

/**
 * Runs `middleware` around every request of `instance`: the last one added is the outermost, as in
 * Starlette, so it sees the request first and the answer last.
 */
export function useMiddleware(instance: FastifyInstance, middleware: readonly Middleware[]): void {
  if (middleware.length === 0) return
  const runs = new WeakMap<FastifyRequest, Run>()

  instance.addHook('onRequest', (request, reply, done) => {
    let entered = false
    let answer!: (response: MiddlewareResponse) => void
    const answered = new Promise<MiddlewareResponse>((resolve) => (answer = resolve))
    const innermost = (): Promise<MiddlewareResponse> => {
      entered = true
      done()
      return answered
    }
    // Started a microtask later, once the run is recorded: a route that answers synchronously reaches the
    // onSend hook within innermost()'s done().
    const finished = Promise.resolve().then(() => nest(middleware, request, innermost))
    runs.set(request, { answer, finished })
    // The route never answers a request whose client left first: `next()` resolves all the same, so
    // the middleware ends instead of waiting for ever.
    reply.raw.on('close', () => runs.get(request)?.answer(new MiddlewareResponse(reply)))
    // An error before the route ran is answered now; one after it, by the onSend hook.
    finished.catch((error: unknown) => {
      if (entered) return
      runs.delete(request)
      done(error as Error)
    })
  })

  instance.addHook('onSend', async (request, reply, payload) => {
    const run = runs.get(request)
    if (!run) return payload
    // Once only: an error the middleware throws now is answered, and that answer is sent as it is.
    runs.delete(request)
    run.answer(new MiddlewareResponse(reply))
    await run.finished
    return payload
  })
}

/**
 * Calls the middleware from the last (outermost) to the first; each one's `next()` calls the one inside
 * it and resolves with the answer once that one has returned.
 */
function nest(
  middleware: readonly Middleware[],
  request: FastifyRequest,
  innermost: () => Promise<MiddlewareResponse>,
): Promise<void> {
  let next = once(innermost)
  for (const layer of middleware) {
    const inner = next
    next = once(async () => {
      let response: MiddlewareResponse | undefined
      await layer(request, async () => (response = await inner()))
      if (!response) throw new RouteDefinitionError('A middleware returned without calling next().')
      return response
    })
  }
  return next().then(() => undefined)
}

/** `call`, which a second call refuses: a request goes through the route once. */
function once<T>(call: () => Promise<T>): () => Promise<T> {
  let called = false
  return () => {
    if (called) return Promise.reject(new RouteDefinitionError('A middleware called next() twice.'))
    called = true
    return call()
  }
}
