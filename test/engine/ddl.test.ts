/**
 * createAll / dropAll on every dialect of DIALECTS: tables, indexes, uniques and foreign keys, idempotent,
 * in dependency order. Each test has a database of its own. What createAll made is read back through the
 * dialect's introspection (the catalog queries migrations use) and described the same way on every dialect;
 * only the column types are spelled per dialect.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { randomBytes } from 'node:crypto'
import {
  autogenerate,
  createAll,
  createEngine,
  dropAll,
  field,
  IntegrityError,
  KEY_STRING_MAX_LENGTH,
  Metadata,
  model,
  Session,
  select,
  sql,
  table,
  type DialectName,
  type Engine,
} from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { declareHeroes } from '../support/heroes.ts'

/** The column types createAll gives an integer and a string field, as each database reports them. */
const TYPES: Record<DialectName, { integer: string; string: string }> = {
  sqlite: { integer: 'integer', string: 'text' },
  postgres: { integer: 'integer', string: 'character varying' },
  // A string of any length; MySQL indexes it by a prefix.
  mysql: { integer: 'int', string: 'mediumtext' },
}

async function tables(engine: Engine) {
  return engine.dialect.migrations.introspect(engine.db)
}

async function tableNames(engine: Engine): Promise<string[]> {
  return (await tables(engine)).map((t) => t.name).sort()
}

/**
 * `name (unique?) [columns]` for each index and unique constraint of a table, sorted. A unique constraint
 * and a unique index are one thing here: MySQL keeps a unique constraint as a unique index.
 */
async function indexes(engine: Engine, tableName: string): Promise<string[]> {
  const described = (await tables(engine)).find((t) => t.name === tableName)!
  return [
    ...described.indexes.map((i) => `${i.name}${i.unique ? ' unique' : ''} [${i.columns.join(', ')}]`),
    ...described.uniques.map((u) => `${u.name} unique [${u.columns.join(', ')}]`),
  ].sort()
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: createAll`, () => {
    test('creates every table with its columns, nullability and primary key', async () => {
      const { metadata } = declareHeroes()
      await using engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata })
      assert.deepEqual(await tableNames(engine), ['hero', 'team'])
      const hero = (await tables(engine)).find((t) => t.name === 'hero')!
      const { integer, string } = TYPES[dialect.name]
      assert.deepEqual(
        hero.columns.map((c) => [
          c.name,
          engine.dialect.migrations.normalizeType(c.type),
          c.nullable,
          c.primaryKey,
          c.autoIncrement,
        ]),
        [
          ['id', integer, false, true, true],
          ['name', string, false, false, false],
          ['secret_name', string, false, false, false],
          ['age', integer, true, false, false],
          ['team_id', integer, true, false, false],
        ],
      )
    })

    test('creates the indexes, unique constraints and composite indexes, and they hold', async () => {
      const metadata = new Metadata()
      const Hero = table(
        'hero',
        model('Hero', {
          id: field.integer({ primaryKey: true }),
          // A unique index compares whole values, so its strings declare a maxLength.
          name: field.string({ index: true, maxLength: 100 }),
          email: field.string({ unique: true }),
          handle: field.string({ unique: true, index: true }),
          city: field.string({ maxLength: 100 }),
          street: field.string({ maxLength: 100 }),
        }),
        { metadata, indexes: [{ columns: ['city', 'street'] }, { columns: ['name', 'city'], unique: true }] },
      )
      await using engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata })
      assert.deepEqual(await indexes(engine, 'hero'), [
        'ix_hero_city_street [city, street]',
        'ix_hero_handle unique [handle]',
        'ix_hero_name [name]',
        'uq_hero_email unique [email]',
        'uq_hero_name_city unique [name, city]',
      ])

      await using session = new Session(engine)
      const hero = (name: string, email: string, handle: string, city: string) =>
        Hero.create({ name, email, handle, city, street: 'Main' })
      session.add(hero('Deadpond', 'd@example.com', 'dp', 'Vancouver'))
      session.add(hero('Deadpond', 'd2@example.com', 'dp2', 'Toronto'))
      await session.commit()
      for (const duplicate of [
        hero('Other', 'd@example.com', 'o1', 'Paris'),
        hero('Other', 'o@example.com', 'dp', 'Paris'),
        hero('Deadpond', 'o@example.com', 'o2', 'Vancouver'),
      ]) {
        session.add(duplicate)
        await assert.rejects(session.commit(), (error: unknown) => {
          assert.ok(error instanceof IntegrityError, `expected IntegrityError, got ${String(error)}`)
          assert.equal(error.constraint, 'unique')
          return true
        })
      }
    })

    test('creates foreign keys with their ON DELETE action, and the database applies it', async () => {
      const metadata = new Metadata()
      const Team = table('team', model('Team', { id: field.integer({ primaryKey: true }) }), { metadata })
      const Hero = table(
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
      await using engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata })
      const [fk] = (await tables(engine)).find((t) => t.name === 'hero')!.foreignKeys
      assert.deepEqual(
        {
          name: fk?.name,
          columns: fk?.columns,
          table: fk?.table,
          references: fk?.references,
          onDelete: fk?.onDelete,
        },
        {
          name: 'fk_hero_team_id_team',
          columns: ['team_id'],
          table: 'team',
          references: ['id'],
          onDelete: 'set null',
        },
      )

      await using session = new Session(engine)
      const team = Team.create({})
      session.add(team)
      await session.commit()
      const hero = Hero.create({ team_id: team.id })
      session.add(hero)
      await session.commit()
      await session.delete(team)
      await session.commit()
      await session.refresh(hero)
      assert.equal(hero.team_id, null, 'deleting the team set the hero’s team_id to NULL')
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
      await using engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata })
      await using session = new Session(engine)
      const team = Team.create({})
      session.add(team)
      await session.commit()
      session.add(Hero.create({ team_id: (await session.refresh(team)).id }))
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
      await using engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata })
      await using session = new Session(engine)
      const newMentor = Hero.create({})
      session.add(newMentor)
      await session.commit()
      const mentor = await session.refresh(newMentor)
      session.add(Hero.create({ mentor_id: mentor.id }))
      await session.commit()
      assert.equal((await session.exec(select(Hero).where(Hero.c.mentor_id.eq(mentor.id))).all()).length, 1)
    })

    test('is idempotent: running it again keeps the tables, indexes and rows', async () => {
      const { metadata, Hero } = declareHeroes()
      await using engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata })
      {
        await using session = new Session(engine)
        session.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
        await session.commit()
      }
      const before = await tables(engine)
      await createAll(engine, { metadata })
      await createAll(engine, { metadata })
      assert.deepEqual(await tables(engine), before)
      await using session = new Session(engine)
      assert.equal((await session.exec(select(Hero)).all()).length, 1, 'existing rows survive')
    })

    test('uses the metadata it is given, and only that', async () => {
      const first = new Metadata()
      const second = new Metadata()
      table('hero', model('Hero', { id: field.integer({ primaryKey: true }) }), { metadata: first })
      table('villain', model('Villain', { id: field.integer({ primaryKey: true }) }), { metadata: second })
      await using engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata: first })
      assert.deepEqual(await tableNames(engine), ['hero'])
      await createAll(engine, { metadata: second })
      assert.deepEqual(await tableNames(engine), ['hero', 'villain'])
    })

    test('a composite primary key is one PRIMARY KEY (a, b), never generated, and the database holds it', async () => {
      const { metadata } = declareHeroes()
      table(
        'heroteamlink',
        model('HeroTeamLink', {
          team_id: field.integer({ primaryKey: true, foreignKey: 'team.id' }),
          hero_id: field.integer({ primaryKey: true, foreignKey: 'hero.id' }),
          is_training: field.boolean({ default: false }),
        }),
        { metadata },
      )
      await using engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata })
      const link = (await tables(engine)).find((t) => t.name === 'heroteamlink')!
      assert.deepEqual(
        link.columns.map((c) => [c.name, c.nullable, c.primaryKey, c.autoIncrement]),
        [
          ['team_id', false, true, false],
          ['hero_id', false, true, false],
          ['is_training', false, false, false],
        ],
      )
      await engine.db
        .insertInto('team')
        .values({ id: 1, name: 'Preventers', headquarters: 'Tower' })
        .execute()
      await engine.db
        .insertInto('hero')
        .values([
          { id: 1, name: 'Deadpond', secret_name: 'Dive Wilson' },
          { id: 2, name: 'Rusty-Man', secret_name: 'Tommy Sharp' },
        ])
        .execute()
      const links = engine.db.insertInto('heroteamlink')
      await links
        .values([
          { team_id: 1, hero_id: 1, is_training: false },
          { team_id: 1, hero_id: 2, is_training: true },
        ])
        .execute()
      await assert.rejects(
        links.values({ team_id: 1, hero_id: 2, is_training: false }).execute(),
        IntegrityError,
        'the pair (team_id, hero_id) is unique, each column alone is not',
      )
      assert.deepEqual((await autogenerate(engine, { metadata })).changes, [])
    })

    test('an integer primary key that is also a foreign key is given, not generated', async () => {
      const metadata = new Metadata()
      table('person', model('Person', { id: field.integer({ primaryKey: true }) }), { metadata })
      const Profile = table(
        'profile',
        model('Profile', { person_id: field.integer({ primaryKey: true, foreignKey: 'person.id' }) }),
        { metadata },
      )
      // It may wait for the flush, which takes it from the row it refers to; it is never generated.
      const profile = Profile.create({})
      assert.equal(profile.person_id, undefined)
      await using engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata })
      await using session = new Session(engine)
      session.add(profile)
      await assert.rejects(session.commit(), { code: 'OM_ORM_KEY_MISSING' })
      const described = await tables(engine)
      const keyOf = (name: string) => described.find((t) => t.name === name)!.columns[0]!
      assert.equal(keyOf('person').autoIncrement, true)
      // SQLite makes any lone integer primary key its rowid, which it fills when an insert leaves it out.
      assert.equal(keyOf('profile').autoIncrement, dialect.name === 'sqlite')
    })
  })

  describe(`${dialect.name}: dropAll`, () => {
    test('drops the tables, and does nothing when they are already gone', async () => {
      const { metadata } = declareHeroes()
      await using engine = createEngine(await dialect.isolatedUrl())
      await dropAll(engine, { metadata })
      await createAll(engine, { metadata })
      await dropAll(engine, { metadata })
      await dropAll(engine, { metadata })
      assert.deepEqual(await tableNames(engine), [])
      await createAll(engine, { metadata })
      assert.deepEqual(await tableNames(engine), ['hero', 'team'], 'and createAll recreates them')
    })

    test('a string without maxLength holds the same long text everywhere, indexed too, and check stays clean', async () => {
      const metadata = new Metadata()
      const Note = table(
        'note',
        model('Note', {
          id: field.integer({ primaryKey: true }),
          title: field.string({ index: true }),
          body: field.string(),
          city: field.string(),
        }),
        { metadata, indexes: [{ columns: ['city'] }] },
      )
      await using engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata })
      // Random text does not compress: 3,000 characters are more than a PostgreSQL btree row holds, and
      // 1,000 emoji are 4,000 bytes of UTF-8, more than a MySQL index key.
      const long = randomBytes(2250).toString('base64')
      const emoji = '🦸'.repeat(1000)
      {
        await using session = new Session(engine)
        session.add(Note.create({ id: 1, title: long, body: long + emoji, city: emoji }))
        session.add(Note.create({ id: 2, title: emoji, body: emoji, city: long }))
        await session.commit()
      }
      await using session = new Session(engine)
      const found = await session.exec(select(Note).where(Note.c.title.eq(emoji))).one()
      assert.deepEqual({ ...found }, { id: 2, title: emoji, body: emoji, city: long })
      assert.equal((await session.get(Note, 1))!.body, long + emoji)

      const note = (await tables(engine)).find((t) => t.name === 'note')!
      const described = note.indexes.map(({ name, using, prefixes }) => ({ name, using, prefixes }))
      const expected = {
        // SQLite indexes text of any length as it is.
        sqlite: [{ name: 'ix_note_city' }, { name: 'ix_note_title' }],
        // A btree row holds about 2.7 KB; a hash index holds any key, for equality.
        postgres: [
          { name: 'ix_note_city', using: 'hash' },
          { name: 'ix_note_title', using: 'hash' },
        ],
        // An index key holds 3 KB; the index holds the first 255 characters.
        mysql: [
          { name: 'ix_note_city', prefixes: { city: 255 } },
          { name: 'ix_note_title', prefixes: { title: 255 } },
        ],
      }[dialect.name]
      assert.deepEqual(
        described.map((index) => JSON.parse(JSON.stringify(index))),
        expected.map((index) => JSON.parse(JSON.stringify(index))),
      )
      assert.deepEqual(
        (await autogenerate(engine, { metadata })).changes,
        [],
        'the database matches the models',
      )
    })

    test('a key string without maxLength is varchar(255) on every dialect, and validation refuses longer', async () => {
      const metadata = new Metadata()
      const Team = table(
        'team',
        model('Team', {
          code: field.string({ primaryKey: true }),
          name: field.string({ unique: true }),
          parent: field.string({ nullable: true, default: null, foreignKey: 'team.code' }),
        }),
        { metadata },
      )
      for (const key of ['code', 'name', 'parent'] as const) {
        assert.equal(Team.fields[key].options.maxLength, KEY_STRING_MAX_LENGTH, key)
      }
      await using engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata })
      const team = (await tables(engine)).find((t) => t.name === 'team')!
      assert.deepEqual(
        team.columns.map((c) => engine.dialect.migrations.normalizeType(c.type)),
        Array(3).fill(engine.dialect.migrations.normalizeType('varchar(255)')),
      )
      const longest = '🦸'.repeat(255)
      await using session = new Session(engine)
      session.add(Team.create({ code: longest, name: longest }))
      await session.commit()
      assert.equal((await session.get(Team, longest))!.name, longest)
      assert.deepEqual(Team.safeValidate({ code: 'x'.repeat(256), name: 'n' }), {
        success: false,
        issues: [
          {
            type: 'string_too_long',
            loc: ['code'],
            msg: 'String should have at most 255 characters',
            input: 'x'.repeat(256),
            ctx: { max_length: 255 },
          },
        ],
      })
      assert.deepEqual((await autogenerate(engine, { metadata })).changes, [])
    })

    test('an integer is a 32-bit column unless its bounds are wider, which make it a bigint', async () => {
      const metadata = new Metadata()
      const Counter = table(
        'counter',
        model('Counter', {
          id: field.integer({ primaryKey: true }),
          small: field.integer(),
          big: field.integer({ ge: 0, le: Number.MAX_SAFE_INTEGER }),
        }),
        { metadata },
      )
      await using engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata })
      const counter = (await tables(engine)).find((t) => t.name === 'counter')!
      const { integer } = TYPES[dialect.name]
      assert.deepEqual(
        counter.columns.map((c) => engine.dialect.migrations.normalizeType(c.type)),
        [integer, integer, dialect.name === 'sqlite' ? 'integer' : 'bigint'],
      )
      await using session = new Session(engine)
      session.add(Counter.create({ id: 2147483647, small: -2147483648, big: Number.MAX_SAFE_INTEGER }))
      await session.commit()
      await using reader = new Session(engine)
      assert.deepEqual(
        { ...(await reader.get(Counter, 2147483647)) },
        { id: 2147483647, small: -2147483648, big: Number.MAX_SAFE_INTEGER },
      )
      assert.deepEqual((await autogenerate(engine, { metadata })).changes, [])
    })

    test('a unique or multi-column index over a string without maxLength fails at table(), naming the field', () => {
      const Hero = model('Hero', {
        id: field.integer({ primaryKey: true }),
        name: field.string(),
        age: field.integer(),
      })
      for (const [index, kind] of [
        [{ columns: ['name'], unique: true }, 'a unique index'],
        [{ columns: ['age', 'name'] }, 'an index of several columns'],
      ] as const) {
        assert.throws(
          () => table('hero', Hero, { metadata: new Metadata(), indexes: [index] }),
          new RegExp(
            `${kind} on 'name', a string without maxLength.*declare maxLength on 'name' \\(255 fits every database\\)`,
          ),
        )
      }
      table('hero', Hero, { metadata: new Metadata(), indexes: [{ columns: ['name'] }] })
    })

    // The character set is a MySQL table option.
    if (dialect.name === 'mysql') {
      test('tables hold emoji even where the database’s default character set is latin1', async () => {
        const metadata = new Metadata()
        const Note = table(
          'note',
          model('Note', { id: field.integer({ primaryKey: true }), text: field.string({ maxLength: 50 }) }),
          { metadata },
        )
        await using engine = createEngine(await dialect.isolatedUrl())
        // MariaDB's default: a database created without `character set utf8mb4`.
        await sql`alter database character set latin1`.execute(engine.db)
        await createAll(engine, { metadata })
        await using session = new Session(engine)
        session.add(Note.create({ id: 1, text: 'Déadpond 🦸 漢字' }))
        await session.commit()
        await using reader = new Session(engine)
        assert.equal((await reader.get(Note, 1))!.text, 'Déadpond 🦸 漢字')
      })
    }

    test('leaves tables of other metadata alone', async () => {
      const first = new Metadata()
      const second = new Metadata()
      table('hero', model('Hero', { id: field.integer({ primaryKey: true }) }), { metadata: first })
      table('villain', model('Villain', { id: field.integer({ primaryKey: true }) }), { metadata: second })
      await using engine = createEngine(await dialect.isolatedUrl())
      await createAll(engine, { metadata: first })
      await createAll(engine, { metadata: second })
      await dropAll(engine, { metadata: first })
      assert.deepEqual(await tableNames(engine), ['villain'])
    })
  })
}
