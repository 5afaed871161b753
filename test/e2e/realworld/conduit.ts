/**
 * The RealWorld app (examples/realworld) served on a real port for a test file, on one dialect, with the
 * SQL it runs recorded: `statements()` gives the statements of the last call, so a test can assert how
 * many queries an answer took.
 */
import assert from 'node:assert/strict'
import { after, before } from 'node:test'
import { createEngine } from 'onemodel-ts'
import { createRealWorldApp } from '../../../examples/realworld/app.ts'
import type { DialectUnderTest } from '../../support/dialects.ts'

export interface Answer {
  status: number
  /** The JSON body; `undefined` for an answer without one (204). */
  body: any
}

export interface CallOptions {
  json?: unknown
  /** Sent as `Authorization: Token <token>`. */
  token?: string
  /** Sent as the `Authorization` header as is. */
  authorization?: string
}

export interface RegisteredUser {
  username: string
  email: string
  password: string
  token: string
}

export interface Conduit {
  /** Where the app listens: `http://127.0.0.1:<port>`, the API being under `/api`. */
  origin(): string
  call(method: string, path: string, options?: CallOptions): Promise<Answer>
  /** The SQL statements the last call ran. */
  statements(): readonly string[]
  /** Every line the engine's echo wrote since the app started. */
  readonly log: readonly string[]
  /** Registers a user named `username` (password `password-<username>`), checking the 201. */
  register(username: string): Promise<RegisteredUser>
  /** Posts an article as `user`, checking the 201; returns the article. */
  publish(user: RegisteredUser, article: object): Promise<any>
}

/**
 * Serves the app on a fresh database of `dialect` for the tests of the enclosing `describe`: started
 * before them, closed after them.
 */
export function serveConduit(dialect: DialectUnderTest): Conduit {
  const log: string[] = []
  let origin = ''
  let close = async () => {}
  let mark = 0

  before(async () => {
    const engine = createEngine(await dialect.isolatedUrl(), { echo: true, logger: (line) => log.push(line) })
    const { app } = createRealWorldApp({ engine, jwtSecret: 'test secret' })
    origin = await app.listen({ port: 0, signals: false })
    close = () => app.close()
  })
  after(() => close())

  async function call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = {}
    if (options.json !== undefined) headers['content-type'] = 'application/json'
    if (options.token !== undefined) headers.authorization = `Token ${options.token}`
    if (options.authorization !== undefined) headers.authorization = options.authorization
    mark = log.length
    const response = await fetch(`${origin}/api${path}`, {
      method,
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
    })
    const text = await response.text()
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) }
  }

  async function register(username: string): Promise<RegisteredUser> {
    const user = { username, email: `${username}@example.com`, password: `password-${username}` }
    const answer = await call('POST', '/users', { json: { user } })
    assert.equal(answer.status, 201, JSON.stringify(answer.body))
    return { ...user, token: answer.body.user.token }
  }

  async function publish(user: RegisteredUser, article: object): Promise<any> {
    const answer = await call('POST', '/articles', { json: { article }, token: user.token })
    assert.equal(answer.status, 201, JSON.stringify(answer.body))
    return answer.body.article
  }

  return { origin: () => origin, call, statements: () => log.slice(mark), log, register, publish }
}

/** An article to publish, its fields numbered. */
export function draft(n: number, tagList: string[] = []) {
  return { title: `Article ${n}`, description: `About ${n}`, body: `The body of ${n}`, tagList }
}
