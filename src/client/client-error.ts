import { OnemodelError } from '../errors.ts'

/** How much of an error answer's body a ClientError's message quotes. */
const QUOTED_LENGTH = 200

/**
 * An answer with an error status to a typed client's call: its status, its body (the JSON, or the text),
 * and the fetch `Response`.
 *
 * @example
 * try {
 *   await client.get('/heroes/{hero_id}', { path: { hero_id: 404 } })
 * } catch (error) {
 *   if (error instanceof ClientError && error.status === 404) console.log(error.body) // { detail: 'Hero not found' }
 * }
 */
export class ClientError extends OnemodelError {
  readonly status: number
  readonly body: unknown
  readonly response: Response

  constructor(method: string, template: string, response: Response, body: unknown) {
    super('OM_CLIENT_HTTP_ERROR', `${method} ${template} answered ${response.status}: ${quote(body)}`)
    this.status = response.status
    this.body = body
    this.response = response
  }
}

/** FastAPI's `detail` when it is a string, else the start of the body's JSON. */
function quote(body: unknown): string {
  const detail = (body as { detail?: unknown } | null)?.detail
  const text = typeof detail === 'string' ? detail : typeof body === 'string' ? body : JSON.stringify(body)
  return text.length > QUOTED_LENGTH ? `${text.slice(0, QUOTED_LENGTH)}…` : text
}
