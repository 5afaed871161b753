/**
 * Runs the `onemodel` command as a user runs it: a real process of `src/cli/main.ts`, in a project
 * directory, without the caller's DATABASE_URL, PORT or HOST.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { REPO_ROOT } from './project.ts'

const MAIN = join(REPO_ROOT, 'src/cli/main.ts')

/** How a finished `onemodel` process ended. */
export interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** The environment without the caller's DATABASE_URL, PORT or HOST, plus `env`. */
function environment(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _url, PORT: _port, HOST: _host, ...rest } = process.env
  return { ...rest, ...env }
}

/** Starts `onemodel …` in `cwd` and leaves it running. */
export function start(cwd: string, args: readonly string[], env?: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--conditions=development', MAIN, ...args], { cwd, env: environment(env) })
}

/** Runs `onemodel …` in `cwd` to completion. */
export function onemodel(cwd: string, args: readonly string[], env?: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = start(cwd, args, env)
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (chunk) => (stdout += chunk))
    child.stderr!.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}
