/**
 * The servers of the benches: how each is started on a database and stopped, and those of the Heroes
 * bench, by dialect, with the check each passes before it is timed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { once } from 'node:events'
import { createServer, type AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const root = resolve(import.meta.dirname, '..')
const peerDir = join(root, 'bench/baselines/fastify-drizzle')

export interface Server {
  readonly name: string
  readonly args: readonly string[]
  readonly prepare?: () => void
}

const onemodel: Server = {
  name: 'onemodel',
  args: ['--conditions=development', join(root, 'examples/heroes/main.ts')],
}

/**
 * `onemodel serve examples/heroes/app.ts --workers <count>`, as a deployment runs it: with two or more,
 * the processes share the port through node:cluster, each with its own engine and pool of 10.
 */
function served(workers: number): Server {
  const cli = join(root, 'src/cli/main.ts')
  const app = join(root, 'examples/heroes/app.ts')
  return {
    name: `workers-${workers}`,
    args: ['--conditions=development', cli, 'serve', app, '--workers', String(workers)],
  }
}

/** The servers each dialect can run; `raw` is the ceiling the others are compared with. */
export const SERVERS = {
  sqlite: {
    raw: { name: 'raw', args: [join(root, 'bench/baselines/raw/server.ts')] },
    onemodel,
    'fastify-drizzle': {
      name: 'fastify-drizzle',
      args: [join(peerDir, 'server.ts')],
      prepare: () => {
        if (existsSync(join(peerDir, 'node_modules'))) return
        console.log('installing the Fastify + Drizzle peer (bench/baselines/fastify-drizzle)…')
        execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: peerDir, stdio: 'inherit' })
      },
    },
  },
  postgres: {
    raw: { name: 'raw', args: [join(root, 'bench/baselines/raw-pg/server.ts')] },
    onemodel,
    'workers-1': served(1),
    'workers-2': served(2),
  },
} satisfies Record<string, Record<string, Server>>

export type BenchDialect = keyof typeof SERVERS

/** A port nothing listens on now, from the system, so that benches and tests running at once never meet. */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as AddressInfo // a TCP server's address is never a pipe's name
  await new Promise((resolve) => probe.close(resolve))
  return port
}

const START_TIMEOUT_MS = 30_000

/** The address every bench server listens on (its `HOST`). */
export const SERVER_HOST = '127.0.0.1'

/** How {@link start} runs a server: under another program, and how long it may take to answer. */
export interface StartOptions {
  /** A program and its arguments that run node, as `valgrind --tool=callgrind`; none by default. */
  readonly runner?: readonly string[]
  /** How long it may take to answer `readyPath`; 30 s by default. */
  readonly timeoutMs?: number
}

/** Starts `server` on `databaseUrl`, and resolves once it answers `readyPath`. */
export async function start(
  server: Server,
  databaseUrl: string,
  readyPath = '/heroes/1',
  { runner = [], timeoutMs = START_TIMEOUT_MS }: StartOptions = {},
): Promise<{ child: ChildProcess; url: string }> {
  const script = server.args.find((arg) => arg.endsWith('.ts'))!
  if (!existsSync(script)) throw new Error(`${server.name}: ${script} does not exist`)
  const port = await freePort()
  const [command, ...args] = [...runner, process.execPath, ...server.args]
  const child = spawn(command!, args, {
    env: { ...process.env, PORT: String(port), HOST: SERVER_HOST, DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://${SERVER_HOST}:${port}`
  // Generous: a server loads its modules slowly while the test suite keeps both cores busy (the peer once
  // took more than 10 s there).
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      await fetch(url + readyPath)
      return { child, url }
    } catch {
      await sleep(100)
    }
  }
  child.kill()
  const why = child.exitCode === null ? ` within ${timeoutMs / 1000} s` : `: it exited with ${child.exitCode}`
  throw new Error(`${server.name} did not start${why}`)
}

/** Stops a server gracefully, or kills it after 5 s. */
export async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))])
}

/**
 * The same answers as the raw server (`reference`, its bodies), a 422 on limit=101, the 404 shape, and no
 * secret_name. Returns the bodies it read.
 */
export async function smoke(
  url: string,
  reference: Map<string, string> | undefined,
): Promise<Map<string, string>> {
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
