import { spawn } from 'node:child_process'
import cluster, { type Worker } from 'node:cluster'
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseCommand, UsageError, type ExitCode, type Io } from '../args.ts'

export const SERVE_USAGE = `Usage: onemodel serve <module>[:<export>] [--port <n>] [--host <host>] [--workers <n>] [--reload]

Serves the app a module exports. The app is, in this order:
  1. the export named after the colon (onemodel serve app.ts:heroesApp);
  2. the default export, else the export named \`app\`;
  3. else the one exported function whose name ends in "App" (a factory, such as heroesApp).
An export is used as it is when it is an App (from createApp()); a function is called with no arguments
(and awaited), and may return an App or an object with an \`app\` property, like { app, engine }.

Options:
  --port <n>      the port (default PORT, else 8000; 0 picks a free one)
  --host <host>   the interface (default HOST, else 127.0.0.1; 0.0.0.0 for every one)
  --workers <n>   processes sharing the port through node:cluster (default 1; 0 for one per CPU)
  --reload        restart when the module or a file it imports changes (development; Node's --watch)

Example: onemodel serve examples/heroes/app.ts --port 8000 --workers 4`

/** What serve needs of an app: `App` has these, and so has a Fastify instance. */
interface Listener {
  listen(options: { port: number; host: string; signals?: false }): Promise<string>
  close(): Promise<void>
}

/** `onemodel serve …` */
export async function serve(args: readonly string[], io: Io): Promise<ExitCode> {
  const { values, positionals } = parseCommand(
    args,
    {
      port: { type: 'string' },
      host: { type: 'string' },
      workers: { type: 'string' },
      reload: { type: 'boolean' },
    },
    SERVE_USAGE,
  )
  if (values.help) {
    io.stdout(SERVE_USAGE)
    return 0
  }
  if (positionals.length !== 1)
    throw new UsageError('serve needs one module: onemodel serve app.ts', SERVE_USAGE)
  const port = integer(values.port ?? io.env.PORT ?? '8000', 'port', 0, 65535)
  const host = values.host ?? io.env.HOST ?? '127.0.0.1'
  const requested = integer(values.workers ?? '1', 'workers', 0, 1024)
  const workers = requested === 0 ? availableParallelism() : requested
  const target = parseTarget(positionals[0]!, io.cwd)
  if (values.reload) {
    if (workers > 1) throw new UsageError('--reload serves one process; leave out --workers', SERVE_USAGE)
    return reloading(
      args.filter((arg) => arg !== '--reload'),
      io,
    )
  }

  if (workers > 1 && cluster.isPrimary) return supervise(workers, target.file, io)
  const app = await loadApp(target.file, target.name)
  const address = await app.listen({ port, host, signals: false })
  closeOnSignal(app)
  if (cluster.isWorker) process.send!({ onemodel: 'listening', address })
  else io.stdout(`onemodel serve: ${target.file} on ${address} (pid ${process.pid})`)
  return undefined
}

/**
 * `--reload`: runs this same command under Node's `--watch`, which restarts it when the module or anything
 * it imports changes. Signals go to the watched process; its exit is this command's.
 */
function reloading(args: readonly string[], io: Io): Promise<ExitCode> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, '--watch', process.argv[1]!, 'serve', ...args],
    {
      cwd: io.cwd,
      env: io.env,
      stdio: 'inherit',
    },
  )
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal)
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  return new Promise((done) =>
    child.once('exit', (code) => {
      process.off('SIGINT', forward)
      process.off('SIGTERM', forward)
      done(code === 0 ? 0 : 1)
    }),
  )
}

/**
 * SIGINT or SIGTERM closes the app gracefully (requests in flight finish with their background tasks and
 * cleanup, then the lifespan shutdown runs) and the process exits; a second signal exits at once. A worker also leaves the cluster, whose channel
 * would otherwise keep it alive.
 */
function closeOnSignal(app: Listener): void {
  let closing = false
  const onSignal = (): void => {
    if (closing) process.exit(1)
    closing = true
    void app.close().finally(() => {
      if (cluster.isWorker) process.disconnect()
      // Whatever the app left open (a pool it did not dispose) must not keep the process alive.
      setTimeout(() => process.exit(0), 2000).unref()
    })
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}

/** The primary of `--workers N`: forks the workers (each runs this same command) and keeps them running. */
function supervise(count: number, file: string, io: Io): Promise<ExitCode> {
  return new Promise((done) => {
    const listening = new Map<number, string>()
    let stopping = false
    let announced = false
    const fork = (): Worker => {
      const worker = cluster.fork()
      worker.on('message', (message: { onemodel?: string; address?: string }) => {
        if (message?.onemodel !== 'listening') return
        listening.set(worker.id, message.address!)
        if (!announced && listening.size === count) {
          announced = true
          io.stdout(
            `onemodel serve: ${file} on ${message.address} (${count} workers, primary pid ${process.pid})`,
          )
        }
      })
      return worker
    }
    const finish = (code: ExitCode) => {
      // A connection the cluster was handing to a worker as it exited stays open in the primary for good.
      setTimeout(() => process.exit(code), 1000).unref()
      done(code)
    }
    const stop = (code: ExitCode) => {
      if (stopping) return
      stopping = true
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined)
      if (workers.length === 0) return finish(code)
      // Workers close gracefully on SIGTERM (requests in flight finish); a stuck one is killed after 10 s.
      const timer = setTimeout(() => workers.forEach((w) => w.process.kill('SIGKILL')), 10_000)
      timer.unref()
      for (const worker of workers) worker.process.kill('SIGTERM')
      cluster.on('exit', () => {
        if (Object.keys(cluster.workers ?? {}).length === 0) finish(code)
      })
    }
    cluster.on('exit', (worker, exitCode, signal) => {
      if (stopping) return
      const started = listening.delete(worker.id)
      if (!started) {
        // A worker that dies before it listens would die again: the module or the port is the problem.
        io.stderr(
          `onemodel serve: a worker exited before it listened (code ${exitCode ?? signal}); stopping.`,
        )
        return stop(1)
      }
      io.stderr(
        `onemodel serve: worker ${worker.process.pid} exited (${signal ?? `code ${exitCode}`}); starting another.`,
      )
      fork()
    })
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop(0))
    for (let i = 0; i < count; i++) fork()
  })
}

/** `app.ts:heroesApp` → the file and the export; a Windows drive letter's colon is not a separator. */
function parseTarget(spec: string, cwd: string): { file: string; name: string | undefined } {
  const match = /^(.+?):([A-Za-z_$][\w$]*)$/.exec(spec)
  if (match && match[1]!.length > 1) return { file: resolve(cwd, match[1]!), name: match[2] }
  return { file: resolve(cwd, spec), name: undefined }
}

/** Imports the module and finds its app by the convention {@link SERVE_USAGE} describes. */
async function loadApp(file: string, name: string | undefined): Promise<Listener> {
  const module: Record<string, unknown> = await import(pathToFileURL(file).href)
  let candidate: unknown
  let described: string
  if (name !== undefined) {
    if (!(name in module))
      throw new Error(`${file} has no export named ${name}. Its exports: ${Object.keys(module).join(', ')}.`)
    candidate = module[name]
    described = `export ${name}`
  } else if (module.default !== undefined || module.app !== undefined) {
    candidate = module.default ?? module.app
    described = module.default !== undefined ? 'the default export' : 'export app'
  } else {
    const factories = Object.entries(module).filter(
      ([key, value]) => typeof value === 'function' && /App$/.test(key),
    )
    if (factories.length !== 1) {
      throw new Error(
        `${file} exports no default, no app, and ${factories.length === 0 ? 'no function ending in "App"' : `several functions ending in "App" (${factories.map(([k]) => k).join(', ')})`}. Name the export: onemodel serve ${file}:<export>.`,
      )
    }
    ;[name, candidate] = factories[0]!
    described = `export ${name}()`
  }
  if (typeof candidate === 'function' && !isListener(candidate))
    candidate = await (candidate as () => unknown)()
  if (!isListener(candidate) && isListener((candidate as { app?: unknown } | null)?.app)) {
    candidate = (candidate as { app: unknown }).app
  }
  if (!isListener(candidate)) {
    throw new Error(
      `${file}: ${described} is not an app (from createApp()), a function returning one, or { app }.`,
    )
  }
  return candidate
}

function isListener(value: unknown): value is Listener {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Listener).listen === 'function' &&
    typeof (value as Listener).close === 'function'
  )
}

function integer(text: string, option: string, min: number, max: number): number {
  const value = Number(text)
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(
      `--${option} must be a whole number from ${min} to ${max}, not "${text}".`,
      SERVE_USAGE,
    )
  }
  return value
}
