/** Loads a server with wrk from another process, and reads what it costs the server from /proc. */
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'

const scenarios = resolve(import.meta.dirname, 'scenarios')

/** One measured wrk run against one server. */
export interface Sample {
  requests: number
  p50: number
  p90: number
  p99: number
  errors: number
  cpu: number
  rssMb: number
}

/**
 * How wrk loads the server: connections, warm-up and measured seconds, and what the scenarios read from
 * their environment (the seeded ids, a token).
 */
export interface Load {
  connections: string
  warmup: string
  duration: string
  env: Record<string, string>
  /** Seconds after which wrk counts a request as timed out; wrk's own 2 by default. */
  timeout?: string
}

/** Exits with a hint when wrk is not installed. */
export function requireWrk(): void {
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

/** `pid` and its children: the workers of `onemodel serve --workers N` are the primary's children. */
function processes(pid: number): number[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
  )
  return [pid, ...children]
}

/** A process's /proc file, or nothing when it exited meanwhile. */
function proc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8')
  } catch {
    return ''
  }
}

function cpuTicks(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => {
    const fields = proc(pid, 'stat').split(') ')[1]?.split(' ') ?? []
    return sum + Number(fields[11] ?? 0) + Number(fields[12] ?? 0) // utime + stime, in clock ticks (100 per second)
  }, 0)
}

function rssMb(pids: readonly number[]): number {
  return pids.reduce(
    (sum, pid) => sum + Number(/VmRSS:\s+(\d+)/.exec(proc(pid, 'status'))?.[1] ?? 0) / 1024,
    0,
  )
}

function ms(text: string): number {
  const match = /([\d.]+)(us|ms|s)/.exec(text)
  if (!match) return NaN
  const value = Number(match[1])
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value
}

/** wrk's report of `scenario` loading `url` for `seconds`, one thread and `load.connections` connections. */
export function wrk(url: string, scenario: string, seconds: string, load: Load): string {
  return execFileSync(
    'wrk',
    [
      '-t1',
      `-c${load.connections}`,
      `-d${seconds}s`,
      ...(load.timeout === undefined ? [] : [`--timeout=${load.timeout}s`]),
      '--latency',
      '-s',
      join(scenarios, `${scenario}.lua`),
      url,
    ],
    { encoding: 'utf8', env: { ...process.env, ...load.env } },
  )
}

/**
 * Warms the server at `url` (process `pid`, with its worker processes if any) up with `scenario`, then
 * measures it; CPU and memory are those of all its processes.
 */
export function measure(url: string, pid: number, scenario: string, load: Load): Sample {
  wrk(url, scenario, load.warmup, load)
  const pids = processes(pid)
  const before = cpuTicks(pids)
  const started = performance.now()
  const output = wrk(url, scenario, load.duration, load)
  const seconds = (performance.now() - started) / 1000
  const cpu = (cpuTicks(pids) - before) / seconds
  return {
    requests: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0),
    p50: ms(/\s50%\s+(\S+)/.exec(output)?.[1] ?? ''),
    p90: ms(/\s90%\s+(\S+)/.exec(output)?.[1] ?? ''),
    p99: ms(/\s99%\s+(\S+)/.exec(output)?.[1] ?? ''),
    errors: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    cpu,
    rssMb: rssMb(pids),
  }
}
