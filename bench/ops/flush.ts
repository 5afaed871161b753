/**
 * The cost of a flush as a Session tracks more rows: N rows loaded with one select(), one of them changed,
 * then `flush()` (which opens the transaction: BEGIN and one UPDATE) and, once that is committed, another
 * change and `commit()` (the one UPDATE in autocommit). A flush that looks only at changed rows costs the
 * same for any N.
 */
import { select, Session, type Engine } from 'onemodel-ts'
import { median } from '../stats.ts'
import { BenchHero, recreateTable } from './model.ts'
import type { RawClient } from './raw.ts'

export interface FlushResult {
  tracked: number
  /** Median milliseconds of one flush and of one commit. */
  flushMs: number
  commitMs: number
}

async function timed(work: () => Promise<void>): Promise<number> {
  const started = performance.now()
  await work()
  return performance.now() - started
}

/** Times `iterations` flushes and commits of one changed row in a Session tracking `tracked` rows. */
async function flushWith(
  engine: Engine,
  raw: RawClient,
  tracked: number,
  iterations: number,
): Promise<FlushResult> {
  await recreateTable(engine)
  await raw.seed(tracked)
  await using session = new Session(engine)
  const rows = await session.exec(select(BenchHero)).all()
  if (rows.length !== tracked) throw new Error(`tracking ${rows.length} rows, not ${tracked}`)
  const flushes: number[] = []
  const commits: number[] = []
  for (let i = 0; i < iterations; i++) {
    const row = rows[(i * 7919) % tracked]!
    row.age = (row.age ?? 0) + 1
    flushes.push(await timed(() => session.flush()))
    await session.commit()
    row.age += 1
    commits.push(await timed(() => session.commit()))
  }
  return { tracked, flushMs: median(flushes), commitMs: median(commits) }
}

/** The flush and commit times for each count of tracked rows, smallest first. */
export async function measureFlush(
  engine: Engine,
  raw: RawClient,
  trackedCounts: number[],
  iterations: number,
): Promise<FlushResult[]> {
  const results: FlushResult[] = []
  for (const tracked of trackedCounts) results.push(await flushWith(engine, raw, tracked, iterations))
  return results
}
