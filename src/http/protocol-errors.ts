/**
 * The answers to requests that fail before any route runs, in the app's one error shape `{"detail": "…"}`:
 * a URL Fastify's router cannot decode, a request node:http cannot parse or that arrives too slowly, and an
 * `Expect` header the server cannot meet. Fastify and node:http each have a hook for these, and would
 * otherwise answer with bodies of their own shapes, some repeating the whole URL. No answer here repeats
 * anything the client sent.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'

/** Why the router refused a URL, by Fastify's error code; any other code keeps its status and text. */
const FRAMEWORK_DETAILS: Readonly<Record<string, string>> = {
  FST_ERR_BAD_URL: 'Bad Request: the URL path is not valid percent-encoded UTF-8',
  FST_ERR_MAX_PARAM_LENGTH: 'URI Too Long: a path parameter is longer than the server accepts',
}

/**
 * Fastify's `frameworkErrors` option: the router could not match the URL (a malformed percent-encoding is
 * `FST_ERR_BAD_URL`, 400; a path parameter over `maxParamLength` is `FST_ERR_MAX_PARAM_LENGTH`, 414).
 * Fastify's own answers repeat the URL, which may be kilobytes long.
 *
 * @example
 * Fastify({ frameworkErrors: answerFrameworkError })
 */
export function answerFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const status = error.statusCode ?? 500
  const detail = FRAMEWORK_DETAILS[error.code] ?? STATUS_CODES[status] ?? 'Error'
  void reply.code(status).send({ detail })
}

/** The status and detail of a request node:http refused, by its error code. */
function clientErrorAnswer(code: string): { status: number; detail: string } {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, detail: 'Request Timeout: the request did not arrive in time' }
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        detail: 'Request Header Fields Too Large: the request line or headers exceed the server limit',
      }
    default:
      // Every other llhttp error (HPE_*) is a request that is not valid HTTP/1.1.
      return { status: 400, detail: 'Bad Request: the request is not valid HTTP/1.1' }
  }
}

/**
 * Fastify's `clientErrorHandler` option, node:http's `clientError` event: the request could not be parsed
 * (a malformed request line or header), its headers are too large (431), or it did not arrive within the
 * server's timeouts (408). No request object exists, so the answer is written to the socket as raw
 * HTTP/1.1, and the connection closes: the parser cannot find where the next request would start.
 *
 * @example
 * Fastify({ clientErrorHandler: answerClientError })
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody to answer (as Fastify's and node's own handlers do).
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  const { status, detail } = clientErrorAnswer(error.code ?? '')
  answerOnSocket(socket, status, detail)
}

/** Writes a `{"detail"}` answer as raw HTTP/1.1 and closes the connection once it is flushed. */
function answerOnSocket(socket: Duplex, status: number, detail: string): void {
  const body = JSON.stringify({ detail })
  const answer =
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  // Closed once the answer is flushed, whether or not the client closes its side.
  socket.end(answer, () => socket.destroy())
}

/**
 * node:http's `connect` event: a `CONNECT` request (a proxy tunnel), which node:http hands to this event
 * instead of the routes, and without a listener closes the connection unanswered.
 *
 * @example
 * server.on('connect', answerConnect)
 */
export function answerConnect(_request: IncomingMessage, socket: Duplex): void {
  answerOnSocket(socket, 405, 'Method Not Allowed: this server is not a proxy')
}

const MISSING_HOST = { detail: 'Bad Request: an HTTP/1.1 request needs a Host header' }

/**
 * An `onRequest` hook for a server made with node:http's `requireHostHeader: false`: an HTTP/1.1 request
 * without `Host` answers 400 `{"detail"}`, where node:http would answer it with an empty body.
 *
 * @example
 * Fastify({ http: { requireHostHeader: false } }).addHook('onRequest', requireHost)
 */
export function requireHost(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (request.headers.host === undefined && request.raw.httpVersion === '1.1') {
    void reply.code(400).header('connection', 'close').send(MISSING_HOST)
    return
  }
  done()
}

const EXPECTATION_FAILED = JSON.stringify({
  detail: 'Expectation Failed: the only expectation the server meets is "Expect: 100-continue"',
})

/**
 * node:http's `checkExpectation` event: a request whose `Expect` header is not `100-continue`, which
 * node:http would answer 417 with an empty body. The connection closes, since the client may or may not
 * send the body it announced.
 *
 * @example
 * server.on('checkExpectation', answerExpectationFailed)
 */
export function answerExpectationFailed(_request: IncomingMessage, response: ServerResponse): void {
  response
    .writeHead(417, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(EXPECTATION_FAILED),
      connection: 'close',
    })
    .end(EXPECTATION_FAILED)
}
