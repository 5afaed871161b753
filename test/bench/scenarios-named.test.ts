/**
 * `--scenarios` of `npm run bench` and `npm run bench:instructions`: a scenario by its full name or its
 * last part, all of the app's without the flag, and a command that ends (exit 2, with the app's
 * scenarios named) for a name that is empty, unknown or the last part of several.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { test } from 'node:test'
import { scenariosNamed } from '../../bench/apps.ts'

const realworld = { scenarios: ['realworld/list', 'realworld/get_one', 'realworld/favorite'] }

test('a scenario is named by its full name or its last part, and all are run without the flag', () => {
  assert.deepEqual(scenariosNamed(realworld, 'favorite,realworld/list'), [
    'realworld/favorite',
    'realworld/list',
  ])
  assert.deepEqual(scenariosNamed({ scenarios: ['get_one', 'list'] }, 'list'), ['list'])
  assert.deepEqual(scenariosNamed(realworld, undefined), realworld.scenarios)
})

/** The exit code and error output of scenariosNamed(`scenarios`, `flag`) in a process of its own. */
function refusal(scenarios: readonly string[], flag: string): { status: number | null; stderr: string } {
  const apps = JSON.stringify(resolve(import.meta.dirname, '../../bench/apps.ts'))
  const script = `const { scenariosNamed } = await import(${apps}); scenariosNamed({ scenarios: ${JSON.stringify(scenarios)} }, ${JSON.stringify(flag)})`
  const run = spawnSync(process.execPath, ['--conditions=development', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  })
  return { status: run.status, stderr: run.stderr }
}

test('an unknown or empty name ends the command, naming the scenarios there are', () => {
  for (const flag of ['get', '', 'favorite,']) {
    const { status, stderr } = refusal(realworld.scenarios, flag)
    assert.equal(status, 2, flag)
    assert.match(
      stderr,
      /no scenario named "(get|)"; its scenarios are realworld\/list, realworld\/get_one, realworld\/favorite/,
    )
  }
})

test('a last part that two scenarios share ends the command, asking for the full name', () => {
  const { status, stderr } = refusal(['realworld/get_one', 'heroes/get_one'], 'get_one')
  assert.equal(status, 2)
  assert.match(stderr, /"get_one" could be realworld\/get_one or heroes\/get_one; give the full name/)
})
