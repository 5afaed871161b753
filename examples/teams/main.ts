/** `npm run start:teams`: serves the Heroes & Teams API. Env: PORT (8000), HOST (127.0.0.1), DATABASE_URL (sqlite:///database.db). */
import { teamsApp } from './app.ts'

const { app } = teamsApp()
const address = await app.listen({
  port: Number(process.env.PORT ?? 8000),
  host: process.env.HOST ?? '127.0.0.1',
})
console.log(`Heroes & Teams API on ${address}; docs at ${address}/docs`)
