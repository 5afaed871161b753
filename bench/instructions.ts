/**
 * `npm run bench:instructions`: the instructions each server's main thread runs per request, counted by
 * valgrind's callgrind, where `npm run bench` times requests. It shows how many instructions a change
 * saves, which timings on a small shared machine (15% and more apart from round to round) hide, and with
 * `--keep` leaves callgrind's files for `callgrind_annotate` to say where they go. It
 * cannot see what cache misses cost, which the timed bench includes. A count is not exact either: two
 * runs of one build gave 146k and 149k instructions a get_one request, but 298k and 337k a favourite, as
 * the garbage collector's and the compiler's work falls into the counted window or not. Run it on an idle
 * machine, and compare builds over several runs.
 *
 * Each server starts under callgrind with counting off, on a fresh copy of the seeded data, and passes the
 * same check as in `npm run bench`. wrk warms it with the scenario (the JIT compiles as it would in a long
 * run), counting is turned on for the measured run and off after it, and the main thread's instructions
 * are divided by the requests wrk completed.
 *
 * Flags: --app realworld|heroes (SQLite) --servers (the app's) --scenarios (the app's, each by its name
 * or its last part: `favorite`) --warmup 30 --duration 20 (seconds; a server runs some 5 times slower
 * under callgrind while it does not count, 25 times slower while it does) --connections 8 --seed N
 * --keep. Needs valgrind (`apt-get install -y valgrind`) and wrk.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { benchAppNamed, fail, scenariosNamed } from './apps.ts'
import type { Answers, BenchApp } from './bench-app.ts'
import { SERVER_HOST, start, stop, type Server } from './servers.ts'
import { requireWrk, wrk, type Load } from './wrk.ts'

const { values: flags } = parseArgs({
  options: {
    app: { type: 'string', default: 'realworld' },
    servers: { type: 'string' },
    scenarios: { type: 'string' },
    warmup: { type: 'string', default: '30' },
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '8' },
    seed: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
})

function requireValgrind(): void {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' })
  } catch {
    fail('valgrind is not installed: apt-get install -y valgrind')
  }
}

/**
 * The main thread's count in `file`, the first dump callgrind wrote: with --separate-threads, the dump asked
 * for is `<out>.1-01` for thread 1 (the one at exit, `<out>-01`, counts nothing: counting is off by then).
 */
function mainThreadInstructions(file: string): number {
  const totals = existsSync(file) ? /^totals: (\d+)/m.exec(readFileSync(file, 'utf8')) : null
  const count = Number(totals?.[1] ?? 0)
  if (count === 0) throw new Error(`callgrind counted nothing in ${file}: was counting switched on?`)
  return count
}

/** Instructions a request of `server` on `scenario`, its main thread's. */
async function count(
  app: BenchApp,
  server: Server,
  scenario: string,
  reference: Answers | undefined,
  directory: string,
): Promise<{ perRequest: number; requests: number; answers: Answers }> {
  const base = `${server.name}-${scenario.replace(/\W/g, '_')}`
  const runner = [
    'valgrind',
    '-q',
    '--tool=callgrind',
    '--instr-atstart=no',
    '--separate-threads=yes',
    // V8 writes and rewrites machine code on its heap: callgrind must see every change of it.
    '--smc-check=all-non-file',
    `--callgrind-out-file=${join(directory, base)}`,
  ]
  const { child, url } = await start(server, await app.fresh(server), app.readyPath, {
    runner,
    timeoutMs: 300_000,
  })
  try {
    const { answers, env } = await app.check(url, reference)
    const { connections, warmup, duration } = flags
    // Counting slows a server down 25 times at once, and its first requests then wait on the JIT's code
    // being translated anew: wrk's 2 s would count some of them as timed out.
    const load: Load = { connections, warmup, duration, env, timeout: '60' }
    wrk(url, scenario, load.warmup, load)
    const control = (command: string): void => {
      // valgrind names the pipes it is controlled through after $HOST, which the server was started with.
      const controlEnv = { ...process.env, HOST: SERVER_HOST }
      const options = { env: controlEnv, stdio: 'ignore', timeout: 60_000 } as const
      execFileSync('callgrind_control', [command, String(child.pid)], options)
    }
    control('--instr=on')
    const output = wrk(url, scenario, load.duration, load)
    control('--instr=off')
    control('--dump')
    const requests = Number(/(\d+) requests in/.exec(output)?.[1] ?? 0)
    // A request that failed or timed out would make the server look cheap: none may.
    if (requests === 0 || /Non-2xx|Socket errors/.test(output))
      throw new Error(`${server.name} did not answer every request of ${scenario}:\n${output}`)
    const perRequest = mainThreadInstructions(join(directory, `${base}.1-01`)) / requests
    return { perRequest, requests, answers }
  } finally {
    await stop(child)
  }
}

requireWrk()
requireValgrind()
const app = await benchAppNamed(flags.app, 'sqlite', flags.seed)
const names = flags.servers?.split(',') ?? [...app.defaultServers]
const servers = names.map((name) => app.servers[name] ?? fail(`no server named ${name}`))
for (const server of servers) server.prepare?.()
const scenarios = scenariosNamed(app, flags.scenarios)
const directory = mkdtempSync(join(tmpdir(), 'onemodel-instructions-'))
if (flags.keep) console.log(`callgrind's files: ${directory}`)
else process.on('exit', () => rmSync(directory, { recursive: true, force: true }))

console.log(
  `${flags.app} on SQLite: ${app.description}; warm-up ${flags.warmup} s, counted ${flags.duration} s, ` +
    `${flags.connections} connections\n`,
)
const table = new Map<string, Map<string, number>>()
let reference: Answers | undefined
for (const scenario of scenarios) {
  const row = new Map<string, number>()
  table.set(scenario, row)
  // raw first: its answers are what the others' are checked against.
  for (const server of [...servers].sort((a, b) => Number(b.name === 'raw') - Number(a.name === 'raw'))) {
    const { perRequest, requests, answers } = await count(
      app,
      server,
      scenario,
      server.name === 'raw' ? undefined : reference,
      directory,
    )
    if (server.name === 'raw') reference = answers
    row.set(server.name, perRequest)
    console.log(
      `  ${server.name.padEnd(16)} ${scenario.padEnd(20)} ${Math.round(perRequest).toLocaleString('en').padStart(9)} instructions a request (${requests} requests)`,
    )
  }
}

const versus = ['raw', app.floor].filter((name): name is string => name !== undefined && names.includes(name))
const columns = [...names, ...versus.map((v) => `onemodel ÷ ${v}`)]
console.log(`\n| scenario | ${columns.join(' | ')} |`)
console.log(`| --- | ${columns.map(() => '---:').join(' | ')} |`)
const thousands = (count: number | undefined) => (count === undefined ? '—' : `${Math.round(count / 1000)}k`)
for (const [scenario, row] of table) {
  const counts = names.map((name) => thousands(row.get(name)))
  const ours = row.get('onemodel')
  const ratios = versus.map((v) => (ours === undefined ? '—' : (ours / row.get(v)!).toFixed(2)))
  console.log(`| ${scenario} | ${[...counts, ...ratios].join(' | ')} |`)
}
