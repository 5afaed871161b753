/**
 * session.stream() over 1,000,000 rows, on every dialect of DIALECTS: the heap stays within a bound far
 * below what keeping the rows would take. Measured with the garbage collector run before each sample, so
 * only what something still holds is counted: an exec() of the same rows holds about 440 MB of them.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { sql, type RawBuilder } from 'kysely'
import {
  createAll,
  createEngine,
  field,
  Metadata,
  model,
  select,
  Session,
  table,
  type DialectName,
  type Engine,
} from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'

const ROWS = 1_000_000
/**
 * Heap growth allowed while streaming: a chunk of rows and the drivers' buffers take about 4 MB. The rows
 * a Session would keep take over 400 MB; a driver that buffered the raw rows, well over 100 MB.
 */
const BOUND = 50 * 1024 * 1024
const SAMPLES = 10

// The collector, without starting the test process with --expose-gc: a new context sees the flag.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

/** The heap in use once the collector has freed what nothing holds. */
function heapUsed(): number {
  gc()
  return process.memoryUsage().heapUsed
}

const DIGITS = Array.from({ length: 10 }, (_, d) => `select ${d} as d`).join(' union all ')
const PLACES = ['a', 'b', 'c', 'd', 'e', 'f'] // 10^6 = ROWS

/** The numbers 1…ROWS as a column `i`, in one statement: no million round trips. */
const NUMBERS: Record<DialectName, string> = {
  sqlite: `with recursive n(i) as (select 1 union all select i + 1 from n where i < ${ROWS}) select i from n`,
  postgres: `select i from generate_series(1, ${ROWS}) as n(i)`,
  // Six cross-joined digits: MySQL 8 caps recursive CTEs at 1000 rows unless told otherwise.
  mysql: `select 1 + ${PLACES.map((place, power) => `${10 ** power} * ${place}.d`).join(' + ')} as i from ${PLACES.map((place) => `(${DIGITS}) as ${place}`).join(', ')}`,
}

// The tutorial's hero, without its indexes, which would only slow the seeding down.
const metadata = new Metadata()
const Hero = table(
  'hero',
  model('Hero', {
    id: field.integer({ primaryKey: true }),
    name: field.string({ maxLength: 40 }),
    secret_name: field.string({ maxLength: 40 }),
    age: field.integer({ nullable: true, default: null }),
  }),
  { metadata },
)

function seed(dialect: DialectName): RawBuilder<unknown> {
  const name = dialect === 'mysql' ? `concat('Hero ', i)` : `'Hero ' || i`
  const secret = dialect === 'mysql' ? `concat('Secret ', i)` : `'Secret ' || i`
  return sql.raw(
    `insert into hero (id, name, secret_name, age) select i, ${name}, ${secret}, i % 100 from (${NUMBERS[dialect]}) as numbers`,
  )
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: session.stream() of ${ROWS} rows`, { timeout: 120_000 }, () => {
    let engine: Engine
    before(async () => {
      engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata })
      const started = performance.now()
      await seed(dialect.name).execute(engine.db)
      console.log(`${dialect.name}: seeded ${ROWS} rows in ${Math.round(performance.now() - started)} ms`)
    })
    after(() => engine?.dispose())

    test('keeps the heap bounded while it reads them all, in order', async () => {
      await using session = new Session(engine)
      const baseline = heapUsed()
      let peak = baseline
      let read = 0
      let inOrder = 0
      const started = performance.now()
      for await (const hero of session.stream(select(Hero).orderBy(Hero.c.id))) {
        if (hero.id === ++read) inOrder++
        if (read % (ROWS / SAMPLES) === 0) peak = Math.max(peak, heapUsed())
      }
      const seconds = (performance.now() - started) / 1000
      const growth = peak - baseline
      console.log(
        `${dialect.name}: streamed ${read} rows in ${seconds.toFixed(1)} s; heap ${mb(baseline)} before, ` +
          `${mb(peak)} at its peak (+${mb(growth)}); rss ${mb(process.memoryUsage().rss)} after`,
      )
      assert.equal(read, ROWS)
      assert.equal(inOrder, ROWS)
      assert.ok(growth < BOUND, `the heap grew by ${mb(growth)} while streaming`)
    })

    test('a loop that stops to wait holds the read back', async () => {
      await using session = new Session(engine)
      const baseline = heapUsed()
      const rows = session.stream(select(Hero).orderBy(Hero.c.id))
      assert.equal((await rows.next()).value?.id, 1)
      // Long enough for the server to send, and the driver to parse, a good part of the million rows.
      await new Promise((resolve) => setTimeout(resolve, 1500))
      const growth = heapUsed() - baseline
      await rows.return()
      console.log(`${dialect.name}: heap +${mb(growth)} while the loop waited after its first row`)
      assert.ok(growth < BOUND, `the heap grew by ${mb(growth)} while the loop waited`)
    })
  })
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}
