/**
 * `npm run bench`: an API served by the raw ceiling, by onemodel and by a Fastify + Drizzle peer, loaded
 * with wrk from another process over loopback. Every server starts each scenario on a fresh copy of the
 * same seeded data and passes a check of its answers before it is timed. The ratios of onemodel to the
 * others are computed within each round, and the median of the rounds is printed.
 *
 * `--app heroes` (the default, heroes-bench.ts): the Heroes API of examples/heroes. `--dialect sqlite` (the
 * default): the ceiling is node:http + node:sqlite (bench/baselines/raw), each run on a copy of one seeded
 * file. `--dialect postgresql`: the ceiling is node:http + pg named prepared statements on a pool of 10
 * (bench/baselines/raw-pg), each run on the hero table seeded again in the database of BENCH_DATABASE_URL
 * (default postgresql://postgres:postgres@127.0.0.1:5432/onemodel_bench, created when missing); the
 * Fastify + Drizzle peer runs on SQLite only. On PostgreSQL, `workers-1` and `workers-2` serve the app with
 * `onemodel serve --workers 1` and `--workers 2` (node:cluster), as a deployment runs it; their CPU and
 * memory are those of all their processes. `--seed` heroes (1000).
 *
 * `--app realworld` (realworld/bench.ts): the RealWorld API of examples/realworld against
 * bench/baselines/realworld-raw.ts, realworld-fastify.ts (the same endpoints on Fastify, the floor) and
 * realworld-drizzle.ts, on SQLite; `--seed` articles (10000).
 *
 * Flags: --app heroes --dialect sqlite --rounds 3 --duration 10 --warmup 2 --connections 32 --seed N
 * --servers (the app's: raw,onemodel,fastify-drizzle for heroes, with fastify-raw for realworld; or
 * raw,workers-1,workers-2) --scenarios (the app's: get_one,list,post,patch,mixed for heroes; list,get_one,
 * favorite,post,mixed for realworld, whose full names start with `realworld/`)
 */
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'
import { benchAppNamed, fail, scenariosNamed } from './apps.ts'
import type { Answers, BenchApp } from './bench-app.ts'
import { start, stop, type BenchDialect, type Server } from './servers.ts'
import { median } from './stats.ts'
import { measure, requireWrk, type Sample } from './wrk.ts'

const { values: flags } = parseArgs({
  options: {
    app: { type: 'string', default: 'heroes' },
    dialect: { type: 'string', default: 'sqlite' },
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    seed: { type: 'string' },
    servers: { type: 'string' },
    scenarios: { type: 'string' },
  },
})

const DIALECTS: Record<string, BenchDialect> = {
  sqlite: 'sqlite',
  postgresql: 'postgres',
  postgres: 'postgres',
}
const dialect = DIALECTS[flags.dialect] ?? fail(`--dialect is sqlite or postgresql, not ${flags.dialect}`)

/** The servers asked for, leaving out with a line those that do not run on this dialect. */
function serversOf(app: BenchApp, names: string[]): Server[] {
  return names.flatMap((name) => {
    const server = app.servers[name]
    if (server) return [server]
    if (!app.elsewhere.includes(name)) fail(`no server named ${name}`)
    console.log(`${name} runs on SQLite only: left out of this ${flags.dialect} run`)
    return []
  })
}

type Results = Map<string, Map<string, Sample[]>> // results[scenario][server] = one sample per round

/**
 * The raw server's answers to the check: the reference every other server's are compared with, from the
 * first round on (the same data each round, so one reference serves them all).
 */
let reference: Answers | undefined

/**
 * One round: every scenario, each served by every server in `order` one after the other. The servers of
 * one scenario run back to back, so a round's ratio compares runs about a minute apart at most: a disturbance
 * of the machine that lasts a minute or two falls on every server of a scenario, not on all of one
 * server's scenarios.
 */
async function round(app: BenchApp, order: Server[], results: Results): Promise<void> {
  for (const [scenario, byServer] of results) {
    for (const server of order) {
      const { child, url } = await start(server, await app.fresh(server), app.readyPath)
      try {
        const { answers, env } = await app.check(url, server.name === 'raw' ? undefined : reference)
        if (server.name === 'raw') reference = answers
        const sample = measure(url, child.pid!, scenario, { connections, warmup, duration, env })
        // wrk stops with requests in flight; they finish before the server is asked to shut down.
        await sleep(200)
        byServer.set(server.name, [...(byServer.get(server.name) ?? []), sample])
        console.log(
          `  ${server.name.padEnd(16)} ${scenario.padEnd(20)} ${sample.requests.toFixed(0).padStart(7)} req/s`,
        )
      } finally {
        await stop(child)
      }
    }
  }
}

/** `server`'s requests per second over `versus`'s on `scenario`, round by round. */
function roundRatios(
  results: Results,
  scenario: string,
  server: string,
  versus: string,
): number[] | undefined {
  const theirs = results.get(scenario)?.get(versus)
  const ours = results.get(scenario)?.get(server)
  return theirs && ours ? ours.map((s, i) => s.requests / theirs[i]!.requests) : undefined
}

/** The median over the rounds of onemodel's requests per second over `versus`'s on `scenario`. */
function ratioOf(results: Results, scenario: string, versus: string): number | undefined {
  const ratios = roundRatios(results, scenario, 'onemodel', versus)
  return ratios && median(ratios)
}

function report(app: BenchApp, results: Results, rounds: number): void {
  const pad = (text: string | number, width: number): string => String(text).padStart(width)
  const mid = (samples: Sample[], pick: (s: Sample) => number, digits: number, width: number): string =>
    pad(median(samples.map(pick)).toFixed(digits), width)
  // The median, and with several rounds each round's ratio: the spread says what the median is worth.
  const ratio = (scenario: string, versus: string, server = 'onemodel'): string => {
    const ratios = roundRatios(results, scenario, server, versus)
    if (ratios === undefined) return ''
    const each = ratios.length > 1 ? ` (${ratios.map((r) => r.toFixed(2)).join(', ')})` : ''
    return `${median(ratios).toFixed(2)}${each}`
  }
  console.log(
    `\n${flags.app} on ${flags.dialect}: ${app.description}, ${connections} connections, ` +
      `${duration} s per run, median of ${rounds} rounds\n`,
  )
  console.log(`| scenario | server | req/s | p50 ms | p90 ms | p99 ms | CPU % | RSS MB | non-2xx |`)
  console.log(`| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`)
  for (const [scenario, byServer] of results) {
    for (const [name, samples] of byServer) {
      const errors = samples.reduce((n, s) => n + s.errors, 0)
      console.log(
        `| ${scenario} | ${name} | ${mid(samples, (s) => s.requests, 0, 6)} | ${mid(samples, (s) => s.p50, 2, 5)} | ${mid(samples, (s) => s.p90, 2, 5)} | ${mid(samples, (s) => s.p99, 2, 5)} | ${mid(samples, (s) => s.cpu, 0, 3)} | ${mid(samples, (s) => s.rssMb, 0, 4)} | ${errors} |`,
      )
    }
  }
  // onemodel against each, then the ceiling and the floor against the peer and each other.
  const floor = app.floor
  const pairs: [server: string, versus: string][] = [['onemodel', 'raw']]
  if (floor) pairs.push(['onemodel', floor])
  pairs.push(['onemodel', app.peer])
  if (floor) pairs.push([floor, 'raw'], ['raw', app.peer], [floor, app.peer])
  console.log(`\n| scenario | ${pairs.map(([server, versus]) => `${server} ÷ ${versus}`).join(' | ')} |`)
  console.log(`| --- | ${pairs.map(() => '---:').join(' | ')} |`)
  for (const scenario of results.keys()) {
    const cells = pairs.map(([server, versus]) => ratio(scenario, versus, server))
    console.log(`| ${scenario} | ${cells.join(' | ')} |`)
  }
  const targets = app.targets((scenario, versus) => ratioOf(results, scenario, versus))
  if (targets.length > 0) console.log(`\n${targets.join('\n')}`)
  // What the second worker buys, round by round (both ran under the same load from elsewhere).
  for (const [scenario, byServer] of results) {
    const one = byServer.get('workers-1')
    const two = byServer.get('workers-2')
    if (!one || !two) continue
    const ratio = median(two.map((s, i) => s.requests / one[i]!.requests))
    console.log(`${scenario}: workers-2 ÷ workers-1 = ${ratio.toFixed(2)}`)
  }
}

const { connections, warmup, duration } = flags
requireWrk()
const app = await benchAppNamed(flags.app, dialect, flags.seed)
const servers = serversOf(app, flags.servers?.split(',') ?? [...app.defaultServers])
for (const server of servers) server.prepare?.()
const rounds = Number(flags.rounds)
const scenarios = scenariosNamed(app, flags.scenarios)
const results: Results = new Map(scenarios.map((s) => [s, new Map()]))
for (let i = 0; i < rounds; i++) {
  const order = servers.map((_, j) => servers[(j + i) % servers.length]!)
  console.log(`round ${i + 1}/${rounds}: ${order.map((s) => s.name).join(', ')}`)
  await round(app, order, results)
}
report(app, results, rounds)
