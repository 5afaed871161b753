/**
 * `npm run bench:ops`: onemodel's Session against the raw driver in one process, on each dialect (SQLite in
 * a temporary file; PostgreSQL at BENCH_DATABASE_URL and MySQL/MariaDB at BENCH_MYSQL_URL, see
 * databases.ts; a server that does not answer is skipped with one line).
 *
 * Default mode: operations per second, one after the other, of get by key, a join of 100 heroes with their
 * teams (`select(Hero, Team).join(Team)`), insert one row (add + commit)
 * and update one row by key (get, change a field, commit), each in a Session of its own, against node:sqlite
 * prepared statements, pg named statements and mysql2 `execute()` running the same statements. Each round
 * measures both sides after a warm-up; the table gives the medians of the rounds, and the median of the
 * per-round ratios onemodel ÷ raw.
 *
 * `--flush`: a Session tracking N rows (one select()), one row changed, then the time of `flush()` and of
 * `commit()`, for each N of `--tracked`; the last line compares the largest N with the smallest.
 *
 * Flags: --dialects sqlite,postgresql,mysql --rounds 5 --duration 1 --warmup 0.5 --rows 1000
 * --flush --tracked 1,100000 --iterations 21
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { dialectNamed, onDialect } from './ops/dialects.ts'
import { measureFlush, type FlushResult } from './ops/flush.ts'
import { measureOperations, operationRows } from './ops/operations.ts'

const { values: flags } = parseArgs({
  options: {
    dialects: { type: 'string', default: 'sqlite,postgresql,mysql' },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '0.5' },
    rows: { type: 'string', default: '1000' },
    flush: { type: 'boolean', default: false },
    tracked: { type: 'string', default: '1,100000' },
    iterations: { type: 'string', default: '21' },
  },
})

const dialects = flags.dialects.split(',').map(dialectNamed)
const work = mkdtempSync(join(tmpdir(), 'onemodel-ops-'))
process.on('exit', () => rmSync(work, { recursive: true, force: true }))

async function operations(): Promise<void> {
  const timing = {
    seconds: Number(flags.duration),
    warmup: Number(flags.warmup),
    rounds: Number(flags.rounds),
    rows: Number(flags.rows),
  }
  const lines: string[] = []
  for (const dialect of dialects) {
    await onDialect(dialect, work, async (engine, raw) => {
      console.log(`${dialect}: measuring…`)
      lines.push(...operationRows(dialect, await measureOperations(engine, raw, timing)))
    })
  }
  console.log(
    `\n${timing.rows} rows seeded, ${timing.seconds} s per side and operation after ${timing.warmup} s of ` +
      `warm-up, median of ${timing.rounds} rounds\n`,
  )
  console.log('| dialect | operation | raw ops/s | onemodel ops/s | onemodel ÷ raw |')
  console.log('| --- | --- | ---: | ---: | ---: |')
  for (const line of lines) console.log(line)
}

async function flush(): Promise<void> {
  const counts = flags.tracked.split(',').map(Number)
  const iterations = Number(flags.iterations)
  const results = new Map<string, FlushResult[]>()
  for (const dialect of dialects) {
    await onDialect(dialect, work, async (engine, raw) => {
      console.log(`${dialect}: measuring…`)
      results.set(dialect, await measureFlush(engine, raw, counts, iterations))
    })
  }
  console.log(`\none row changed, then flush() and commit(); median of ${iterations} times\n`)
  console.log('| dialect | rows tracked | flush ms | commit ms |')
  console.log('| --- | ---: | ---: | ---: |')
  for (const [dialect, rows] of results) {
    for (const row of rows) {
      console.log(
        `| ${dialect} | ${row.tracked.toLocaleString('en-US')} | ${row.flushMs.toFixed(3)} | ${row.commitMs.toFixed(3)} |`,
      )
    }
  }
  console.log()
  for (const [dialect, rows] of results) {
    const [fewest, most] = [rows[0]!, rows.at(-1)!]
    console.log(
      `${dialect}: ${most.tracked.toLocaleString('en-US')} tracked ÷ ${fewest.tracked.toLocaleString('en-US')}: ` +
        `flush ${(most.flushMs / fewest.flushMs).toFixed(1)}×, commit ${(most.commitMs / fewest.commitMs).toFixed(1)}×`,
    )
  }
}

await (flags.flush ? flush() : operations())
