/**
 * `npm run bench` (`--app heroes`, the default): the Heroes API of examples/heroes on SQLite or
 * PostgreSQL, the scenarios of bench/scenarios/*.lua.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BenchApp } from './bench-app.ts'
import { postgresHeroes, sqliteHeroes } from './heroes-database.ts'
import { SERVERS, smoke, type BenchDialect, type Server } from './servers.ts'

/** The Heroes bench on `dialect` with `heroes` seeded heroes, seeded now. */
export async function heroesBench(dialect: BenchDialect, heroes: number): Promise<BenchApp> {
  const servers: Record<string, Server> = SERVERS[dialect]
  const database = dialect === 'sqlite' ? sqliteHeroes(workDirectory(), heroes) : await postgresHeroes(heroes)
  return {
    servers,
    elsewhere: Object.keys(SERVERS.sqlite).filter((name) => !(name in servers)),
    peer: 'fastify-drizzle',
    defaultServers: ['raw', 'onemodel', 'fastify-drizzle'],
    scenarios: ['get_one', 'list', 'post', 'patch', 'mixed'],
    readyPath: '/heroes/1',
    description: `${heroes} heroes (${database.description})`,
    fresh: () => database.fresh(),
    check: async (url, reference) => ({
      answers: await smoke(url, reference),
      env: { BENCH_HEROES: String(heroes) },
    }),
    targets: (ratio) => {
      const versusPeer = ratio('get_one', 'fastify-drizzle')
      return versusPeer === undefined
        ? []
        : [`get_one: onemodel ÷ fastify-drizzle = ${versusPeer.toFixed(2)}`]
    },
  }
}

/** A temporary directory, removed when the process exits. */
export function workDirectory(): string {
  const work = mkdtempSync(join(tmpdir(), 'onemodel-bench-'))
  process.on('exit', () => rmSync(work, { recursive: true, force: true }))
  return work
}
