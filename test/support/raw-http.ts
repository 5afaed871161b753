/**
 * HTTP/1.1 over a plain TCP socket, for requests no client would send (malformed request lines, huge URLs,
 * bad percent-encoding): fetch and node:http normalise or refuse them before they leave.
 */
import { connect } from 'node:net'

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
