/**
 * Operations per second of get by key, insert one row and update one row by key, through onemodel and
 * through the raw driver, measured in the same rounds (which of the two goes first alternates).
 */
import type { Engine } from 'onemodel-ts'
import { median } from '../stats.ts'
import { JOIN_ROWS, onemodelOperations, seedTeams } from './model.ts'
import type { RawClient } from './raw.ts'

export interface Timing {
  /** Measured seconds per operation and side. */
  seconds: number
  /** Seconds run and thrown away first, so both sides are compiled and their connections open. */
  warmup: number
  rounds: number
  /** Heroes seeded before the rounds; gets and updates pick among them. */
  rows: number
}

export interface OperationResult {
  operation: string
  raw: number[]
  onemodel: number[]
}

type Operation = (i: number) => unknown

/** How many times per second `operation` runs, one call after the other, for `seconds`. */
async function opsPerSecond(operation: Operation, seconds: number): Promise<number> {
  const started = performance.now()
  const until = started + seconds * 1000
  let count = 0
  let now = started
  while (now < until) {
    await operation(count++)
    now = performance.now()
  }
  return count / ((now - started) / 1000)
}

/** Every operation through both sides, `timing.rounds` times. */
export async function measureOperations(
  engine: Engine,
  raw: RawClient,
  timing: Timing,
): Promise<OperationResult[]> {
  await raw.seed(timing.rows)
  await seedTeams(engine)
  const ours = onemodelOperations(engine)
  // Keys spread over the seeded rows by a step coprime with most counts, the same sequence on both sides.
  const key = (i: number): number => 1 + ((i * 7919) % timing.rows)
  // The first hero of a join's page, so that the page is full.
  const first = (i: number): number => 1 + ((i * 7919) % (timing.rows - JOIN_ROWS))
  // Inserted heroes are numbered past the seeded ones.
  let inserted = timing.rows
  const pairs: [string, Operation, Operation][] = [
    ['get by key', (i) => raw.get(key(i)), (i) => ours.get(key(i))],
    [`join ${JOIN_ROWS} rows`, (i) => raw.join(first(i)), (i) => ours.join(first(i))],
    ['insert one row', () => raw.insert(++inserted), () => ours.insert(++inserted)],
    ['update one row by key', (i) => raw.update(key(i), i % 90), (i) => ours.update(key(i), i % 90)],
  ]
  const results = pairs.map(([operation]) => ({ operation, raw: [] as number[], onemodel: [] as number[] }))
  for (let round = 0; round < timing.rounds; round++) {
    for (const [i, [, rawOperation, ourOperation]] of pairs.entries()) {
      const sides: [number[], Operation][] = [
        [results[i]!.raw, rawOperation],
        [results[i]!.onemodel, ourOperation],
      ]
      if (round % 2) sides.reverse()
      for (const [samples, operation] of sides) {
        await opsPerSecond(operation, timing.warmup)
        samples.push(await opsPerSecond(operation, timing.seconds))
      }
    }
  }
  return results
}

/** The table rows for one dialect: medians of ops/s, and the median of the per-round ratios. */
export function operationRows(dialect: string, results: OperationResult[]): string[] {
  return results.map(({ operation, raw, onemodel }) => {
    const ratio = median(onemodel.map((ops, i) => ops / raw[i]!))
    const rate = (samples: number[]): string => Math.round(median(samples)).toLocaleString('en-US')
    return `| ${dialect} | ${operation} | ${rate(raw)} | ${rate(onemodel)} | ${ratio.toFixed(2)} |`
  })
}
