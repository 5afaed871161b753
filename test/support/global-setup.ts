/**
 * `node --test`'s global setup: probes the PostgreSQL and MySQL servers, and the replica and PgBouncer of
 * the PostgreSQL one, once for the whole run and hands the answer to every test file's process through
 * the environment, instead of each of ~50 files probing (and reporting) on its own. With `CI=true` an
 * unreachable server fails the run here.
 */
import { PROBED_ENV, probeServers } from './dialects.ts'
import { probeScaleOut, SCALE_OUT_PROBED_ENV } from './scale-out.ts'

export async function globalSetup(): Promise<void> {
  process.env[PROBED_ENV] = JSON.stringify(await probeServers())
  process.env[SCALE_OUT_PROBED_ENV] = JSON.stringify(await probeScaleOut())
}
