/**
 * `npm run bench`: the Heroes API served by the raw ceiling, by onemodel (examples/heroes, as `npm start`
 * runs it) and by a Fastify + Drizzle peer, loaded with wrk from another process over loopback. Every server
 * starts each scenario on a fresh copy of the same seeded heroes and passes a smoke check before it is timed.
 * The ratios onemodel ÷ raw are computed within each round, and the median of the rounds is printed.
 *
 * `--dialect sqlite` (the default): the ceiling is node:http + node:sqlite (bench/baselines/raw), each run on
 * a copy of one seeded file. `--dialect postgresql`: the ceiling is node:http + pg named prepared statements
 * on a pool of 10 (bench/baselines/raw-pg), each run on the hero table seeded again in the database of
 * BENCH_DATABASE_URL (default postgresql://postgres:postgres@127.0.0.1:5432/onemodel_bench, created when
 * missing); the Fastify + Drizzle peer runs on SQLite only. On PostgreSQL, `workers-1` and `workers-2` serve
 * the app with `onemodel serve --workers 1` and `--workers 2` (node:cluster), as a deployment runs it; their
 * CPU and memory are those of all their processes.
 *
 * Flags: --dialect sqlite --rounds 3 --duration 10 --warmup 2 --connections 32 --seed 1000
 * --servers raw,onemodel,fastify-drizzle (or raw,workers-1,workers-2) --scenarios get_one,list,post,patch,mixed
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { postgresHeroes, sqliteHeroes, type HeroesDatabase } from './heroes-database.ts'
import { SERVERS, smoke, start, stop, type BenchDialect, type Server } from './servers.ts'
import { median } from './stats.ts'
import { measure, requireWrk, type Load, type Sample } from './wrk.ts'

const { values: flags } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'sqlite' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    seed: { type: 'string', default: '1000' },
    servers: { type: 'string', default: 'raw,onemodel,fastify-drizzle' },
    scenarios: { type: 'string', default: 'get_one,list,post,patch,mixed' },
  },
})

const DIALECTS: Record<string, BenchDialect> = {
  sqlite: 'sqlite',
  postgresql: 'postgres',
  postgres: 'postgres',
}
function dialectOf(flag: string): BenchDialect {
  const dialect = DIALECTS[flag]
  if (dialect) return dialect
  console.error(`--dialect is sqlite or postgresql, not ${flag}`)
  process.exit(2)
}
const dialect = dialectOf(flags.dialect)
const heroes = Number(flags.seed)
const load: Load = { connections: flags.connections, warmup: flags.warmup, duration: flags.duration, heroes }

/** The servers asked for, leaving out with a line those that do not run on this dialect. */
function serversOf(names: string[]): Server[] {
  const available: Record<string, Server> = SERVERS[dialect]
  return names.flatMap((name) => {
    const server = available[name]
    if (server) return [server]
    if (name in SERVERS.sqlite)
      console.log(`${name} runs on SQLite only: left out of this ${flags.dialect} run`)
    else {
      console.error(`no server named ${name}`)
      process.exit(2)
    }
    return []
  })
}

async function heroesDatabase(): Promise<HeroesDatabase> {
  if (dialect === 'sqlite') {
    const work = mkdtempSync(join(tmpdir(), 'onemodel-bench-'))
    process.on('exit', () => rmSync(work, { recursive: true, force: true }))
    return sqliteHeroes(work, heroes)
  }
  return postgresHeroes(heroes)
}

type Results = Map<string, Map<string, Sample[]>> // results[scenario][server] = one sample per round

/** One round: every server on every scenario, in `order`; the raw server's bodies are the smoke reference. */
async function round(order: Server[], database: HeroesDatabase, results: Results): Promise<void> {
  let reference: Map<string, string> | undefined
  for (const server of order) {
    for (const [scenario, byServer] of results) {
      const { child, url } = await start(server, await database.fresh())
      try {
        const bodies = await smoke(url, server.name === 'raw' ? undefined : reference)
        if (server.name === 'raw') reference = bodies
        const sample = measure(url, child.pid!, scenario, load)
        // wrk stops with requests in flight; they finish before the server is asked to shut down.
        await sleep(200)
        byServer.set(server.name, [...(byServer.get(server.name) ?? []), sample])
        console.log(
          `  ${server.name.padEnd(16)} ${scenario.padEnd(8)} ${sample.requests.toFixed(0).padStart(7)} req/s`,
        )
      } finally {
        await stop(child)
      }
    }
  }
}

function report(results: Results, rounds: number, database: HeroesDatabase): void {
  const pad = (text: string | number, width: number): string => String(text).padStart(width)
  const mid = (samples: Sample[], pick: (s: Sample) => number, digits: number, width: number): string =>
    pad(median(samples.map(pick)).toFixed(digits), width)
  console.log(
    `\n${flags.dialect}: ${heroes} heroes (${database.description}), ${flags.connections} connections, ` +
      `${flags.duration} s per run, median of ${rounds} rounds\n`,
  )
  console.log(`| scenario | server | req/s | p50 ms | p99 ms | CPU % | RSS MB | non-2xx | ÷ raw |`)
  console.log(`| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`)
  for (const [scenario, byServer] of results) {
    const raw = byServer.get('raw')
    for (const [name, samples] of byServer) {
      const ratio = raw ? median(samples.map((s, i) => s.requests / raw[i]!.requests)).toFixed(2) : ''
      const errors = samples.reduce((n, s) => n + s.errors, 0)
      console.log(
        `| ${scenario} | ${name} | ${mid(samples, (s) => s.requests, 0, 6)} | ${mid(samples, (s) => s.p50, 2, 5)} | ${mid(samples, (s) => s.p99, 2, 5)} | ${mid(samples, (s) => s.cpu, 0, 3)} | ${mid(samples, (s) => s.rssMb, 0, 4)} | ${errors} | ${ratio} |`,
      )
    }
  }
  // What the second worker buys, round by round (both ran under the same load from elsewhere).
  for (const [scenario, byServer] of results) {
    const one = byServer.get('workers-1')
    const two = byServer.get('workers-2')
    if (!one || !two) continue
    const ratio = median(two.map((s, i) => s.requests / one[i]!.requests))
    console.log(`${scenario}: workers-2 ÷ workers-1 = ${ratio.toFixed(2)}`)
  }
  const peer = results.get('get_one')?.get('fastify-drizzle')
  const ours = results.get('get_one')?.get('onemodel')
  if (peer && ours) {
    const ratio = median(ours.map((s, i) => s.requests / peer[i]!.requests))
    console.log(`\nget_one: onemodel ÷ fastify-drizzle = ${ratio.toFixed(2)}`)
  }
}

requireWrk()
const servers = serversOf(flags.servers.split(','))
for (const server of servers) server.prepare?.()
const database = await heroesDatabase()
const rounds = Number(flags.rounds)
const results: Results = new Map(flags.scenarios.split(',').map((s) => [s, new Map()]))
for (let i = 0; i < rounds; i++) {
  const order = servers.map((_, j) => servers[(j + i) % servers.length]!)
  console.log(`round ${i + 1}/${rounds}: ${order.map((s) => s.name).join(', ')}`)
  await round(order, database, results)
}
report(results, rounds, database)
