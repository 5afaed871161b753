/**
 * The RealWorld app's `tagsNamed()`, where two articles bring the same new tag at once, on the server
 * dialects: the second transaction read before the first committed the tag, so its insert does nothing, and
 * it must still find the tag. MySQL's REPEATABLE READ keeps a transaction's first snapshot for its plain
 * reads; only a locking read sees the other's row. SQLite writes one transaction at a time, so there the
 * second cannot read before the first commits.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { createAll, createEngine, type Engine, insert, select, Session } from 'onemodel-ts'
import { metadata, Tag } from '../../../examples/realworld/models.ts'
import { tagsNamed } from '../../../examples/realworld/routers/articles.ts'
import { DIALECTS } from '../../support/dialects.ts'

for (const dialect of DIALECTS.filter(({ name }) => name !== 'sqlite')) {
  describe(`${dialect.label ?? dialect.name}: RealWorld tags`, () => {
    let engine: Engine
    before(async () => {
      engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata })
    })
    after(() => engine.dispose())

    test('a tag another transaction committed after this one first read is found, not lost', async () => {
      await using session = new Session(engine)
      const tags = await session.transaction(async () => {
        // The transaction's first read: on MySQL, the snapshot its plain reads keep.
        assert.deepEqual(await session.exec(select(Tag).where(Tag.c.name.eq('raced'))).all(), [])
        {
          await using other = new Session(engine)
          await other.exec(insert(Tag).values({ name: 'raced' }))
          await other.commit()
        }
        return tagsNamed(session, ['raced', 'raced', 'alone'])
      })
      assert.deepEqual(tags.map((tag) => tag.name).sort(), ['alone', 'raced'])
    })
  })
}
