/**
 * HTTP/1.1 over a bare TCP socket, for requests fetch refuses or normalises: malformed request lines, bad
 * percent-encoding, oversized headers, contradictory framing. The answer is parsed here (status line,
 * headers, a body framed by content-length, chunked encoding or the connection's end), and every wait is
 * bounded so that a server that never answers fails the test instead of hanging it. `rawRequest` reads one
 * answer; `exchange` writes a request in parts and keeps every byte until the server closes, for pipelining
 * and timeouts.
 */
import { connect } from 'node:net'

/** An HTTP answer: status, headers (names lower-cased, repeated ones joined with `, `) and body text. */
export interface RawAnswer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * Sends `request` as is to the server at `base` (`http://127.0.0.1:1234`) and reads one final answer,
 * skipping interim `1xx` ones. Resolves `undefined` when the server closes the connection without
 * answering; rejects when nothing complete arrives within `timeoutMs`.
 *
 * @example
 * const answer = await rawRequest(base, 'GET /heroes/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n')
 * // { status: 400, headers: { 'content-type': 'application/json; charset=utf-8', … }, body: '{"detail":…}' }
 */
export function rawRequest(
  base: string,
  request: string | Uint8Array,
  timeoutMs = 5000,
): Promise<RawAnswer | undefined> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) })
    let received = Buffer.alloc(0)
    let settled = false
    const finish = (outcome: () => void): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      outcome()
    }
    const timer = setTimeout(
      () => finish(() => reject(new Error(`no complete answer within ${timeoutMs} ms`))),
      timeoutMs,
    )
    /** Settles with the answer once it is complete; at the end, whatever arrived (nothing: `undefined`). */
    const read = (end: boolean): void => {
      try {
        const answer = received.length === 0 && end ? undefined : parseAnswer(received, end)
        if (answer || end) finish(() => resolve(answer))
      } catch (error) {
        finish(() => reject(error))
      }
    }
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      read(false)
    })
    // A server that answers and closes may reset the connection while the rest of the request is still
    // being written (an oversized header, say): what arrived before the reset is the answer.
    const ended = (): void => read(true)
    socket.on('end', ended)
    socket.on('error', ended)
    socket.on('close', ended)
    socket.write(request)
  })
}

/**
 * The final answer in `data`, or `undefined` while it is incomplete. At the connection's `end`, a body
 * without framing runs to the end, and an incomplete answer is an error.
 */
function parseAnswer(data: Buffer, end: boolean): RawAnswer | undefined {
  let start = 0
  for (;;) {
    const headEnd = data.indexOf('\r\n\r\n', start)
    if (headEnd < 0) return incomplete(end, data)
    const [statusLine = '', ...lines] = data.subarray(start, headEnd).toString('latin1').split('\r\n')
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1])
    if (Number.isNaN(status)) throw new Error(`not an HTTP answer: ${JSON.stringify(statusLine)}`)
    const headers: Record<string, string> = {}
    for (const line of lines) {
      const colon = line.indexOf(':')
      const name = line.slice(0, colon).trim().toLowerCase()
      const value = line.slice(colon + 1).trim()
      headers[name] = Object.hasOwn(headers, name) ? `${headers[name]}, ${value}` : value
    }
    start = headEnd + 4
    if (status < 200) continue
    const body = framedBody(data.subarray(start), headers, end)
    return body === undefined ? incomplete(end, data) : { status, headers, body: body.toString('utf8') }
  }
}

function incomplete(end: boolean, data: Buffer): undefined {
  if (end) throw new Error(`the connection closed mid-answer: ${JSON.stringify(data.toString('latin1'))}`)
  return undefined
}

function framedBody(rest: Buffer, headers: Record<string, string>, end: boolean): Buffer | undefined {
  if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) return dechunk(rest)
  const length = headers['content-length']
  if (length !== undefined)
    return rest.length >= Number(length) ? rest.subarray(0, Number(length)) : undefined
  return end ? rest : undefined
}

/** The body of a chunked encoding, or `undefined` before its last chunk. */
function dechunk(rest: Buffer): Buffer | undefined {
  const chunks: Buffer[] = []
  let at = 0
  for (;;) {
    const lineEnd = rest.indexOf('\r\n', at)
    if (lineEnd < 0) return undefined
    const size = Number.parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16)
    if (size === 0) return Buffer.concat(chunks)
    const dataStart = lineEnd + 2
    if (rest.length < dataStart + size + 2) return undefined
    chunks.push(rest.subarray(dataStart, dataStart + size))
    at = dataStart + size + 2
  }
}

/** One HTTP/1.1 response as read off the wire. */
export interface RawResponse {
  status: number
  /** Header names lower-cased. */
  headers: Record<string, string>
  body: string
}

/**
 * Writes `parts` to a new connection to `port`, `delay` ms apart, and returns every byte the server sent
 * until it closed the connection (or `timeout` ms passed).
 */
export function exchange(port: number, parts: string[], delay = 0, timeout = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    const timer = setTimeout(() => {
      socket.destroy()
      resolve(received)
    }, timeout)
    socket.setEncoding('utf8')
    socket.on('data', (data: string) => (received += data))
    socket.on('close', () => {
      clearTimeout(timer)
      resolve(received)
    })
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close while a part is still on its way; what it answered before counts.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') return
      clearTimeout(timer)
      reject(error)
    })
    socket.on('connect', async () => {
      for (const part of parts) {
        if (socket.destroyed) break
        socket.write(part)
        if (delay > 0) await new Promise((r) => setTimeout(r, delay))
      }
    })
  })
}

/** Splits raw HTTP/1.1 text into its responses (Content-Length bodies only). */
export function responsesIn(text: string): RawResponse[] {
  const out: RawResponse[] = []
  let rest = text
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n')
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n')
    const headers = Object.fromEntries(
      lines.map((line) => [
        line.slice(0, line.indexOf(':')).toLowerCase(),
        line.slice(line.indexOf(':') + 1).trim(),
      ]),
    )
    const length = Number(headers['content-length'] ?? 0)
    out.push({
      status: Number(statusLine!.split(' ')[1]),
      headers,
      body: rest.slice(end + 4, end + 4 + length),
    })
    rest = rest.slice(end + 4 + length)
  }
  return out
}
