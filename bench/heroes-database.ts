/**
 * The seeded heroes each measured run starts from, so the writes of one run never change the next: on
 * SQLite a copy of one seeded file, on PostgreSQL the `hero` table dropped and seeded again in the bench
 * database (databases.ts).
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import pg from 'pg'
import { ensurePostgresDatabase, POSTGRES_URL, redacted } from './databases.ts'

const root = resolve(import.meta.dirname, '..')

export interface HeroesDatabase {
  /** Where the data is, for the report. */
  readonly description: string
  /** A DATABASE_URL holding exactly the seeded heroes, for one server and scenario. */
  fresh(): Promise<string>
}

/** Seeds `heroes` heroes at `url` through onemodel (bench/seed.ts), and returns what seed.ts reports. */
function seed(url: string, heroes: number): string {
  return execFileSync(
    process.execPath,
    ['--conditions=development', join(root, 'bench/seed.ts'), url, String(heroes)],
    { encoding: 'utf8' },
  ).trim()
}

/** Seeds one SQLite file in `work` now; each fresh() is a copy of it. */
export function sqliteHeroes(work: string, heroes: number): HeroesDatabase {
  const seeded = join(work, 'seed.db')
  console.log(seed(`sqlite:///${seeded}`, heroes))
  let copies = 0
  return {
    description: 'a copy of one seeded SQLite file per run',
    async fresh() {
      const file = join(work, `run-${copies++}.db`)
      copyFileSync(seeded, file)
      return `sqlite:///${file}`
    },
  }
}

/** Creates the bench database when missing; each fresh() drops its `hero` table and seeds it again. */
export async function postgresHeroes(heroes: number): Promise<HeroesDatabase> {
  try {
    await ensurePostgresDatabase(POSTGRES_URL)
  } catch (error) {
    console.error(`${redacted(POSTGRES_URL)} does not answer (${(error as Error).message})`)
    process.exit(2)
  }
  let reported = false
  return {
    description: `the hero table of ${redacted(POSTGRES_URL)} seeded again before each run`,
    async fresh() {
      const client = new pg.Client({ connectionString: POSTGRES_URL })
      await client.connect()
      try {
        await client.query('drop table if exists hero')
      } finally {
        await client.end()
      }
      const report = seed(POSTGRES_URL, heroes)
      if (!reported) console.log(report)
      reported = true
      return POSTGRES_URL
    },
  }
}
