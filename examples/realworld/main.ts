/**
 * `npm run start:realworld`: serves Conduit under `/api`. Env: PORT (8000), HOST (127.0.0.1), DATABASE_URL
 * (sqlite:///realworld.db), JWT_SECRET (a development default when unset).
 */
import { realWorldApp } from './app.ts'

if (process.env.JWT_SECRET === undefined) {
  console.warn('JWT_SECRET is not set: tokens are signed with a development secret. Set it before deploying.')
}
const { app } = realWorldApp()
const address = await app.listen({
  port: Number(process.env.PORT ?? 8000),
  host: process.env.HOST ?? '127.0.0.1',
})
console.log(`RealWorld Conduit API on ${address}/api; docs at ${address}/docs`)
