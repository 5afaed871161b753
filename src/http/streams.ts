/**
 * Answers a handler returns to send a body as it comes (Starlette's `FileResponse` and
 * `StreamingResponse`, and server-sent events): sent as they are, not through the response model, with
 * the dependencies' cleanup run after the last byte, or after the client went away.
 */
import { open } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { HTTPError } from './http-error.ts'

type Headers = Record<string, string | number>

/** A body and the headers that describe it, opened when the answer is sent. */
export interface OpenedStream {
  readonly body: Readable
  readonly headers: Headers
}

/**
 * A streamed answer, which a handler returns instead of a value: made by {@link fileResponse},
 * {@link streamResponse} or {@link eventStream}.
 *
 * @example
 * app.get('/export', {}, (): StreamedResponse => fileResponse('export.csv', { filename: 'export.csv' }))
 */
export class StreamedResponse {
  /** Opens the body (a file is opened here, and a missing one throws a 404), when the answer is sent. */
  readonly open: () => Promise<OpenedStream>

  constructor(open: () => Promise<OpenedStream>) {
    this.open = open
  }
}

/**
 * Options of {@link fileResponse}.
 *
 * @example
 * fileResponse('photo.jpg', { filename: 'photo.jpg', contentType: 'image/jpeg', disposition: 'inline' })
 */
export interface FileResponseOptions {
  /** The name the browser saves the file under (`Content-Disposition: attachment`). */
  filename?: string
  /** Default `application/octet-stream`. */
  contentType?: string
  /** `inline` lets the browser show the file instead of saving it. Default `attachment` when there is a filename. */
  disposition?: 'attachment' | 'inline'
}

/**
 * A file on disk as the answer (Starlette's `FileResponse`), with its `Content-Length` and
 * `Last-Modified`. A file that does not exist, or is not a regular file, answers 404.
 *
 * @example
 * app.get('/reports/{id}', { params: { id: path.integer() } }, ({ id }) =>
 *   fileResponse(`reports/${id}.csv`, { filename: `report-${id}.csv`, contentType: 'text/csv' }))
 */
export function fileResponse(path: string, options: FileResponseOptions = {}): StreamedResponse {
  return new StreamedResponse(async () => {
    // The file is opened before its size is read, so the size and the bytes are those of one file.
    const handle = await open(path, 'r').catch(() => HTTPError.raise(404, 'File not found'))
    const stats = await handle.stat()
    if (!stats.isFile()) {
      await handle.close()
      HTTPError.raise(404, 'File not found')
    }
    const headers: Headers = {
      'content-type': options.contentType ?? 'application/octet-stream',
      'content-length': stats.size,
      'last-modified': stats.mtime.toUTCString(),
    }
    const { filename, disposition = filename === undefined ? undefined : 'attachment' } = options
    if (disposition !== undefined) headers['content-disposition'] = contentDisposition(disposition, filename)
    return { body: handle.createReadStream(), headers }
  })
}

/**
 * `attachment; filename="report.csv"`, or RFC 6266's `filename*=utf-8''…` for a name that percent-encoding
 * changes (not ASCII, a space, a quote), as Starlette writes it.
 */
function contentDisposition(disposition: 'attachment' | 'inline', filename: string | undefined): string {
  if (filename === undefined) return disposition
  const encoded = encodeURIComponent(filename).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
  return encoded === filename
    ? `${disposition}; filename="${filename}"`
    : `${disposition}; filename*=utf-8''${encoded}`
}

/**
 * Options of {@link streamResponse}.
 *
 * @example
 * streamResponse(lines, { contentType: 'text/plain; charset=utf-8' })
 */
export interface StreamResponseOptions {
  /** Default `application/octet-stream`. */
  contentType?: string
}

/**
 * Chunks as they come as the answer (Starlette's `StreamingResponse`), each written when it is produced.
 * When the client goes away the iteration stops (the generator's `finally` runs).
 *
 * @example
 * app.get('/numbers', {}, () =>
 *   streamResponse((async function* () { for (let i = 0; i < 3; i++) yield `${i}\n` })(), { contentType: 'text/plain' }))
 */
export function streamResponse(
  chunks: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  options: StreamResponseOptions = {},
): StreamedResponse {
  return new StreamedResponse(async () => ({
    body: Readable.from(chunks, { objectMode: false }),
    headers: { 'content-type': options.contentType ?? 'application/octet-stream' },
  }))
}

/**
 * One server-sent event.
 *
 * @example
 * const event: ServerSentEvent = { event: 'hero-created', id: '42', data: { id: 42, name: 'Deadpond' } }
 */
export interface ServerSentEvent {
  /** The payload: a string is sent as it is (one `data:` line per line), anything else as JSON. */
  readonly data: unknown
  /** The event's type; the browser's `EventSource` dispatches it to the listeners of that name. */
  readonly event?: string
  /** The event's id, which a reconnecting client sends back as `Last-Event-ID`. */
  readonly id?: string
  /** How long the client waits before reconnecting, in milliseconds. */
  readonly retry?: number
}

/**
 * Server-sent events as the answer (`text/event-stream`): each event is written as soon as it is
 * produced, the iteration stops when the client goes away, and the dependencies' cleanup runs when the
 * stream ends.
 *
 * @example
 * app.get('/ticks', {}, () =>
 *   eventStream((async function* () {
 *     for (let i = 1; i <= 3; i++) yield { event: 'tick', data: { n: i }, id: String(i) }
 *   })()))
 */
export function eventStream(
  events: AsyncIterable<ServerSentEvent> | Iterable<ServerSentEvent>,
): StreamedResponse {
  return new StreamedResponse(async () => ({
    body: Readable.from(eventFrames(events), { objectMode: false }),
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      // A proxy such as nginx would otherwise hold the events back until its buffer fills.
      'x-accel-buffering': 'no',
    },
  }))
}

async function* eventFrames(
  events: AsyncIterable<ServerSentEvent> | Iterable<ServerSentEvent>,
): AsyncGenerator<string> {
  for await (const event of events) yield eventFrame(event)
}

/** `event: tick\nid: 1\ndata: {"n":1}\n\n`: the text of one event, as the EventSource format defines it. */
function eventFrame({ data, event, id, retry }: ServerSentEvent): string {
  let frame = ''
  if (event !== undefined) frame += `event: ${oneLine('event', event)}\n`
  if (id !== undefined) frame += `id: ${oneLine('id', id)}\n`
  if (retry !== undefined) frame += `retry: ${Math.max(0, Math.trunc(retry))}\n`
  const text = typeof data === 'string' ? data : JSON.stringify(data)
  for (const line of (text ?? 'null').split(/\r\n|\r|\n/)) frame += `data: ${line}\n`
  return `${frame}\n`
}

/** A field that cannot hold a line break, which would end it early and let the rest pass as other fields. */
function oneLine(field: string, value: string): string {
  if (/[\r\n\0]/.test(value)) throw new TypeError(`A server-sent event's ${field} cannot hold a line break.`)
  return value
}
