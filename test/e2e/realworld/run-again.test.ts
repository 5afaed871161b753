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

test('the third deadlock, and any other error, reach the caller', async () => {
  let runs = 0
  await assert.rejects(
    runAgainOnDeadlock(async () => {
      runs++
      throw deadlock()
    }),
    DeadlockError,
  )
  assert.equal(runs, 3)
  runs = 0
  await assert.rejects(
    runAgainOnDeadlock(async () => {
      runs++
      throw new Error('a bug')
    }),
    /a bug/,
  )
  assert.equal(runs, 1)
  // A lock wait that timed out leaves the transaction open, and another wait as long would follow.
  runs = 0
  await assert.rejects(
    runAgainOnDeadlock(async () => {
      runs++
      throw new LockNotAvailableError('Lock wait timeout exceeded; try restarting transaction')
    }),
    LockNotAvailableError,
  )
  assert.equal(runs, 1)
})
