/**
 * The HTTP side both raw ceilings share: node:http, hand-written routing, validation and JSON, over a
 * {@link HeroStore} that runs the SQL. The answers are those of onemodel's Heroes API, byte for byte, and
 * nothing else is done. Env: PORT (8000), HOST (127.0.0.1).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'

export interface Hero {
  id: number
  name: string
  age: number | null
}

export interface NewHero {
  name: string
  age: number | null
  secret_name: string
}

/** The columns a PATCH sets, always in the order name, secret_name, age, and their values. */
export interface HeroChanges {
  columns: ('name' | 'secret_name' | 'age')[]
  values: (string | number | null)[]
}

/** The statements of the API, prepared once by each raw server. A synchronous driver returns plain values. */
export interface HeroStore {
  byId(id: number): Hero | undefined | Promise<Hero | undefined>
  page(limit: number, offset: number): Hero[] | Promise<Hero[]>
  insert(hero: NewHero): Hero | Promise<Hero>
  /** The row after the update, or `undefined` when there is none with this id. */
  update(id: number, changes: HeroChanges): Hero | undefined | Promise<Hero | undefined>
  /** Whether a row was deleted. */
  remove(id: number): boolean | Promise<boolean>
}

const publicJson = (h: Hero): string => JSON.stringify({ name: h.name, age: h.age, id: h.id })

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

const notFound = (res: ServerResponse): void => send(res, 404, '{"detail":"Hero not found"}')
const invalid = (res: ServerResponse, type: string, loc: unknown[], msg: string, input: unknown): void =>
  send(res, 422, JSON.stringify({ detail: [{ type, loc, msg, input }] }))

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      } catch {
        resolve(undefined)
      }
    })
  })
}

const isAge = (v: unknown): v is number | null => v === null || (typeof v === 'number' && Number.isInteger(v))

/**
 * The query parameter `name` as an integer from 0 to `max`, or `defaultValue` when absent; anything else
 * answers a 422 (a negative LIMIT is an error on PostgreSQL and no limit at all on SQLite) and returns
 * `undefined`.
 */
function queryInteger(
  res: ServerResponse,
  url: URL,
  name: string,
  defaultValue: number,
  max: number,
): number | undefined {
  const text = url.searchParams.get(name)
  const value = text === null ? defaultValue : Number(text)
  const loc = ['query', name]
  if (!Number.isSafeInteger(value))
    invalid(
      res,
      'int_parsing',
      loc,
      'Input should be a valid integer, unable to parse string as an integer',
      text,
    )
  else if (value < 0)
    invalid(res, 'greater_than_equal', loc, 'Input should be greater than or equal to 0', text)
  else if (value > max)
    invalid(res, 'less_than_equal', loc, `Input should be less than or equal to ${max}`, text)
  else return value
  return undefined
}

async function handle(store: HeroStore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x')
  const match = /^\/heroes\/(?:([^/]+)\/?)?$/.exec(url.pathname)
  if (!match) return send(res, 404, '{"detail":"Not Found"}')
  if (match[1] === undefined) {
    if (req.method === 'GET') {
      const offset = queryInteger(res, url, 'offset', 0, Number.MAX_SAFE_INTEGER)
      if (offset === undefined) return
      const limit = queryInteger(res, url, 'limit', 100, 100)
      if (limit === undefined) return
      const rows = await store.page(limit, offset)
      return send(res, 200, `[${rows.map(publicJson).join(',')}]`)
    }
    if (req.method === 'POST') {
      const body = (await readJson(req)) as Record<string, unknown> | undefined
      if (typeof body !== 'object' || body === null)
        return invalid(res, 'model_attributes_type', ['body'], 'Input should be an object', body)
      const { name, secret_name, age = null } = body
      if (typeof name !== 'string')
        return invalid(res, 'string_type', ['body', 'name'], 'Input should be a valid string', name)
      if (typeof secret_name !== 'string')
        return invalid(
          res,
          'string_type',
          ['body', 'secret_name'],
          'Input should be a valid string',
          secret_name,
        )
      if (!isAge(age))
        return invalid(res, 'int_type', ['body', 'age'], 'Input should be a valid integer', age)
      return send(res, 200, publicJson(await store.insert({ name, age, secret_name })))
    }
    return send(res, 405, '{"detail":"Method Not Allowed"}')
  }
  const id = Number(match[1])
  if (!Number.isInteger(id))
    return invalid(res, 'int_parsing', ['path', 'hero_id'], 'Input should be a valid integer', match[1])
  if (req.method === 'GET') {
    const hero = await store.byId(id)
    return hero ? send(res, 200, publicJson(hero)) : notFound(res)
  }
  if (req.method === 'PATCH') {
    const body = (await readJson(req)) as Record<string, unknown> | undefined
    if (typeof body !== 'object' || body === null)
      return invalid(res, 'model_attributes_type', ['body'], 'Input should be an object', body)
    const changes: HeroChanges = { columns: [], values: [] }
    for (const key of ['name', 'secret_name'] as const) {
      if (key in body) {
        if (typeof body[key] !== 'string')
          return invalid(res, 'string_type', ['body', key], 'Input should be a valid string', body[key])
        changes.columns.push(key)
        changes.values.push(body[key])
      }
    }
    if ('age' in body) {
      if (!isAge(body.age))
        return invalid(res, 'int_type', ['body', 'age'], 'Input should be a valid integer', body.age)
      changes.columns.push('age')
      changes.values.push(body.age)
    }
    const hero = changes.columns.length ? await store.update(id, changes) : await store.byId(id)
    return hero ? send(res, 200, publicJson(hero)) : notFound(res)
  }
  if (req.method === 'DELETE') {
    return (await store.remove(id)) ? send(res, 200, '{"ok":true}') : notFound(res)
  }
  return send(res, 405, '{"detail":"Method Not Allowed"}')
}

/**
 * Serves the Heroes API on `store` at PORT and HOST, and on SIGTERM stops listening, then calls `close`.
 * A failing statement answers a bare 500, so a request never hangs.
 */
export function serveHeroes(store: HeroStore, close: () => unknown): void {
  const server = createServer((req, res) => {
    handle(store, req, res).catch(() => send(res, 500, '{"detail":"Internal Server Error"}'))
  })
  server.listen(Number(process.env.PORT ?? 8000), process.env.HOST ?? '127.0.0.1')
  process.on('SIGTERM', () => server.close(() => void close()))
}
