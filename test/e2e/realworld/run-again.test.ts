/**
 * runAgainOnDeadlock(): the article's transaction runs again when the database rolled it back to break a
 * deadlock (a DeadlockError), three times in all; any other error, a lock wait that timed out too, goes
 * through at once.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DeadlockError, LockNotAvailableError } from 'onemodel-ts'
import { runAgainOnDeadlock } from '../../../examples/realworld/routers/articles.ts'

const deadlock = () => new DeadlockError('Deadlock found when trying to get lock: …')

test('a transaction ended by a deadlock runs again, until it commits', async () => {
  let runs = 0
  const answer = await runAgainOnDeadlock(async () => {
    runs++
    if (runs < 3) throw deadlock()
    return 'committed'
  })
  assert.deepEqual([answer, runs], ['committed', 3])
})

/**
 * How many times runAgainOnDeadlock() runs a transaction that always fails with `error()`, once that
 * error reaches the caller as `expected` says.
 */
async function runsUntilItFails(
  error: () => Error,
  expected: Parameters<typeof assert.rejects>[1],
): Promise<number> {
  let runs = 0
  await assert.rejects(
    runAgainOnDeadlock(async () => {
      runs++
      throw error()
    }),
    expected,
  )
  return runs
}

test('the third deadlock, and any other error, reach the caller', async () => {
  assert.equal(await runsUntilItFails(deadlock, DeadlockError), 3)
  assert.equal(await runsUntilItFails(() => new Error('a bug'), /a bug/), 1)
  // A lock wait that timed out leaves the transaction open, and another wait as long would follow.
  const timedOut = () => new LockNotAvailableError('Lock wait timeout exceeded; try restarting transaction')
  assert.equal(await runsUntilItFails(timedOut, LockNotAvailableError), 1)
})
