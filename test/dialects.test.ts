/**
 * The dialect matrix, reported once: one test per requested dialect, skipped with the reason when its
 * server does not answer here (every other file then leaves that dialect out silently), and otherwise a
 * real round trip on a database of its own.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createEngine } from 'onemodel-ts'
import { DIALECTS, REQUESTED, SKIPPED_DIALECTS } from './support/dialects.ts'
import { SKIPPED_SCALE_OUT } from './support/scale-out.ts'

for (const name of REQUESTED) {
  const skipped = SKIPPED_DIALECTS.find((dialect) => dialect.name === name)
  const dialect = DIALECTS.find((candidate) => candidate.name === name)
  test(
    `${name}: the server-backed suites run here`,
    { skip: skipped && `${name} skipped: ${skipped.reason}` },
    async () => {
      assert.ok(dialect, `${name} is requested and was not reported as skipped`)
      await using engine = createEngine(await dialect.isolatedUrl())
      const rows = await engine.db.selectNoFrom((eb) => eb.lit(1).as('one')).execute()
      assert.equal(Number(rows[0]!.one), 1)
    },
  )
}

// The replica and PgBouncer of the PostgreSQL server: reported once here when they do not answer.
for (const { name, reason } of SKIPPED_SCALE_OUT) {
  test(
    `postgres ${name}: the scale-out suites run here`,
    { skip: `postgres ${name} skipped: ${reason}` },
    () => {},
  )
}
