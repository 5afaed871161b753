/** What `npm run bench` needs of each API it measures (`--app heroes`, `--app realworld`). */
import type { Server } from './servers.ts'

/** The bodies a server answered in its check, by request; the ceiling's are the reference of the others. */
export type Answers = Map<string, string>

export interface BenchApp {
  /** The servers that run on the chosen dialect; `raw` is the ceiling, and `onemodel` is measured. */
  readonly servers: Record<string, Server>
  /** The servers of this app that run on another dialect only. */
  readonly elsewhere: readonly string[]
  /** The server onemodel is compared with besides the ceiling. */
  readonly peer: string
  /**
   * The ceiling's own endpoints served by onemodel's HTTP framework, if the app has such a server: no
   * onemodel app can be faster, so onemodel ÷ floor is what onemodel's layers cost above their framework's.
   */
  readonly floor?: string
  /** The servers run when `--servers` is not given. */
  readonly defaultServers: readonly string[]
  /** The scenarios run when `--scenarios` is not given: scripts of bench/scenarios/. */
  readonly scenarios: readonly string[]
  /** What a started server answers once it is ready. */
  readonly readyPath: string
  /** The data, for the report. */
  readonly description: string
  /** A DATABASE_URL holding exactly the seeded data, for one run of `server`. */
  fresh(server: Server): Promise<string>
  /**
   * Checks a started server (throwing on a wrong answer, compared with `reference` when given) and returns
   * its answers and what the scenarios read from their environment.
   */
  check(
    url: string,
    reference: Answers | undefined,
  ): Promise<{ answers: Answers; env: Record<string, string> }>
  /** The targets of the report, given the median ratio of onemodel to `versus` on `scenario`. */
  targets(ratio: (scenario: string, versus: string) => number | undefined): string[]
}
