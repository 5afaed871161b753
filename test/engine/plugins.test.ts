/**
 * Kysely plugins of the engine shape the Session's statements, which are compiled once per shape and then
 * only bound: a plugin that adds bound values cannot work there, and is refused with the way out.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  BinaryOperationNode,
  OperatorNode,
  QueryNode,
  SelectQueryNode,
  ValueNode,
  type KyselyPlugin,
} from 'kysely'
import { Session } from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { addTutorialHeroes, heroesDatabase } from '../support/heroes.ts'

/** A filter every select gets, with its value bound: `… and 1 = ?`, as a tenant filter would. */
const boundFilter: KyselyPlugin = {
  transformQuery({ node }) {
    if (!SelectQueryNode.is(node)) return node
    const filter = BinaryOperationNode.create(
      ValueNode.create(1),
      OperatorNode.create('='),
      ValueNode.create(1),
    )
    return QueryNode.cloneWithWhere(node, filter)
  },
  async transformResult({ result }) {
    return result
  },
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: engine plugins`, () => {
    test('a plugin that adds a bound value to the Session’s statements is refused, naming the fix', async () => {
      const db = await heroesDatabase({ dialect, plugins: [boundFilter] })
      await using _ = db.engine
      await using session = new Session(db.engine)
      await assert.rejects(session.get(db.Hero, 1), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'OM_ENGINE_PLUGIN')
        assert.match(error.message, /binds 3 values where the Session binds 1/)
        assert.match(error.message, /withPlugin/)
        return true
      })
    })

    test('the same plugin works on the queries it is given with engine.db.withPlugin()', async () => {
      const db = await heroesDatabase({ dialect })
      await using _ = db.engine
      await addTutorialHeroes(db)
      const rows = await db.engine.db
        .withPlugin(boundFilter)
        .selectFrom('hero')
        .select('name')
        .orderBy('id')
        .execute()
      assert.deepEqual(
        rows.map((row) => row.name),
        ['Deadpond', 'Rusty-Man', 'Spider-Boy'],
      )
      await using session = new Session(db.engine)
      assert.equal(
        (await session.get(db.Hero, 2))?.name,
        'Rusty-Man',
        'the Session’s statements are untouched',
      )
    })
  })
}
