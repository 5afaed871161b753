/**
 * The ceiling: the Heroes API on node:http and node:sqlite prepared statements, with hand-written
 * validation and JSON, and nothing else. Same SQLite settings as onemodel's defaults (WAL, NORMAL).
 * Env: PORT, HOST, DATABASE_URL (sqlite:///path).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { DatabaseSync } from 'node:sqlite'

const file = (process.env.DATABASE_URL ?? 'sqlite:///database.db').replace(/^sqlite:\/\/\//, '')
const db = new DatabaseSync(file)
db.exec(
  'pragma journal_mode = wal; pragma synchronous = normal; pragma foreign_keys = on; pragma busy_timeout = 5000',
)
db.exec(`create table if not exists hero (
  name varchar not null, age integer, id integer not null primary key, secret_name varchar not null)`)
db.exec('create index if not exists ix_hero_name on hero (name)')
db.exec('create index if not exists ix_hero_age on hero (age)')

const insert = db.prepare(
  'insert into hero (name, age, secret_name) values (?, ?, ?) returning id, name, age',
)
const byId = db.prepare('select id, name, age from hero where id = ?')
const page = db.prepare('select id, name, age from hero order by id limit ? offset ?')
const remove = db.prepare('delete from hero where id = ?')
const updates = new Map<string, ReturnType<typeof db.prepare>>()

interface Hero {
  id: number
  name: string
  age: number | null
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

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x')
  const match = /^\/heroes\/(?:([^/]+)\/?)?$/.exec(url.pathname)
  if (!match) return send(res, 404, '{"detail":"Not Found"}')
  if (match[1] === undefined) {
    if (req.method === 'GET') {
      const offset = Number(url.searchParams.get('offset') ?? 0)
      const limit = Number(url.searchParams.get('limit') ?? 100)
      if (!Number.isInteger(limit) || limit > 100) {
        return invalid(
          res,
          'less_than_equal',
          ['query', 'limit'],
          'Input should be less than or equal to 100',
          url.searchParams.get('limit'),
        )
      }
      const rows = page.all(limit, offset) as unknown as Hero[]
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
      return send(res, 200, publicJson(insert.get(name, age, secret_name) as unknown as Hero))
    }
    return send(res, 405, '{"detail":"Method Not Allowed"}')
  }
  const id = Number(match[1])
  if (!Number.isInteger(id))
    return invalid(res, 'int_parsing', ['path', 'hero_id'], 'Input should be a valid integer', match[1])
  if (req.method === 'GET') {
    const hero = byId.get(id) as Hero | undefined
    return hero ? send(res, 200, publicJson(hero)) : notFound(res)
  }
  if (req.method === 'PATCH') {
    const body = (await readJson(req)) as Record<string, unknown> | undefined
    if (typeof body !== 'object' || body === null)
      return invalid(res, 'model_attributes_type', ['body'], 'Input should be an object', body)
    const sets: string[] = []
    const params: (string | number | null)[] = []
    for (const key of ['name', 'secret_name'] as const) {
      if (key in body) {
        if (typeof body[key] !== 'string')
          return invalid(res, 'string_type', ['body', key], 'Input should be a valid string', body[key])
        sets.push(`${key} = ?`)
        params.push(body[key])
      }
    }
    if ('age' in body) {
      if (!isAge(body.age))
        return invalid(res, 'int_type', ['body', 'age'], 'Input should be a valid integer', body.age)
      sets.push('age = ?')
      params.push(body.age)
    }
    const hero = sets.length
      ? (updateStatement(sets).get(...params, id) as Hero | undefined)
      : (byId.get(id) as Hero | undefined)
    return hero ? send(res, 200, publicJson(hero)) : notFound(res)
  }
  if (req.method === 'DELETE') {
    return remove.run(id).changes ? send(res, 200, '{"ok":true}') : notFound(res)
  }
  return send(res, 405, '{"detail":"Method Not Allowed"}')
}

function updateStatement(sets: string[]) {
  const key = sets.join(', ')
  let statement = updates.get(key)
  if (!statement)
    updates.set(key, (statement = db.prepare(`update hero set ${key} where id = ? returning id, name, age`)))
  return statement
}

const server = createServer((req, res) => void handle(req, res))
server.listen(Number(process.env.PORT ?? 8000), process.env.HOST ?? '127.0.0.1')
process.on('SIGTERM', () => server.close(() => db.close()))
