/** Loads a server with wrk from another process, and reads what it costs the server from /proc. */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
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

function wrk(url: string, scenario: string, seconds: string, load: Load): string {
  return execFileSync(
    'wrk',
    [
      '-t1',
      `-c${load.connections}`,
      `-d${seconds}s`,
      '--latency',
      '-s',
      join(scenarios, `${scenario}.lua`),
      url,
    ],
    { encoding: 'utf8', env: { ...process.env, ...load.env } },
  )
}

/** Warms the server at `url` (process `pid`) up with `scenario` (a script of scenarios/), then measures it. */
export function measure(url: string, pid: number, scenario: string, load: Load): Sample {
  wrk(url, scenario, load.warmup, load)
  const before = cpuTicks(pid)
  const started = performance.now()
  const output = wrk(url, scenario, load.duration, load)
  const seconds = (performance.now() - started) / 1000
  const cpu = (cpuTicks(pid) - before) / seconds
  return {
    requests: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? 0),
    p50: ms(/\s50%\s+(\S+)/.exec(output)?.[1] ?? ''),
    p90: ms(/\s90%\s+(\S+)/.exec(output)?.[1] ?? ''),
    p99: ms(/\s99%\s+(\S+)/.exec(output)?.[1] ?? ''),
    errors: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    cpu,
    rssMb: rssMb(pid),
  }
}
