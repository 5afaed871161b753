/**
 * The scale-out servers `.ci/run` starts next to the PostgreSQL test server: a streaming replica of it
 * (port 5433) and PgBouncer in transaction pooling mode in front of it (port 6432). Like the dialects
 * (test/support/dialects.ts), a server that does not answer is left out of the suites here and reported
 * once by test/dialects.test.ts, and with `CI=true` it fails the run. `ONEMODEL_REPLICA_URL` and
 * `ONEMODEL_PGBOUNCER_URL` point elsewhere.
 */
import {
  admin,
  dropAfterFile,
  POSTGRES_URL,
  REQUESTED,
  uniqueName,
  unreachable,
  type DialectUnderTest,
} from './dialects.ts'

export const REPLICA_URL =
  process.env.ONEMODEL_REPLICA_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5433/onemodel_test'
export const PGBOUNCER_URL =
  process.env.ONEMODEL_PGBOUNCER_URL ??
  'postgresql://postgres:postgres@127.0.0.1:6432/onemodel_test?pgbouncer=true'

export type ScaleOutServer = 'replica' | 'pgbouncer'
const SERVERS: Record<ScaleOutServer, string> = { replica: REPLICA_URL, pgbouncer: PGBOUNCER_URL }

/** Where global-setup.ts hands the probe's answer to the test files, as PROBED_ENV does for the dialects. */
export const SCALE_OUT_PROBED_ENV = 'ONEMODEL_UNREACHABLE_SCALE_OUT'

/** Why each scale-out server cannot be used here; with `CI=true` an unreachable one throws. */
export async function probeScaleOut(): Promise<Partial<Record<ScaleOutServer, string>>> {
  const failures: Partial<Record<ScaleOutServer, string>> = {}
  for (const [name, url] of Object.entries(SERVERS) as [ScaleOutServer, string][]) {
    const failure = REQUESTED.includes('postgres') ? await unreachable(url) : 'postgres is not requested'
    if (failure === undefined) continue
    if (process.env.CI === 'true' && REQUESTED.includes('postgres')) {
      throw new Error(
        `CI=true and the ${name} server at ${url.replace(/:[^:@/]*@/, ':***@')} is unreachable: ${failure}`,
      )
    }
    failures[name] = failure
  }
  return failures
}

const handedDown = process.env[SCALE_OUT_PROBED_ENV]
const failures: Partial<Record<ScaleOutServer, string>> =
  handedDown === undefined ? await probeScaleOut() : JSON.parse(handedDown)

/** The scale-out servers that cannot run here, with the reason: reported once, by test/dialects.test.ts. */
export const SKIPPED_SCALE_OUT = Object.entries(failures).map(([name, reason]) => ({ name, reason }))

/** The replica's URL for the same database as `primaryUrl` (an isolated schema of the test server's). */
export function replicaUrlOf(primaryUrl: string): string {
  const primary = new URL(primaryUrl)
  const replica = new URL(REPLICA_URL)
  primary.host = replica.host
  primary.username = replica.username
  primary.password = replica.password
  return primary.href
}

/** The replica, when it answers here. */
export const REPLICA_AVAILABLE = failures.replica === undefined

/**
 * PostgreSQL through PgBouncer, as a dialect of the matrix: each isolated database is a database of its
 * own (PgBouncer refuses the `options` that pick an isolated schema), reached through PgBouncer with
 * `?pgbouncer=true`. Empty when PgBouncer does not answer here.
 */
export const THROUGH_PGBOUNCER: readonly DialectUnderTest[] =
  failures.pgbouncer === undefined
    ? [
        {
          name: 'postgres',
          label: 'postgres through PgBouncer',
          async isolatedUrl() {
            const database = uniqueName()
            await admin(POSTGRES_URL, `create database ${database}`)
            // WITH (FORCE): PgBouncer may still hold server connections to it.
            dropAfterFile(() => admin(POSTGRES_URL, `drop database if exists ${database} with (force)`))
            const url = new URL(PGBOUNCER_URL)
            url.pathname = `/${database}`
            return url.href
          },
        },
      ]
    : []
