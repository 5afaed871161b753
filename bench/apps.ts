/** What both bench commands share: the apps they measure, by `--app` name, and how they give up. */
import type { BenchApp } from './bench-app.ts'
import { heroesBench } from './heroes-bench.ts'
import { realworldBench } from './realworld/bench.ts'
import type { BenchDialect } from './servers.ts'

/** Prints `message` and exits with 2, the exit code of a wrong command line. */
export function fail(message: string): never {
  console.error(message)
  process.exit(2)
}

/**
 * The app of `--app` on `dialect`, seeded with `seed` rows (heroes, or articles for realworld) or the
 * app's default.
 *
 * @example
 * const app = await benchAppNamed('realworld', 'sqlite', undefined) // 10,000 articles
 */
export async function benchAppNamed(
  name: string,
  dialect: BenchDialect,
  seed: string | undefined,
): Promise<BenchApp> {
  if (name === 'heroes') return heroesBench(dialect, Number(seed ?? 1000))
  if (name === 'realworld') return realworldBench(dialect, Number(seed ?? 10000))
  return fail(`--app is heroes or realworld, not ${name}`)
}

/**
 * The scenarios of `app` that `--scenarios` names, comma-separated, each by its full name or by its last
 * part, so `favorite` names `realworld/favorite`; all of the app's without the flag. A name that is
 * empty, names no scenario, or is the last part of several ends the command.
 *
 * @example
 * scenariosNamed(app, 'favorite,get_one') // ['realworld/favorite', 'realworld/get_one']
 */
export function scenariosNamed(
  app: Pick<BenchApp, 'scenarios'>,
  flag: string | undefined,
): readonly string[] {
  if (flag === undefined) return app.scenarios
  const known = app.scenarios.join(', ')
  return flag.split(',').map((name) => {
    if (app.scenarios.includes(name)) return name
    const matches = name === '' ? [] : app.scenarios.filter((scenario) => scenario.endsWith(`/${name}`))
    if (matches.length === 1) return matches[0]!
    return fail(
      matches.length === 0
        ? `--scenarios: the app has no scenario named "${name}"; its scenarios are ${known}`
        : `--scenarios: "${name}" could be ${matches.join(' or ')}; give the full name`,
    )
  })
}
