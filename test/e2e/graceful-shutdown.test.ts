/**
 * `onemodel serve` as a process, stopped with SIGTERM while a request is in flight: the request is
 * answered, its background task finishes, and only then does the lifespan shutdown run (where an app
 * disposes its engine); the process exits 0.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { start } from '../support/cli.ts'
import { tempProject } from '../support/project.ts'

const APP = `import { appendFileSync } from 'node:fs'
import { backgroundTasks, createApp } from 'onemodel-ts'

const log = (event: string) => appendFileSync('events.log', event + '\\n')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const app = createApp({ lifespan: { shutdown: () => log('lifespan shutdown') } })
app.post('/slow', { params: { background: backgroundTasks } }, async ({ background }) => {
  log('request arrived')
  await sleep(300)
  background.add(async function sendReport() {
    await sleep(300)
    log('task done')
  })
  log('handler done')
  return { queued: true }
})
`

/** What the app logged so far, one event a line. */
function eventsOf(dir: string): string[] {
  const path = join(dir, 'events.log')
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n') : []
}

describe('onemodel serve on SIGTERM', () => {
  test('answers the request in flight, finishes its task, then shuts down and exits 0', async () => {
    const dir = tempProject()
    writeFileSync(join(dir, 'app.ts'), APP)
    const child = start(dir, ['serve', 'app.ts', '--port', '0'])
    let output = ''
    child.stderr!.on('data', (chunk) => (output += chunk))
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000)
      child.stdout!.on('data', (chunk) => {
        output += chunk
        const match = /on (http:\/\/\S+) \(/.exec(output)
        if (match) {
          clearTimeout(timer)
          resolve(match[1]!)
        }
      })
    })
    const answer = fetch(`${url}/slow`, { method: 'POST', signal: AbortSignal.timeout(10_000) })
    // SIGTERM once the handler runs.
    for (let i = 0; i < 500 && !eventsOf(dir).includes('request arrived'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    child.kill('SIGTERM')
    const response = await answer
    assert.deepEqual([response.status, await response.json()], [200, { queued: true }])
    assert.equal(await exited, 0, output)
    assert.deepEqual(eventsOf(dir), ['request arrived', 'handler done', 'task done', 'lifespan shutdown'])
  })
})
