/** `npm start`: serves the Heroes API. Env: PORT (8000), HOST (127.0.0.1), DATABASE_URL (sqlite:///database.db). */
import { heroesApp } from './app.ts'

const { app } = heroesApp()
const address = await app.listen({
  port: Number(process.env.PORT ?? 8000),
  host: process.env.HOST ?? '127.0.0.1',
})
console.log(`Heroes API on ${address}; docs at ${address}/docs`)
