/**
 * `npm run bench`: the Heroes API served by the raw ceiling (node:http + node:sqlite), by onemodel
 * (examples/heroes, as `npm start` runs it) and by a Fastify + Drizzle peer, loaded with wrk from another
 * process over loopback. Each server gets a copy of one seeded SQLite file and passes a smoke check before
 * it is timed. The ratios onemodel ÷ raw are computed within each round, and the median of the rounds is
 * printed. Flags: --rounds 3 --duration 10 --warmup 2 --connections 32 --seed 1000
 * --servers raw,onemodel,fastify-drizzle --scenarios get_one,list,post,patch,mixed
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { setTimeout as sleep } from 'node:timers/promises'

const root = resolve(import.meta.dirname, '..')
const { values: flags } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '32' },
    seed: { type: 'string', default: '1000' },
    servers: { type: 'string', default: 'raw,onemodel,fastify-drizzle' },
    scenarios: { type: 'string', default: 'get_one,list,post,patch,mixed' },
  },
})

interface Server {
  readonly name: string
  readonly args: readonly string[]
  readonly prepare?: () => void
}

const peerDir = join(root, 'bench/baselines/fastify-drizzle')
const SERVERS: Record<string, Server> = {
  raw: { name: 'raw', args: [join(root, 'bench/baselines/raw/server.ts')] },
  onemodel: { name: 'onemodel', args: ['--conditions=development', join(root, 'examples/heroes/main.ts')] },
  'fastify-drizzle': {
    name: 'fastify-drizzle',
    args: [join(peerDir, 'server.ts')],
    prepare: () => {
      if (existsSync(join(peerDir, 'node_modules'))) return
      console.log('installing the Fastify + Drizzle peer (bench/baselines/fastify-drizzle)…')
      execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: peerDir, stdio: 'inherit' })
    },
  },
}

interface Sample {
  requests: number
  p50: number
  p99: number
  errors: number
  cpu: number
  rssMb: number
}

const heroes = Number(flags.seed)
const work = mkdtempSync(join(tmpdir(), 'onemodel-bench-'))
process.on('exit', () => rmSync(work, { recursive: true, force: true }))

function requireWrk(): void {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' })
  } catch (error) {
    // wrk prints its version and exits 1; only a missing binary throws ENOENT.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      console.error('wrk is not installed: apt-get install -y wrk')
      process.exit(2)
    }
  }
}

/** Seeds the heroes through onemodel's Session.addAll in batches, and reports rows/s. */
function seed(): string {
  const file = join(work, 'seed.db')
  const output = execFileSync(
    process.execPath,
    ['--conditions=development', join(root, 'bench/seed.ts'), `sqlite:///${file}`, String(heroes)],
    { encoding: 'utf8' },
  )
  console.log(output.trim())
  return file
}

let nextPort = 18000

async function start(server: Server, seedFile: string): Promise<{ child: ChildProcess; url: string }> {
  const file = join(work, `${server.name}-${nextPort}.db`)
  copyFileSync(seedFile, file)
  const port = nextPort++
  const child = spawn(process.execPath, server.args, {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: `sqlite:///${file}` },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${url}/heroes/1`)
      return { child, url }
    } catch {
      await sleep(100)
    }
  }
  child.kill()
  throw new Error(`${server.name} did not start`)
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))])
}

/** The same answers as the raw server, a 422 on limit=101, the 404 shape, and no secret_name. */
async function smoke(url: string, reference: Map<string, string> | undefined): Promise<Map<string, string>> {
  const bodies = new Map<string, string>()
  const check = (ok: boolean, what: string): void => {
    if (!ok) throw new Error(`smoke check failed: ${what}`)
  }
  for (const path of ['/heroes/1', '/heroes/2', '/heroes/?limit=3', '/heroes/?offset=5&limit=2']) {
    const response = await fetch(url + path)
    const text = await response.text()
    check(response.status === 200, `${path} answered ${response.status}`)
    check(!text.includes('secret_name'), `${path} leaks secret_name`)
    bodies.set(path, text)
    if (reference)
      check(reference.get(path) === text, `${path} answered ${text}, raw answered ${reference.get(path)}`)
  }
  const one = JSON.parse(bodies.get('/heroes/1')!)
  check(
    JSON.stringify(Object.keys(one).sort()) === '["age","id","name"]',
    `keys of a hero: ${Object.keys(one)}`,
  )
  check((await fetch(`${url}/heroes/?limit=101`)).status === 422, 'limit=101 is not a 422')
  const missing = await fetch(`${url}/heroes/999999999`)
  check(missing.status === 404 && (await missing.text()) === '{"detail":"Hero not found"}', 'the 404 shape')
  return bodies
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return Number(fields[11]) + Number(fields[12]) // utime + stime, in clock ticks (100 per second)
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)
  return line ? Number(line[1]) / 1024 : 0
}

function ms(text: string): number {
  const match = /([\d.]+)(us|ms|s)/.exec(text)
  if (!match) return NaN
  const value = Number(match[1])
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value
}

function wrk(url: string, scenario: string, seconds: string): string {
  return execFileSync(
    'wrk',
    [
      '-t1',
      `-c${flags.connections}`,
      `-d${seconds}s`,
      '--latency',
      '-s',
      join(root, 'bench/scenarios', `${scenario}.lua`),
      url,
    ],
    { encoding: 'utf8', env: { ...process.env, BENCH_HEROES: String(heroes) } },
  )
}

function measure(url: string, pid: number, scenario: string): Sample {
  wrk(url, scenario, flags.warmup)
  const before = cpuTicks(pid)
  const started = performance.now()
  const output = wrk(url, scenario, flags.duration)
  const seconds = (performance.now() - started) / 1000
  const cpu = (cpuTicks(pid) - before) / seconds
  return {
    requests: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0),
    p50: ms(/\s50%\s+(\S+)/.exec(output)?.[1] ?? ''),
    p99: ms(/\s99%\s+(\S+)/.exec(output)?.[1] ?? ''),
    errors: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    cpu,
    rssMb: rssMb(pid),
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

requireWrk()
const servers = flags.servers.split(',').map((name) => SERVERS[name] ?? process.exit(2))
const scenarios = flags.scenarios.split(',')
for (const server of servers) server.prepare?.()
const seedFile = seed()
const rounds = Number(flags.rounds)
// results[scenario][server] = one sample per round
const results = new Map<string, Map<string, Sample[]>>(scenarios.map((s) => [s, new Map()]))

for (let round = 0; round < rounds; round++) {
  const order = servers.map((_, i) => servers[(i + round) % servers.length]!)
  console.log(`round ${round + 1}/${rounds}: ${order.map((s) => s.name).join(', ')}`)
  let reference: Map<string, string> | undefined
  for (const server of order) {
    // Each scenario on a fresh copy of the seed, so writes of one scenario do not change the next.
    for (const scenario of scenarios) {
      const { child, url } = await start(server, seedFile)
      try {
        const bodies = await smoke(url, server.name === 'raw' ? undefined : reference)
        if (server.name === 'raw') reference = bodies
        const sample = measure(url, child.pid!, scenario)
        const list = results.get(scenario)!.get(server.name) ?? []
        list.push(sample)
        results.get(scenario)!.set(server.name, list)
        console.log(
          `  ${server.name.padEnd(16)} ${scenario.padEnd(8)} ${sample.requests.toFixed(0).padStart(7)} req/s`,
        )
      } finally {
        await stop(child)
      }
    }
  }
}

const pad = (text: string | number, width: number): string => String(text).padStart(width)
console.log(
  `\n${heroes} heroes, ${flags.connections} connections, ${flags.duration} s per run, median of ${rounds} rounds\n`,
)
console.log(`| scenario | server | req/s | p50 ms | p99 ms | CPU % | RSS MB | non-2xx | ÷ raw |`)
console.log(`| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`)
for (const scenario of scenarios) {
  const byServer = results.get(scenario)!
  const raw = byServer.get('raw')
  for (const [name, samples] of byServer) {
    const ratio = raw ? median(samples.map((s, i) => s.requests / raw[i]!.requests)).toFixed(2) : ''
    console.log(
      `| ${scenario} | ${name} | ${pad(median(samples.map((s) => s.requests)).toFixed(0), 6)} | ${pad(median(samples.map((s) => s.p50)).toFixed(2), 5)} | ${pad(median(samples.map((s) => s.p99)).toFixed(2), 5)} | ${pad(median(samples.map((s) => s.cpu)).toFixed(0), 3)} | ${pad(median(samples.map((s) => s.rssMb)).toFixed(0), 4)} | ${samples.reduce((n, s) => n + s.errors, 0)} | ${ratio} |`,
    )
  }
}
const peer = results.get('get_one')?.get('fastify-drizzle')
const ours = results.get('get_one')?.get('onemodel')
if (peer && ours) {
  const ratio = median(ours.map((s, i) => s.requests / peer[i]!.requests))
  console.log(`\nget_one: onemodel ÷ fastify-drizzle = ${ratio.toFixed(2)}`)
}
