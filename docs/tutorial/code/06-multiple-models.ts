import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { heroesApp } from '../../../examples/heroes/app.ts'

// A new database in a temporary directory, so every run starts empty (DATABASE_URL picks another one).
const dir = mkdtempSync(join(tmpdir(), 'heroes-'))
const { app } = heroesApp(process.env.DATABASE_URL ?? `sqlite:///${join(dir, 'database.db')}`)
const address = await app.listen({ port: 0, signals: false })

async function call(method: string, url: string, json?: object): Promise<void> {
  const response = await fetch(address + url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: json === undefined ? undefined : JSON.stringify(json),
  })
  console.log(method, url, response.status, JSON.stringify(await response.json()))
}

await call('POST', '/heroes/', { name: 'Deadpond', secret_name: 'Dive Wilson' })
await call('PATCH', '/heroes/1', { age: 35 })
await call('GET', '/heroes/?limit=101')
await call('GET', '/heroes/2')

const docs = await fetch(address + '/docs')
console.log('GET /docs', docs.status, docs.headers.get('content-type'))
const openapi = await fetch(address + '/openapi.json')
const { components } = (await openapi.json()) as { components: { schemas: object } }
console.log('schemas:', Object.keys(components.schemas).join(', '))

await app.close()
rmSync(dir, { recursive: true, force: true })
