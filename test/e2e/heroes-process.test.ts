/**
 * `npm start`'s program as a process: it serves on PORT/HOST/DATABASE_URL, and on SIGTERM or SIGINT it stops
 * accepting, finishes what is in flight, closes the engine and exits 0.
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, describe, test } from 'node:test'

const main = resolve(import.meta.dirname, '../../examples/heroes/main.ts')

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await new Promise((done) => server.once('listening', done))
  const { port } = server.address() as { port: number }
  await new Promise((done) => server.close(done))
  return port
}

async function startHeroes(): Promise<{ child: ChildProcess; url: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'onemodel-process-'))
  after(() => rmSync(dir, { recursive: true, force: true }))
  const port = await freePort()
  const child = spawn(process.execPath, ['--conditions=development', main], {
    cwd: dir,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:///${join(dir, 'h.db')}`,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  after(() => child.kill('SIGKILL'))
  await new Promise<void>((ready, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('Heroes API on') && ready())
    child.once('exit', (code) => fail(new Error(`exited early with ${code}`)))
  })
  return { child, url: `http://127.0.0.1:${port}`, dir }
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })))
}

describe('the Heroes API process', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} closes it gracefully: exit code 0, the engine closed`, async () => {
      const { child, url, dir } = await startHeroes()
      const created = await fetch(`${url}/heroes/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Deadpond', secret_name: 'Dive Wilson' }),
      })
      assert.equal(created.status, 200)
      const exited = exitOf(child)
      child.kill(signal)
      assert.deepEqual(await exited, { code: 0, signal: null })
      // The engine was disposed: SQLite checkpointed and removed its write-ahead log on close.
      assert.equal(existsSync(join(dir, 'h.db-wal')), false)
      await assert.rejects(fetch(`${url}/heroes/`), 'the port no longer accepts connections')
    })
  }
})
