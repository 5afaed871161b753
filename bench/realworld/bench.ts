/**
 * `npm run bench -- --app realworld`: the RealWorld API served by the raw ceiling
 * (bench/baselines/realworld-raw.ts), by the same endpoints on Fastify (realworld-fastify.ts, the floor
 * under any app on onemodel's HTTP framework), by onemodel (examples/realworld, as `npm run start:realworld` runs it)
 * and by the Fastify + Drizzle peer (bench/baselines/realworld-drizzle.ts), on SQLite. Each server gets a
 * file of its own, made once per run: the server creates its tables and registers the viewer through its
 * own API, then the seed is written into it (seed.ts); every measured run starts on a copy of that file.
 */
import { copyFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { BenchApp } from '../bench-app.ts'
import { workDirectory } from '../heroes-bench.ts'
import { start, stop, type BenchDialect, type Server } from '../servers.ts'
import { call, checkRealworld, login } from './check.ts'
import { seedRealworld, VIEWER } from './seed.ts'

const root = resolve(import.meta.dirname, '../..')
const READY = '/api/articles?limit=1'

export const REALWORLD_SERVERS: Record<string, Server> = {
  raw: { name: 'raw', args: [join(root, 'bench/baselines/realworld-raw.ts')] },
  'fastify-raw': { name: 'fastify-raw', args: [join(root, 'bench/baselines/realworld-fastify.ts')] },
  onemodel: {
    name: 'onemodel',
    args: ['--conditions=development', join(root, 'examples/realworld/main.ts')],
  },
  'fastify-drizzle': { name: 'fastify-drizzle', args: [join(root, 'bench/baselines/realworld-drizzle.ts')] },
}

/** Makes `server`'s seeded file in `work`: its tables and viewer through the server, then the seed. */
async function seededFile(server: Server, work: string, articles: number): Promise<string> {
  const file = join(work, `${server.name}-seed.db`)
  const { child, url } = await start(server, `sqlite:///${file}`, READY)
  try {
    const { status, text } = await call(url, 'POST', '/api/users', { body: { user: VIEWER } })
    if (status !== 201) throw new Error(`${server.name} did not register the viewer: ${status} ${text}`)
  } finally {
    await stop(child)
  }
  console.log(`${server.name}: ${seedRealworld(file, articles)}`)
  return file
}

/** The RealWorld bench on `dialect` (SQLite only) with `articles` seeded articles; seeds lazily, per server. */
export function realworldBench(dialect: BenchDialect, articles: number): BenchApp {
  if (dialect !== 'sqlite') {
    console.error('the RealWorld bench runs on SQLite only')
    process.exit(2)
  }
  // One secret for every server, so none warns that it signs with a development default.
  process.env.JWT_SECRET ??= 'the RealWorld bench'
  const work = workDirectory()
  const seeded = new Map<string, Promise<string>>()
  let copies = 0
  return {
    servers: REALWORLD_SERVERS,
    elsewhere: [],
    peer: 'fastify-drizzle',
    floor: 'fastify-raw',
    defaultServers: ['raw', 'fastify-raw', 'onemodel', 'fastify-drizzle'],
    scenarios: ['list', 'get_one', 'favorite', 'post', 'mixed'].map((name) => `realworld/${name}`),
    readyPath: READY,
    description: `${articles} articles with tags and favourites (a copy of each server's seeded SQLite file per run)`,
    async fresh(server) {
      if (!seeded.has(server.name)) seeded.set(server.name, seededFile(server, work, articles))
      const file = join(work, `run-${copies++}.db`)
      copyFileSync(await seeded.get(server.name)!, file)
      return `sqlite:///${file}`
    },
    async check(url, reference) {
      const token = await login(url)
      const answers = await checkRealworld(url, token, articles, reference)
      return { answers, env: { BENCH_TOKEN: token, BENCH_ARTICLES: String(articles) } }
    },
    targets(ratio) {
      const lines = []
      for (const scenario of this.scenarios) {
        const versusRaw = ratio(scenario, 'raw')
        if (versusRaw !== undefined)
          lines.push(
            `${scenario}: onemodel ÷ raw = ${versusRaw.toFixed(2)} (target ≥ 0.85: ${versusRaw >= 0.85 ? 'met' : 'missed'})`,
          )
      }
      const versusPeer = ratio('realworld/list', 'fastify-drizzle')
      if (versusPeer !== undefined)
        lines.push(
          `realworld/list: onemodel ÷ fastify-drizzle = ${versusPeer.toFixed(2)} (target ≥ 2: ${versusPeer >= 2 ? 'met' : 'missed'})`,
        )
      return lines
    },
  }
}
