/**
 * `pool.idleTimeout` on the servers: a connection idle longer than it is closed, one idle less long is
 * kept, and the closing needs no `dispose()` to let the process exit.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { describe, test } from 'node:test'
import { createEngine, sql, type Engine } from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'

const root = resolve(import.meta.dirname, '../..')

for (const dialect of DIALECTS.filter((d) => d.name !== 'sqlite')) {
  /** The server's id of the session the statement ran on: another id is another connection. */
  async function sessionId(engine: Engine): Promise<number> {
    const id = dialect.name === 'postgres' ? sql`pg_backend_pid()` : sql`connection_id()`
    const { rows } = await sql<{ id: number }>`select ${id} as id`.execute(engine.db)
    return Number(rows[0]!.id)
  }

  /** The session ids of two statements run 2.5 s apart, by one connection at a time. */
  async function idsApart(idleTimeout: number): Promise<[number, number]> {
    await using engine = createEngine(await dialect.isolatedUrl(), { pool: { size: 2, idleTimeout } })
    const first = await sessionId(engine)
    await new Promise((resolve) => setTimeout(resolve, 2500))
    return [first, await sessionId(engine)]
  }

  describe(`pool.idleTimeout, ${dialect.name}`, () => {
    test('a connection idle longer than it is closed, and the next statement logs in anew', async () => {
      const [first, second] = await idsApart(1000)
      assert.notEqual(second, first)
    })

    test('a connection idle less long than it is kept', async () => {
      const [first, second] = await idsApart(30_000)
      assert.equal(second, first)
    })

    test('once its connections are closed as idle, the process exits without dispose()', async () => {
      // A child that queries and returns from its module: the closed connections, and any timer of the
      // pool's, must not keep its event loop alive.
      const program = `
        import { createEngine, sql } from 'onemodel-ts'
        const engine = createEngine(process.env.URL, { pool: { idleTimeout: 500 } })
        await sql\`select 1\`.execute(engine.db)
        console.log('queried')
      `
      const url = await dialect.isolatedUrl()
      const output = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--conditions=development', '--input-type=module', '--eval', program],
          {
            cwd: root,
            env: { ...process.env, URL: url },
            timeout: 15_000,
            killSignal: 'SIGKILL',
          },
          (error, stdout, stderr) =>
            error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
        )
      })
      assert.equal(output.trim(), 'queried')
    })
  })
}
