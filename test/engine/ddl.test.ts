/** createAll / dropAll on SQLite: tables, indexes, uniques and foreign keys, idempotent, in dependency order. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { sql } from 'kysely'
import {
  createAll,
  createEngine,
  dropAll,
  field,
  Metadata,
  model,
  Session,
  select,
  table,
  type Engine,
} from 'onemodel'
import { declareHeroes } from '../support/heroes.ts'
import { tempSqliteUrl } from '../support/sqlite.ts'

async function rows(engine: Engine, text: string): Promise<Record<string, unknown>[]> {
  return (await sql<Record<string, unknown>>`${sql.raw(text)}`.execute(engine.db)).rows
}

async function tableNames(engine: Engine): Promise<string[]> {
  return (await engine.db.introspection.getTables()).map((t) => t.name).sort()
}

/** `name (unique?) [columns]` for each index of a table, sorted. */
async function indexes(engine: Engine, tableName: string): Promise<string[]> {
  const list = await rows(engine, `pragma index_list("${tableName}")`)
  const described = await Promise.all(
    list
      .filter((index) => !String(index.name).startsWith('sqlite_autoindex') || index.origin === 'u')
      .map(async (index) => {
        const columns = (await rows(engine, `pragma index_info("${String(index.name)}")`)).map((c) => c.name)
        return `${index.origin === 'u' ? 'UNIQUE constraint' : String(index.name)}${index.unique ? ' unique' : ''} [${columns.join(', ')}]`
      }),
  )
  return described.sort()
}

describe('createAll', () => {
  test('creates every table with its columns, nullability and primary key', async () => {
    const { metadata } = declareHeroes()
    await using engine = createEngine(tempSqliteUrl())
    await createAll(engine, { metadata })
    assert.deepEqual(await tableNames(engine), ['hero', 'team'])
    const hero = (await engine.db.introspection.getTables()).find((t) => t.name === 'hero')!
    assert.deepEqual(
      hero.columns.map((c) => [c.name, c.dataType.toLowerCase(), c.isNullable]),
      [
        ['id', 'integer', false],
        ['name', 'text', false],
        ['secret_name', 'text', false],
        ['age', 'integer', true],
        ['team_id', 'integer', true],
      ],
    )
    const [pk] = await rows(engine, `select name from pragma_table_info('hero') where pk = 1`)
    assert.equal(pk?.name, 'id')
  })

  test('creates the indexes, unique constraints and composite indexes', async () => {
    const metadata = new Metadata()
    table(
      'hero',
      model('Hero', {
        id: field.integer({ primaryKey: true }),
        name: field.string({ index: true }),
        email: field.string({ unique: true }),
        handle: field.string({ unique: true, index: true }),
        city: field.string(),
        street: field.string(),
      }),
      { metadata, indexes: [{ columns: ['city', 'street'] }, { columns: ['name', 'city'], unique: true }] },
    )
    await using engine = createEngine(tempSqliteUrl())
    await createAll(engine, { metadata })
    assert.deepEqual(await indexes(engine, 'hero'), [
      'UNIQUE constraint unique [email]',
      'ix_hero_city_street [city, street]',
      'ix_hero_handle unique [handle]',
      'ix_hero_name [name]',
      'uq_hero_name_city unique [name, city]',
    ])
  })

  test('creates foreign keys with their ON DELETE action', async () => {
    const metadata = new Metadata()
    table('team', model('Team', { id: field.integer({ primaryKey: true }) }), { metadata })
    table(
      'hero',
      model('Hero', {
        id: field.integer({ primaryKey: true }),
        team_id: field.integer({
          nullable: true,
          default: null,
          foreignKey: 'team.id',
          onDelete: 'set null',
        }),
      }),
      { metadata },
    )
    await using engine = createEngine(tempSqliteUrl())
    await createAll(engine, { metadata })
    const [fk] = await rows(engine, `pragma foreign_key_list("hero")`)
    assert.deepEqual(
      { table: fk?.table, from: fk?.from, to: fk?.to, on_delete: fk?.on_delete },
      { table: 'team', from: 'team_id', to: 'id', on_delete: 'SET NULL' },
    )
  })

  test('creates a referenced table first, whatever the declaration order', async () => {
    const metadata = new Metadata()
    const Hero = table(
      'hero',
      model('Hero', {
        id: field.integer({ primaryKey: true }),
        team_id: field.integer({ foreignKey: 'team.id' }),
      }),
      { metadata },
    )
    const Team = table('team', model('Team', { id: field.integer({ primaryKey: true }) }), { metadata })
    await using engine = createEngine(tempSqliteUrl())
    await createAll(engine, { metadata })
    await using session = new Session(engine)
    const team = Team.create({})
    session.add(team)
    await session.commit()
    session.add(Hero.create({ team_id: team.id }))
    await session.commit()
    await dropAll(engine, { metadata })
    assert.deepEqual(await tableNames(engine), [], 'dropAll drops the referencing table first')
  })

  test('a table may reference itself', async () => {
    const metadata = new Metadata()
    const Hero = table(
      'hero',
      model('Hero', {
        id: field.integer({ primaryKey: true }),
        mentor_id: field.integer({ nullable: true, default: null, foreignKey: 'hero.id' }),
      }),
      { metadata },
    )
    await using engine = createEngine(tempSqliteUrl())
    await createAll(engine, { metadata })
    await using session = new Session(engine)
    const mentor = Hero.create({})
    session.add(mentor)
    await session.commit()
    session.add(Hero.create({ mentor_id: mentor.id }))
    await session.commit()
    assert.equal((await session.exec(select(Hero).where(Hero.c.mentor_id.eq(mentor.id))).all()).length, 1)
  })

  test('is idempotent: running it again keeps the tables, indexes and rows', async () => {
    const { metadata, Hero } = declareHeroes()
    await using engine = createEngine(tempSqliteUrl())
    await createAll(engine, { metadata })
    {
      await using session = new Session(engine)
      session.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
      await session.commit()
    }
    const before = await indexes(engine, 'hero')
    await createAll(engine, { metadata })
    await createAll(engine, { metadata })
    assert.deepEqual(await indexes(engine, 'hero'), before)
    await using session = new Session(engine)
    assert.equal((await session.exec(select(Hero)).all()).length, 1, 'existing rows survive')
  })

  test('uses the metadata it is given, and only that', async () => {
    const first = new Metadata()
    const second = new Metadata()
    table('hero', model('Hero', { id: field.integer({ primaryKey: true }) }), { metadata: first })
    table('villain', model('Villain', { id: field.integer({ primaryKey: true }) }), { metadata: second })
    await using engine = createEngine(tempSqliteUrl())
    await createAll(engine, { metadata: first })
    assert.deepEqual(await tableNames(engine), ['hero'])
    await createAll(engine, { metadata: second })
    assert.deepEqual(await tableNames(engine), ['hero', 'villain'])
  })
})

describe('dropAll', () => {
  test('drops the tables, and does nothing when they are already gone', async () => {
    const { metadata } = declareHeroes()
    await using engine = createEngine(tempSqliteUrl())
    await dropAll(engine, { metadata })
    await createAll(engine, { metadata })
    await dropAll(engine, { metadata })
    await dropAll(engine, { metadata })
    assert.deepEqual(await tableNames(engine), [])
    await createAll(engine, { metadata })
    assert.deepEqual(await tableNames(engine), ['hero', 'team'], 'and createAll recreates them')
  })

  test('leaves tables of other metadata alone', async () => {
    const first = new Metadata()
    const second = new Metadata()
    table('hero', model('Hero', { id: field.integer({ primaryKey: true }) }), { metadata: first })
    table('villain', model('Villain', { id: field.integer({ primaryKey: true }) }), { metadata: second })
    await using engine = createEngine(tempSqliteUrl())
    await createAll(engine, { metadata: first })
    await createAll(engine, { metadata: second })
    await dropAll(engine, { metadata: first })
    assert.deepEqual(await tableNames(engine), ['villain'])
  })
})
