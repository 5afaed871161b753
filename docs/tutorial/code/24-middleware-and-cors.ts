import { createApp, path } from 'onemodel-ts'

const app = createApp({
  cors: {
    allowOrigins: ['http://localhost:8080', 'https://heroes.example'],
    allowCredentials: true,
    allowMethods: ['*'],
    allowHeaders: ['*'],
  },
})

app.middleware(async function addProcessTimeHeader(request, next) {
  const start = performance.now()
  const response = await next()
  response.headers.set('x-process-time', String((performance.now() - start) / 1000))
})

app.middleware(async function logRequests(request, next) {
  console.log(`-> ${request.method} ${request.url}`)
  const response = await next()
  console.log(`<- ${response.status}, timed: ${response.headers.has('x-process-time')}`)
})

app.get('/items/{item_id}', { params: { item_id: path.integer() } }, async function readItem({ item_id }) {
  return { item_id }
})

const address = await app.listen({ port: 0, signals: false })

const item = await fetch(`${address}/items/5`)
console.log(item.status, await item.text(), 'timed:', item.headers.has('x-process-time'))

const invalid = await fetch(`${address}/items/five`)
console.log(invalid.status, 'timed:', invalid.headers.has('x-process-time'))

const preflight = await fetch(`${address}/items/5`, {
  method: 'OPTIONS',
  headers: {
    origin: 'https://heroes.example',
    'access-control-request-method': 'DELETE',
    'access-control-request-headers': 'authorization',
  },
})
console.log('preflight', preflight.status)
for (const name of ['origin', 'methods', 'headers', 'credentials']) {
  console.log(`  access-control-allow-${name}: ${preflight.headers.get(`access-control-allow-${name}`)}`)
}

const fromElsewhere = await fetch(`${address}/items/5`, { headers: { origin: 'https://evil.example' } })
console.log('from elsewhere', fromElsewhere.status, fromElsewhere.headers.get('access-control-allow-origin'))

await app.close()
