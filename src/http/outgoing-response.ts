/**
 * What a handler or a dependency adds to a successful answer (FastAPI's `Response` parameter): headers,
 * cookies and its own status, written on the reply just before the body.
 */
import { stringifySetCookie, type SerializeOptions } from 'cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { RequestContext } from './depends.ts'

/**
 * The attributes of a cookie set with {@link OutgoingResponse.setCookie}: `maxAge`, `httpOnly`, `secure`, …
 *
 * @example
 * const options: CookieOptions = { httpOnly: true, secure: true, sameSite: 'strict', maxAge: 3600 }
 */
export type CookieOptions = Omit<SerializeOptions, 'encode'>

/**
 * The answer being made, as a handler's `context.response`. What it holds is sent with the handler's
 * result, or with a stream; an error answer (an `HTTPError`, a 422) drops it, as FastAPI does.
 *
 * @example
 * app.post('/login', { params: { form: body(Login) } }, ({ form }, { response }) => {
 *   response.headers.set('x-request-kind', 'login')
 *   response.setCookie('session', sessionFor(form), { httpOnly: true, maxAge: 3600 })
 *   response.status = 201
 *   return { ok: true }
 * })
 */
export class OutgoingResponse {
  /** Headers added to the answer. */
  readonly headers: Headers = new Headers()
  /** The status of the answer; when unset, the route's `status` (default 200). */
  status: number | undefined
  readonly #cookies: string[] = []

  /**
   * Adds a `Set-Cookie` header, serialized by the `cookie` package. Defaults as Starlette's: `path: '/'`
   * and `sameSite: 'lax'`.
   */
  setCookie(name: string, value: string, options: CookieOptions = {}): void {
    this.#cookies.push(stringifySetCookie(name, value, { path: '/', sameSite: 'lax', ...options }))
  }

  /** Tells the client to forget a cookie: an empty value that expired already. Give the cookie's `path` and `domain`. */
  deleteCookie(
    name: string,
    options: Pick<CookieOptions, 'path' | 'domain' | 'secure' | 'httpOnly'> = {},
  ): void {
    this.setCookie(name, '', { ...options, maxAge: 0, expires: new Date(0) })
  }

  /** Writes the headers and cookies on `reply`. */
  applyTo(reply: FastifyReply): void {
    for (const [name, value] of this.headers) reply.header(name, value)
    for (const cookie of this.#cookies) reply.header('set-cookie', cookie)
  }
}

/** The context of one request; its {@link OutgoingResponse} is made on first use, so a route that sets nothing pays nothing. */
export class HandlerContext implements RequestContext {
  readonly request: FastifyRequest
  readonly reply: FastifyReply
  #response: OutgoingResponse | undefined

  constructor(request: FastifyRequest, reply: FastifyReply) {
    this.request = request
    this.reply = reply
  }

  get response(): OutgoingResponse {
    return (this.#response ??= new OutgoingResponse())
  }

  /** The status the handler chose, if any. */
  get chosenStatus(): number | undefined {
    return this.#response?.status
  }

  /** Writes the headers and cookies the handler set on the reply. */
  applyOutgoing(): void {
    this.#response?.applyTo(this.reply)
  }
}
