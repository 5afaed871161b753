/**
 * `index: true` on a column of a composite primary key, on every dialect: the key's own index serves its
 * first column, so only a later column gets an index of its own, as a link table's second foreign key
 * needs for the lookups from its side (the favourites of an article, where the key is (user, article)).
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createAll, createEngine, field, Metadata, model, table } from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: indexes on a composite primary key`, () => {
    test('index: true on the later column of a composite key creates its index; on the first, none', async () => {
      const metadata = new Metadata()
      table('owner', model('Owner', { id: field.integer({ primaryKey: true }) }), { metadata })
      table(
        'favorite',
        model('Favorite', {
          user_id: field.integer({ primaryKey: true, index: true, foreignKey: 'owner.id' }),
          article_id: field.integer({ primaryKey: true, index: true, foreignKey: 'owner.id' }),
        }),
        { metadata },
      )
      await using engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata })
      const favorite = (await engine.dialect.migrations.introspect(engine.db)).find(
        (t) => t.name === 'favorite',
      )!
      const indexed = favorite.indexes.filter((index) => index.name.startsWith('ix_'))
      assert.deepEqual(
        indexed.map((index) => [index.name, index.columns]),
        [['ix_favorite_article_id', ['article_id']]],
      )
    })
  })
}
