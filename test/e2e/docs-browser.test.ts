/**
 * `/docs` in a real browser: headless Chromium, driven through the Chrome DevTools Protocol with Node's own
 * WebSocket, loads the Heroes API's Swagger UI and renders every operation, and every request the page sends
 * goes to the app's own origin (no CDN, fonts, validator badge or source maps from elsewhere), so the page
 * works with the network off.
 *
 * Needs Debian's Chromium at /usr/bin/chromium: skipped without it, mandatory with CI=true (.ci/run installs it).
 */
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { App } from 'onemodel-ts'
import { heroesApp } from '../../examples/heroes/app.ts'
import { tempSqliteUrl } from '../support/sqlite.ts'

const CHROMIUM = '/usr/bin/chromium'
const INSTALL_HINT = 'chromium not installed: apt-get install -y chromium'
const skip = !existsSync(CHROMIUM) && process.env.CI !== 'true' ? INSTALL_HINT : false

let chromium: ChildProcess | undefined
let profile: string | undefined
let app: App | undefined
let cdp: Cdp | undefined

/** Kills Chromium's whole process group (browser, zygote, renderers); it was spawned detached to lead one. */
function killChromium(): void {
  const pid = chromium?.pid
  if (pid === undefined || chromium?.exitCode !== null || chromium.signalCode !== null) return
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    chromium.kill('SIGKILL')
  }
}

// Even if the runner dies before `after`, no browser is left behind.
process.once('exit', killChromium)

/** A timeout for Promise.race that does not keep the process alive once the race is won. */
const grace = (ms: number): Promise<void> => sleep(ms, undefined, { ref: false })

// Registered before tempSqliteUrl's hook, so the app closes before its database directory goes.
after(
  async () => {
    cdp?.close()
    if (chromium) {
      const exited = new Promise((resolve) => {
        if (chromium!.exitCode !== null || chromium!.signalCode !== null) resolve(undefined)
        else chromium!.once('exit', resolve)
      })
      killChromium()
      await Promise.race([exited, grace(5_000)])
    }
    if (profile) rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
    if (app) await Promise.race([app.close(), grace(5_000)])
  },
  { timeout: 15_000 },
)

const databaseUrl = skip ? '' : tempSqliteUrl('heroes.db')

test(
  '/docs renders the Heroes API in headless Chromium and loads nothing from another origin',
  { skip, timeout: 30_000 },
  async () => {
    assert.ok(existsSync(CHROMIUM), `${INSTALL_HINT} (mandatory with CI=true)`)

    app = heroesApp(databaseUrl).app
    const server = await app.listen({ port: 0, host: '127.0.0.1', signals: false })
    const origin = new URL(server).origin

    profile = mkdtempSync(join(tmpdir(), 'onemodel-chromium-'))
    chromium = spawn(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${profile}`,
        '--remote-debugging-port=0',
        'about:blank',
      ],
      { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
    )
    cdp = await Cdp.connect(await devToolsUrl(chromium, 15_000))

    const { targetId } = await cdp.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' })
    const { sessionId } = await cdp.send<{ sessionId: string }>('Target.attachToTarget', {
      targetId,
      flatten: true,
    })
    const page = cdp.session(sessionId)

    const requests = new Map<string, string>()
    const failed: string[] = []
    const exceptions: string[] = []
    const inFlight = new Set<string>()
    page.on('Network.requestWillBeSent', (p: { requestId: string; request: { url: string } }) => {
      requests.set(p.requestId, p.request.url)
      inFlight.add(p.requestId)
    })
    page.on(
      'Network.responseReceived',
      (p: { requestId: string; response: { url: string; status: number } }) => {
        if (p.response.status >= 400) failed.push(`${p.response.url} (HTTP ${p.response.status})`)
      },
    )
    page.on('Network.loadingFinished', (p: { requestId: string }) => inFlight.delete(p.requestId))
    page.on(
      'Network.loadingFailed',
      (p: { requestId: string; errorText: string; blockedReason?: string }) => {
        inFlight.delete(p.requestId)
        failed.push(`${requests.get(p.requestId)} (${p.blockedReason ?? p.errorText})`)
      },
    )
    page.on(
      'Runtime.exceptionThrown',
      (p: { exceptionDetails: { text: string; exception?: { description?: string } } }) =>
        exceptions.push(p.exceptionDetails.exception?.description ?? p.exceptionDetails.text),
    )
    await page.send('Network.enable')
    await page.send('Page.enable')
    await page.send('Runtime.enable')

    const loaded = page.once('Page.loadEventFired', 15_000)
    const navigation = await page.send<{ errorText?: string }>('Page.navigate', { url: `${origin}/docs` })
    assert.equal(navigation.errorText, undefined, `navigating to ${origin}/docs failed`)
    await loaded

    // Swagger UI fetches /openapi.json and renders after the load event: poll until the operations show.
    type Rendered = { title: string; operations: number; paths: string[] }
    const probe = `(() => ({
      title: document.querySelector('.info .title')?.textContent ?? '',
      operations: document.querySelectorAll('.opblock').length,
      paths: [...document.querySelectorAll('.opblock-summary-path')].map((e) => e.getAttribute('data-path')),
    }))()`
    let rendered: Rendered = { title: '', operations: 0, paths: [] }
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(100)) {
      rendered = await page.evaluate<Rendered>(probe)
      if (rendered.operations === 5 && rendered.title.includes('Heroes API')) break
    }
    assert.equal(rendered.operations, 5, `Swagger UI rendered ${rendered.operations} operations, not 5`)
    assert.match(rendered.title, /Heroes API/)
    assert.ok(rendered.paths.includes('/heroes/{hero_id}'), `paths: ${rendered.paths.join(', ')}`)
    assert.ok(rendered.paths.includes('/heroes/'), `paths: ${rendered.paths.join(', ')}`)

    // Let late requests (a validator badge, source maps, fonts) start and settle before judging them.
    for (let quiet = 0, deadline = Date.now() + 3_000; quiet < 3 && Date.now() < deadline; await sleep(100)) {
      quiet = inFlight.size === 0 ? quiet + 1 : 0
    }

    const urls = [...requests.values()]
    const elsewhere = urls.filter((url) => !/^(data|blob):/.test(url) && new URL(url).origin !== origin)
    assert.deepEqual(elsewhere, [], `requests to another origin than ${origin}:\n${elsewhere.join('\n')}`)
    assert.deepEqual(failed, [], `failed requests:\n${failed.join('\n')}`)
    assert.deepEqual(exceptions, [], `uncaught exceptions on the page:\n${exceptions.join('\n')}`)
    const paths = urls.map((url) => new URL(url).pathname)
    for (const path of ['/docs', '/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/openapi.json']) {
      assert.ok(paths.includes(path), `the page never requested ${path}; it requested:\n${urls.join('\n')}`)
    }
  },
)

/** Resolves with the `ws://…` URL Chromium prints on stderr ("DevTools listening on ws://…"). */
function devToolsUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    const done = (error?: Error, url?: string): void => {
      clearTimeout(timer)
      child.stderr!.off('data', onData)
      child.off('exit', onExit)
      child.off('error', reject)
      // Keep draining stderr, or a chatty browser would block on a full pipe.
      child.stderr!.resume()
      if (error) reject(error)
      else resolve(url!)
    }
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(output)
      if (match) done(undefined, match[1])
    }
    const onExit = (code: number | null, signal: string | null): void =>
      done(new Error(`chromium exited (${code ?? signal}) before DevTools listened:\n${output}`))
    const timer = setTimeout(
      () => done(new Error(`chromium printed no DevTools URL within ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    )
    child.stderr!.on('data', onData)
    child.once('exit', onExit)
    child.once('error', reject)
  })
}

type Listener = (params: any) => void

/** A minimal Chrome DevTools Protocol client over Node's built-in WebSocket, with flat sessions. */
class Cdp {
  #socket: WebSocket
  #nextId = 1
  #pending = new Map<number, { resolve: (result: any) => void; reject: (error: Error) => void }>()
  #listeners = new Map<string, Set<Listener>>()

  private constructor(socket: WebSocket) {
    this.#socket = socket
    socket.addEventListener('message', (event) => this.#receive(JSON.parse(String(event.data))))
    socket.addEventListener('close', () => {
      for (const { reject } of this.#pending.values()) reject(new Error('the DevTools connection closed'))
      this.#pending.clear()
    })
  }

  static connect(url: string, timeoutMs = 10_000): Promise<Cdp> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url)
      const timer = setTimeout(() => {
        socket.close()
        reject(new Error(`no DevTools connection to ${url} within ${timeoutMs} ms`))
      }, timeoutMs)
      socket.addEventListener('open', () => {
        clearTimeout(timer)
        resolve(new Cdp(socket))
      })
      socket.addEventListener('error', () => {
        clearTimeout(timer)
        reject(new Error(`cannot connect to DevTools at ${url}`))
      })
    })
  }

  send<T = unknown>(method: string, params: object = {}, sessionId?: string, timeoutMs = 10_000): Promise<T> {
    const id = this.#nextId++
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id)
        reject(new Error(`${method}: no answer within ${timeoutMs} ms`))
      }, timeoutMs)
      this.#pending.set(id, {
        resolve: (result) => (clearTimeout(timer), resolve(result)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      })
      this.#socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }))
    })
  }

  /** The commands and events of one attached target. */
  session(sessionId: string) {
    const on = (event: string, listener: Listener): void => {
      const key = `${sessionId}:${event}`
      const set = this.#listeners.get(key) ?? new Set()
      set.add(listener)
      this.#listeners.set(key, set)
    }
    return {
      send: <T = unknown>(method: string, params: object = {}) => this.send<T>(method, params, sessionId),
      on,
      once: (event: string, timeoutMs: number): Promise<unknown> =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs)
          const listener: Listener = (params) => {
            clearTimeout(timer)
            this.#listeners.get(`${sessionId}:${event}`)?.delete(listener)
            resolve(params)
          }
          on(event, listener)
        }),
      evaluate: async <T>(expression: string): Promise<T> => {
        const answer = await this.send<{ result: { value: T }; exceptionDetails?: { text: string } }>(
          'Runtime.evaluate',
          { expression, returnByValue: true },
          sessionId,
        )
        if (answer.exceptionDetails) throw new Error(`${expression}: ${answer.exceptionDetails.text}`)
        return answer.result.value
      },
    }
  }

  close(): void {
    this.#socket.close()
  }

  #receive(message: {
    id?: number
    method?: string
    params?: unknown
    sessionId?: string
    result?: unknown
    error?: { message: string }
  }): void {
    if (message.id !== undefined) {
      const pending = this.#pending.get(message.id)
      this.#pending.delete(message.id)
      if (message.error) pending?.reject(new Error(message.error.message))
      else pending?.resolve(message.result)
      return
    }
    for (const listener of this.#listeners.get(`${message.sessionId ?? ''}:${message.method}`) ?? []) {
      listener(message.params)
    }
  }
}
