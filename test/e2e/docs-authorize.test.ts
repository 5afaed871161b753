/**
 * The Authorize button of `/docs` in a real browser: headless Chromium, driven by playwright-core, opens
 * Swagger UI of a listening app whose route is protected by `oauth2PasswordBearer()`, logs in through the
 * password flow's dialog (Swagger UI posts the form to the scheme's `tokenUrl`), then "Try it out" calls
 * the protected route with the token and shows 200; before authorizing, the same call shows 401. With OAuth2
 * scopes, the dialog lists them with their descriptions and the ones ticked reach the token route, whose
 * token then opens a route that requires them.
 *
 * Needs Debian's Chromium at /usr/bin/chromium: skipped without it, mandatory with CI=true (.ci/run installs it).
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import {
  createApp,
  depends,
  HTTPError,
  oauth2PasswordBearer,
  oauth2PasswordRequestForm,
  security,
  securityScopes,
  type App,
} from 'onemodel-ts'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

const CHROMIUM = '/usr/bin/chromium'
const INSTALL_HINT = 'chromium not installed: apt-get install -y chromium'
const skip = !existsSync(CHROMIUM) && process.env.CI !== 'true' ? INSTALL_HINT : false

const apps: App[] = []
let browser: BrowserContext | undefined
let profile: string | undefined

after(
  async () => {
    await browser?.close()
    if (profile) rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
    await Promise.all(apps.map((app) => app.close()))
  },
  { timeout: 15_000 },
)

/** Serves `app` and opens its `/docs` in Chromium (launched once for the file), once `operation` shows. */
async function openDocs(app: App, operation: string): Promise<Page> {
  apps.push(app)
  const origin = await app.listen({ port: 0, host: '127.0.0.1', signals: false })
  if (!browser) {
    profile = mkdtempSync(join(tmpdir(), 'onemodel-chromium-'))
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
  }
  const page = await browser.newPage()
  await page.goto(`${origin}/docs`)
  await page.locator(`#operations-default-${operation}`).waitFor({ timeout: 15_000 })
  return page
}

/** The bodies of the requests `page` sends to `/token`. */
function tokenRequestsOf(page: Page): string[] {
  const bodies: string[] = []
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/token') bodies.push(request.postData() ?? '')
  })
  return bodies
}

/** An app whose `/users/me` needs the token that `/token` gives for johndoe's password. */
function protectedApp(): App {
  const oauth2Scheme = oauth2PasswordBearer({ tokenUrl: 'token' })
  const currentUser = depends({ token: oauth2Scheme }, function currentUser({ token }) {
    return token === 'token-of-johndoe' ? { username: 'johndoe' } : HTTPError.raise(401, 'Invalid token')
  })
  const protectedApi = createApp({ title: 'Authorize test' })
  protectedApi.post('/token', { params: { login: oauth2PasswordRequestForm } }, function login({ login }) {
    if (login.username !== 'johndoe' || login.password !== 'secret') {
      throw new HTTPError(400, 'Incorrect username or password')
    }
    return { access_token: 'token-of-johndoe', token_type: 'bearer' }
  })
  protectedApi.get('/users/me', { params: { user: currentUser } }, function readUsersMe({ user }) {
    return user
  })
  return protectedApi
}

/** Expands an operation, runs "Try it out" then "Execute", and returns the status shown. */
async function tryOperation(page: Page, operationId: string): Promise<string> {
  const operation = page.locator(`#operations-default-${operationId}`)
  if (!(await operation.locator('.opblock-body').isVisible()))
    await operation.locator('.opblock-summary').click()
  const tryItOut = operation.locator('button.try-out__btn')
  if ((await tryItOut.textContent())?.includes('Try it out')) await tryItOut.click()
  // A previous run's answer would satisfy the wait below: clear it first when Swagger UI offers to.
  const clear = operation.locator('button.btn-clear')
  if (await clear.isVisible()) await clear.click()
  await operation.locator('button.execute').click()
  const status = operation.locator('.live-responses-table .response .response-col_status')
  await status.waitFor({ timeout: 10_000 })
  // The cell reads `401 Undocumented` for a status the document does not list: keep the code.
  return /\d{3}/.exec((await status.textContent()) ?? '')?.[0] ?? ''
}

test(
  '/docs: Authorize with the password flow, then Try it out calls the protected route with the token',
  { skip, timeout: 60_000 },
  async () => {
    assert.ok(existsSync(CHROMIUM), `${INSTALL_HINT} (mandatory with CI=true)`)
    const page = await openDocs(protectedApp(), 'read_users_me_users_me_get')
    const tokenRequests = tokenRequestsOf(page)
    const tryUsersMe = () => tryOperation(page, 'read_users_me_users_me_get')

    assert.equal(await tryUsersMe(), '401', 'before authorizing, the route refuses the call')

    await page.locator('.auth-wrapper button.authorize').click()
    const dialog = page.locator('.auth-container').first()
    await dialog.locator('input#oauth_username').fill('johndoe')
    await dialog.locator('input#oauth_password').fill('secret')
    await dialog.locator('button.modal-btn.authorize').click()
    // Swagger UI shows "Logout" once the token route answered with a token.
    await dialog.locator('button.modal-btn', { hasText: 'Logout' }).waitFor({ timeout: 10_000 })
    await page.locator('.modal-ux button.close-modal').click()

    assert.equal(tokenRequests.length, 1)
    const form = new URLSearchParams(tokenRequests[0])
    assert.deepEqual(
      [form.get('grant_type'), form.get('username'), form.get('password')],
      ['password', 'johndoe', 'secret'],
    )

    assert.equal(await tryUsersMe(), '200', 'after authorizing, the route answers')
    const body = await page
      .locator(
        '#operations-default-read_users_me_users_me_get .live-responses-table .response-col_description pre',
      )
      .first()
      .textContent()
    assert.deepEqual(JSON.parse(body!), { username: 'johndoe' })
  },
)

/** An app whose `/users/me/items/` requires the `items` scope, which the token of `/token` carries when asked. */
function scopedApp(): App {
  const oauth2Scheme = oauth2PasswordBearer({
    tokenUrl: 'token',
    scopes: { me: 'Read information about the current user.', items: 'Read items.' },
  })
  const currentUser = depends({ required: securityScopes, token: oauth2Scheme }, ({ required, token }) => {
    const granted = token.split(' ')
    if (!required.scopes.every((scope) => granted.includes(scope))) {
      throw new HTTPError(401, 'Not enough permissions', {
        'WWW-Authenticate': `Bearer scope="${required.scopeStr}"`,
      })
    }
    return { username: 'johndoe' }
  })
  const scopedApi = createApp({ title: 'Scopes test' })
  scopedApi.post('/token', { params: { login: oauth2PasswordRequestForm } }, function login({ login }) {
    return { access_token: login.scopes.join(' '), token_type: 'bearer' }
  })
  scopedApi.get(
    '/users/me/items/',
    { params: { user: security(currentUser, { scopes: ['items'] }) } },
    function readOwnItems({ user }) {
      return [{ item_id: 'Foo', owner: user.username }]
    },
  )
  return scopedApi
}

test(
  '/docs: the Authorize dialog lists the scopes; the ones ticked reach the token route and open the route',
  { skip, timeout: 60_000 },
  async () => {
    assert.ok(existsSync(CHROMIUM), `${INSTALL_HINT} (mandatory with CI=true)`)
    const operationId = 'read_own_items_users_me_items__get'
    const page = await openDocs(scopedApp(), operationId)
    const tokenRequests = tokenRequestsOf(page)

    await page.locator('.auth-wrapper button.authorize').click()
    const dialog = page.locator('.auth-container').first()
    const scopes = dialog.locator('.scopes .checkbox')
    assert.deepEqual(await scopes.locator('p.name').allTextContents(), ['me', 'items'])
    assert.deepEqual(await scopes.locator('p.description').allTextContents(), [
      'Read information about the current user.',
      'Read items.',
    ])
    await dialog.locator('input#oauth_username').fill('johndoe')
    await dialog.locator('input#oauth_password').fill('secret')
    await dialog.locator('label[for="items-password-checkbox-OAuth2PasswordBearer"]').click()
    await dialog.locator('button.modal-btn.authorize').click()
    await dialog.locator('button.modal-btn', { hasText: 'Logout' }).waitFor({ timeout: 10_000 })
    await page.locator('.modal-ux button.close-modal').click()

    assert.equal(tokenRequests.length, 1)
    assert.equal(new URLSearchParams(tokenRequests[0]).get('scope'), 'items')
    assert.equal(await tryOperation(page, operationId), '200', 'the token with the scope opens the route')
  },
)
