import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createAll, createEngine, field, Metadata, model, Session, table } from 'onemodel-ts'
import { tempSqliteUrl } from './support/sqlite.ts'

test('a row round-trips through a real SQLite file', async () => {
  const metadata = new Metadata()
  const Hero = table(
    'hero',
    model('Hero', { id: field.integer({ primaryKey: true }), name: field.string() }),
    { metadata },
  )
  await using engine = createEngine(tempSqliteUrl())
  await createAll(engine, { metadata })
  await using session = new Session(engine)
  const hero = Hero.create({ name: 'Deadpond' })
  session.add(hero)
  await session.commit()
  assert.equal(hero.id, 1, 'the id is set by the database at flush')
})
