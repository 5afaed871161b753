/**
 * Migrations on every dialect: autogenerate from the models, the generated files, upgrade and downgrade
 * with the rows kept, check, and a failing migration that leaves the database as it was.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import {
  autogenerate,
  createAll,
  createEngine,
  createMigrator,
  field,
  Metadata,
  MigrationError,
  model,
  rebuildTable,
  select,
  Session,
  sql,
  table,
  type Engine,
} from 'onemodel-ts'
import { DIALECTS, POSTGRES_URL } from '../support/dialects.ts'
import { tempProject } from '../support/project.ts'

const heroFields = {
  id: field.integer({ primaryKey: true }),
  name: field.string({ index: true }),
  secret_name: field.string(),
  age: field.integer({ nullable: true, default: null }),
}

/** The tutorial's first hero table. */
function heroes() {
  const metadata = new Metadata()
  const Hero = table('hero', model('Hero', heroFields), { metadata })
  return { metadata, Hero }
}

/** The hero table with a new field. */
function heroesWithPowers() {
  const metadata = new Metadata()
  const Hero = table('hero', model('Hero', { ...heroFields, powers: field.string({ nullable: true }) }), {
    metadata,
  })
  return { metadata, Hero }
}

/** Later versions of the models, for tests that write rows with plain SQL. */
function evolved(version: { powers?: boolean; ageRequired?: boolean; missions?: boolean }): Metadata {
  const metadata = new Metadata()
  table(
    'hero',
    model('Hero', {
      ...heroFields,
      ...(version.ageRequired ? { age: field.integer() } : {}),
      ...(version.powers ? { powers: field.string({ nullable: true }) } : {}),
    }),
    { metadata },
  )
  if (version.missions) {
    table(
      'mission',
      model('Mission', {
        id: field.integer({ primaryKey: true }),
        title: field.string(),
        hero_id: field.integer({ foreignKey: 'hero.id', onDelete: 'cascade' }),
      }),
      { metadata },
    )
  }
  return metadata
}

const REVISION = /^\d{8}_\d{6}_[a-z0-9_]+$/

/** The first defined answer of `probe`, asked every 20 ms for up to 5 s. */
async function eventually<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (const start = Date.now(); Date.now() - start < 5000;) {
    const answer = await probe()
    if (answer !== undefined) return answer
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  assert.fail('the probe never answered')
}

async function count(engine: Engine, tableName: string): Promise<number> {
  const { rows } = await sql<{
    n: number | string
  }>`select count(*) as n from ${sql.table(tableName)}`.execute(engine.db)
  return Number(rows[0]!.n)
}

async function columnNames(engine: Engine, tableName: string): Promise<string[]> {
  const tables = await engine.dialect.migrations.introspect(engine.db)
  return tables.find((t) => t.name === tableName)?.columns.map((c) => c.name) ?? []
}

async function tableNames(engine: Engine): Promise<string[]> {
  return (await engine.dialect.migrations.introspect(engine.db)).map((t) => t.name).sort()
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: migrations`, () => {
    async function setup() {
      const engine = createEngine(await dialect.isolatedUrl())
      const folder = join(tempProject(), 'migrations')
      return {
        engine,
        folder,
        migrator: (metadata: Metadata) => createMigrator(engine, { folder, metadata }),
      }
    }

    test('from an empty database, autogenerate writes "add hero table" and upgrade head creates it', async () => {
      const { engine, folder, migrator } = await setup()
      await using _ = engine
      const { metadata, Hero } = heroes()
      const m = migrator(metadata)
      assert.equal(await m.current(), undefined, 'a new database is at base')

      const written = await m.revision('add hero table')
      assert.ok(written, 'a revision is written')
      assert.match(written.name, REVISION)
      assert.ok(written.name.endsWith('_add_hero_table'))
      assert.deepEqual(readdirSync(folder), [`${written.name}.ts`])
      const code = readFileSync(written.path, 'utf8')
      assert.match(code, /^\/\*\*\n \* add hero table\n/, 'the message heads the file')
      assert.match(code, /import type \{ Kysely \} from 'kysely'/)
      assert.match(code, /export async function up\(db: Kysely<any>\): Promise<void> \{/)
      assert.match(code, /export async function down\(db: Kysely<any>\): Promise<void> \{/)
      assert.match(code, /\.createTable\('hero'\)/)
      // name has no maxLength: PostgreSQL indexes it with a hash index, MySQL by its first 255 characters.
      const nameIndex = {
        sqlite: ".columns(['name']).execute()",
        postgres: ".columns(['name']).using('hash').execute()",
        mysql: ".column(sql`${sql.ref('name')}(255)`).execute()",
      }[dialect.name]
      assert.ok(code.includes(`createIndex('ix_hero_name').on('hero')${nameIndex}`), code)
      assert.match(code, /dropTable\('hero'\)/)
      assert.deepEqual(await tableNames(engine), [], 'writing a revision changes nothing in the database')

      assert.deepEqual(await m.upgrade('head'), [written.name])
      assert.equal(await m.current(), written.name)
      assert.deepEqual(await m.upgrade(), [], 'a second upgrade has nothing to do')
      await using session = new Session(engine)
      session.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
      await session.commit()
      assert.equal((await session.exec(select(Hero)).one()).name, 'Deadpond')
      assert.deepEqual(
        (await autogenerate(engine, { metadata })).changes,
        [],
        'the migrated database matches the models',
      )
    })

    test('adding a field: old rows get NULL in the new column, and downgrade -1 removes it with the rows intact', async () => {
      const { engine, migrator } = await setup()
      await using _ = engine
      const v1 = heroes()
      const first = (await migrator(v1.metadata).revision('add hero table'))!
      await migrator(v1.metadata).upgrade()
      {
        await using session = new Session(engine)
        session.addAll([
          v1.Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }),
          v1.Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 }),
        ])
        await session.commit()
      }

      const v2 = heroesWithPowers()
      const m = migrator(v2.metadata)
      const diff = await m.autogenerate()
      assert.deepEqual(
        diff.changes.map((c) => [c.kind, 'column' in c ? c.column.name : '']),
        [['addColumn', 'powers']],
      )
      const second = (await m.revision('add powers'))!
      assert.ok(second.name > first.name, 'revisions sort in the order they were written')
      assert.match(readFileSync(second.path, 'utf8'), /alterTable\('hero'\)\.addColumn\('powers', /)
      assert.deepEqual(await m.upgrade(), [second.name])
      {
        await using session = new Session(engine)
        const rows = await session.exec(select(v2.Hero).orderBy(v2.Hero.c.id)).all()
        assert.deepEqual(
          rows.map((h) => ({ ...h })),
          [
            { id: 1, name: 'Deadpond', secret_name: 'Dive Wilson', age: null, powers: null },
            { id: 2, name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48, powers: null },
          ],
          'the old rows are intact, with the new column NULL',
        )
      }

      assert.deepEqual(await m.downgrade(-1), [second.name])
      assert.equal(await m.current(), first.name)
      assert.deepEqual(await columnNames(engine, 'hero'), ['id', 'name', 'secret_name', 'age'])
      await using session = new Session(engine)
      const rows = await session.exec(select(v1.Hero).orderBy(v1.Hero.c.id)).all()
      assert.deepEqual(
        rows.map((h) => h.name),
        ['Deadpond', 'Rusty-Man'],
      )
      assert.deepEqual((await autogenerate(engine, { metadata: v1.metadata })).changes, [])
    })

    test('an indexed varchar(255) that loses its maxLength migrates to text of any length, index and all', async () => {
      const { engine, migrator } = await setup()
      await using _ = engine
      const declare = (options: { maxLength?: number }) => {
        const metadata = new Metadata()
        const Hero = table(
          'hero',
          model('Hero', {
            id: field.integer({ primaryKey: true }),
            name: field.string({ index: true, ...options }),
          }),
          { metadata },
        )
        return { metadata, Hero }
      }
      // How databases were made before strings without maxLength held any length.
      const before = declare({ maxLength: 255 })
      await migrator(before.metadata).revision('add hero table')
      await migrator(before.metadata).upgrade()

      const after = declare({})
      const m = migrator(after.metadata)
      const kinds = (await m.autogenerate()).changes.map((change) => change.kind)
      // SQLite's text and an ordinary index hold any length; only the declared type changes.
      assert.deepEqual(
        kinds,
        dialect.name === 'sqlite' ? ['alterColumn'] : ['dropIndex', 'alterColumn', 'createIndex'],
      )
      await m.revision('name of any length')
      await m.upgrade()
      assert.deepEqual((await autogenerate(engine, { metadata: after.metadata })).changes, [])
      const long = '🦸'.repeat(1000)
      await using session = new Session(engine)
      session.add(after.Hero.create({ name: long }))
      await session.commit()
      assert.equal(
        (await session.exec(select(after.Hero).where(after.Hero.c.name.eq(long))).one()).name,
        long,
      )
    })

    test('a nullability change keeps 10,000 rows and the rows that reference them', async () => {
      const { engine, migrator } = await setup()
      await using _ = engine
      const before = evolved({ missions: true })
      await migrator(before).revision('heroes and missions')
      await migrator(before).upgrade()
      for (let start = 0; start < 10_000; start += 1000) {
        await engine.db
          .insertInto('hero')
          .values(
            Array.from({ length: 1000 }, (_, i) => ({
              name: `Hero ${start + i}`,
              secret_name: `Secret ${start + i}`,
              age: (start + i) % 90,
            })),
          )
          .execute()
      }
      await engine.db
        .insertInto('mission')
        .values([
          { title: 'Save the city', hero_id: 1 },
          { title: 'Save the world', hero_id: 10_000 },
        ])
        .execute()

      const m = migrator(evolved({ missions: true, ageRequired: true }))
      const written = (await m.revision('age is required'))!
      const code = readFileSync(written.path, 'utf8')
      if (dialect.name === 'sqlite') {
        assert.match(code, /rebuildTable\(db, 'hero', \{ alter: \{ age: \{ nullable: false \} \} \}\)/)
        assert.match(code, /import \{ assertNoNulls, rebuildTable \} from 'onemodel-ts'/)
      }
      await m.upgrade()

      assert.equal(await count(engine, 'hero'), 10_000, 'every row survives')
      assert.equal(await count(engine, 'mission'), 2, 'no cascade deleted the referencing rows')
      assert.deepEqual((await m.check()).clean, true, 'the database matches the models')
      const live = (await engine.dialect.migrations.introspect(engine.db)).find((t) => t.name === 'hero')!
      assert.equal(live.columns.find((c) => c.name === 'age')!.nullable, false)
      assert.deepEqual(
        live.indexes.map((i) => i.name),
        ['ix_hero_name'],
        'the index is still there',
      )
      await assert.rejects(
        engine.db.insertInto('hero').values({ name: 'Nobody', secret_name: 'x', age: null }).execute(),
        /null/i,
        'NULL is refused now',
      )
      await assert.rejects(
        engine.db.insertInto('mission').values({ title: 'Orphan', hero_id: 123_456 }).execute(),
        /foreign key/i,
        'the foreign key still holds',
      )

      await m.downgrade(-1)
      assert.equal(await count(engine, 'hero'), 10_000)
      assert.equal(await count(engine, 'mission'), 2)
      assert.deepEqual((await autogenerate(engine, { metadata: before })).changes, [])
      await engine.db.insertInto('hero').values({ name: 'Nobody', secret_name: 'x', age: null }).execute()
    })

    test('making a column NOT NULL fails while a row holds NULL, and changes nothing', async () => {
      const { engine, migrator } = await setup()
      await using _ = engine
      const before = heroes()
      await migrator(before.metadata).revision('add hero table')
      await migrator(before.metadata).upgrade()
      await engine.db.insertInto('hero').values({ name: 'Deadpond', secret_name: 'Dive Wilson' }).execute()
      const m = migrator(evolved({ ageRequired: true }))
      const first = await m.current()
      await m.revision('age is required')
      const error = await m.upgrade().then(
        () => assert.fail('the NULL age must stop the upgrade'),
        (e: unknown) => e,
      )
      assert.ok(error instanceof MigrationError)
      assert.equal(error.code, 'OM_MIGRATE_NOT_NULL', 'the guard stops it first, and its code is kept')
      assert.match(error.message, /age_is_required.*hero\.age is made NOT NULL, and rows of 'hero' hold NULL/)
      assert.equal(await m.current(), first)
      assert.equal(await count(engine, 'hero'), 1)
    })

    test('NOT NULL columns added to a table with rows get their defaults: text, boolean, JSON, enum', async () => {
      const { engine, migrator } = await setup()
      await using _ = engine
      const before = heroes()
      await migrator(before.metadata).revision('add hero table')
      await migrator(before.metadata).upgrade()
      await engine.db.insertInto('hero').values({ name: 'Deadpond', secret_name: 'Dive Wilson' }).execute()
      const after = new Metadata()
      const Hero = table(
        'hero',
        model('Hero', {
          ...heroFields,
          motto: field.string({ maxLength: 40, default: "it's \\ `fine` ${x}" }),
          active: field.boolean({ default: true }),
          tags: field.json<string[]>({ default: ['new', "o'k"] }),
          rank: field.enum(['low', 'high'], { default: 'low' }),
        }),
        { metadata: after },
      )
      const m = migrator(after)
      await m.revision('defaults')
      await m.upgrade()
      const session = new Session(engine)
      const [hero] = await session.exec(select(Hero)).all()
      assert.deepEqual(
        { motto: hero!.motto, active: hero!.active, tags: hero!.tags, rank: hero!.rank },
        { motto: "it's \\ `fine` ${x}", active: true, tags: ['new', "o'k"], rank: 'low' },
      )
      assert.deepEqual((await autogenerate(engine, { metadata: after })).changes, [])
    })

    test('down() adding back a dropped NOT NULL column fails while the table has rows, before it changes anything', async () => {
      const { engine, migrator } = await setup()
      await using _ = engine
      const before = heroes()
      await migrator(before.metadata).revision('add hero table')
      await migrator(before.metadata).upgrade()
      await engine.db.insertInto('hero').values({ name: 'Deadpond', secret_name: 'Dive Wilson' }).execute()
      const { secret_name: _dropped, ...rest } = heroFields
      const after = new Metadata()
      table('hero', model('Hero', rest), { metadata: after })
      const m = migrator(after)
      await m.revision('drop secret name')
      await m.upgrade()
      const dropped = await m.current()
      await assert.rejects(m.downgrade(-1), (error: MigrationError) => {
        assert.equal(error.code, 'OM_MIGRATE_NOT_NULL')
        assert.match(error.message, /still at/, 'the message says what the failure left')
        assert.match(error.message, /Table 'hero' has rows, and hero\.secret_name is added NOT NULL/)
        return true
      })
      assert.equal(await m.current(), dropped)
      const [row] = await engine.db.selectFrom('hero').selectAll().execute()
      assert.deepEqual(Object.keys(row!).sort(), ['age', 'id', 'name'])
    })

    test('check is clean when the models match, and reports pending revisions and differences', async () => {
      const { engine, migrator } = await setup()
      await using _ = engine
      const v1 = heroes()
      const m1 = migrator(v1.metadata)
      const written = await m1.revision('add hero table')
      assert.deepEqual(await m1.check(), {
        pending: [written!.name],
        diff: undefined,
        clean: false,
      })
      await m1.upgrade()
      const clean = await m1.check()
      assert.equal(clean.clean, true)
      assert.deepEqual(clean.diff?.changes, [])

      const differing = await migrator(evolved({ powers: true, ageRequired: true })).check()
      assert.equal(differing.clean, false)
      assert.deepEqual(differing.diff?.changes.map((c) => c.kind).sort(), ['addColumn', 'alterColumn'])
    })

    test('no changes: revision writes nothing', async () => {
      const { engine, folder, migrator } = await setup()
      await using _ = engine
      const { metadata } = heroes()
      await migrator(metadata).revision('add hero table')
      await migrator(metadata).upgrade()
      assert.equal(await migrator(metadata).revision('nothing'), undefined)
      assert.equal(readdirSync(folder).length, 1)
    })

    test('autogenerate refuses while revisions are pending', async () => {
      const { engine, migrator } = await setup()
      await using _ = engine
      const { metadata } = heroes()
      await migrator(metadata).revision('add hero table')
      await assert.rejects(migrator(metadata).revision('again'), { code: 'OM_MIGRATE_OUT_OF_DATE' })
    })

    test('a failing migration rolls back and leaves current unchanged', async () => {
      const { engine, folder, migrator } = await setup()
      await using _ = engine
      const { metadata } = heroes()
      const m = migrator(metadata)
      const first = (await m.revision('add hero table'))!
      await m.upgrade()
      const broken = (await m.revision('broken', { empty: true }))!
      writeFileSync(
        broken.path,
        `import type { Kysely } from 'kysely'
import { sql } from 'onemodel-ts'

export async function up(db: Kysely<any>): Promise<void> {
  await db.insertInto('hero').values({ name: 'Deadpond', secret_name: 'Dive Wilson' }).execute()
  await sql\`select * from no_such_table\`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {}
`,
      )
      const error = await m.upgrade().then(
        () => assert.fail('the migration must fail'),
        (e: unknown) => e,
      )
      assert.ok(error instanceof MigrationError, String(error))
      assert.equal(error.code, 'OM_MIGRATE_FAILED')
      assert.match(error.message, new RegExp(broken.name))
      assert.match(error.message, /no_such_table/)
      assert.equal(await m.current(), first.name, 'current is unchanged')
      assert.equal(await count(engine, 'hero'), 0, "the migration's insert was rolled back")
      assert.deepEqual(await m.pending(), [broken.name])
      assert.deepEqual(readdirSync(folder).sort(), [`${first.name}.ts`, `${broken.name}.ts`])
    })

    // GET_LOCK is the MySQL lock; the others wait or fail on their own.
    if (dialect.name === 'mysql') {
      test('a MySQL lock wait that ends without the lock runs nothing', async () => {
        const { engine, migrator } = await setup()
        await using _ = engine
        const m = migrator(heroes().metadata)
        await m.revision('add hero table')
        // Kysely's lock name, shared by every database of the server: held only while the test needs it.
        const lock = 'ea586330-2c93-47c8-908d-981d9d270f9d'
        await engine.db.connection().execute(async (holder) => {
          await sql`select get_lock(${lock}, 10)`.execute(holder)
          try {
            // The rejection is expected from now on: it may come before the kill's own answer does.
            const refused = assert.rejects(m.upgrade(), { code: 'OM_MIGRATE_LOCK' })
            const waiting = await eventually(async () => {
              const { rows } = await sql<{ id: number }>`select id from information_schema.processlist
                  where db = database() and info like 'select get_lock%'`.execute(holder)
              return rows[0]
            })
            // GET_LOCK answers NULL when its wait is killed, as it answers 0 after its timeout.
            await sql`kill query ${sql.lit(waiting.id)}`.execute(holder)
            await refused
          } finally {
            await sql`select release_lock(${lock})`.execute(holder)
          }
        })
        assert.equal(await m.current(), undefined)
        assert.deepEqual(await tableNames(engine), [])
      })
    }

    test(
      'a failing migration leaves no DDL behind',
      {
        skip:
          dialect.name === 'mysql' && 'MySQL commits each DDL statement, so a migration cannot roll back DDL',
      },
      async () => {
        const { engine, migrator } = await setup()
        await using _ = engine
        const m = migrator(heroes().metadata)
        const broken = (await m.revision('broken', { empty: true }))!
        writeFileSync(
          broken.path,
          `import type { Kysely } from 'kysely'
import { sql } from 'onemodel-ts'

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('villain').addColumn('id', 'integer', (col) => col.primaryKey()).execute()
  await sql\`select * from no_such_table\`.execute(db)
}
`,
        )
        await assert.rejects(m.upgrade(), { code: 'OM_MIGRATE_FAILED' })
        assert.equal(await m.current(), undefined)
        assert.deepEqual(await tableNames(engine), [], 'the created table was rolled back')
      },
    )

    test('indexes, unique constraints and foreign keys are added and dropped, and down() restores them', async () => {
      const { engine, migrator } = await setup()
      await using _ = engine
      const before = new Metadata()
      // Strings of the length a unique or composite index needs, so that only the indexes change.
      table(
        'team',
        model('Team', { id: field.integer({ primaryKey: true }), name: field.string({ maxLength: 255 }) }),
        { metadata: before },
      )
      table(
        'hero',
        model('Hero', {
          id: field.integer({ primaryKey: true }),
          name: field.string({ index: true, maxLength: 100 }),
          nickname: field.string({ nullable: true, maxLength: 50 }),
          team_id: field.integer({ nullable: true }),
        }),
        { metadata: before },
      )
      const after = new Metadata()
      table(
        'team',
        model('Team', { id: field.integer({ primaryKey: true }), name: field.string({ unique: true }) }),
        {
          metadata: after,
        },
      )
      table(
        'hero',
        model('Hero', {
          id: field.integer({ primaryKey: true }),
          name: field.string({ maxLength: 100 }),
          nickname: field.string({ nullable: true, maxLength: 100, index: true }),
          team_id: field.integer({ nullable: true, foreignKey: 'team.id', onDelete: 'set null' }),
        }),
        { metadata: after, indexes: [{ columns: ['name', 'team_id'] }] },
      )
      await migrator(before).revision('initial')
      await migrator(before).upgrade()
      await engine.db.insertInto('team').values({ name: 'Preventers' }).execute()
      await engine.db.insertInto('hero').values({ name: 'Deadpond', nickname: 'Dive', team_id: 1 }).execute()

      const m = migrator(after)
      const diff = await m.autogenerate()
      assert.deepEqual(
        diff.changes.map((c) => c.kind).sort(),
        (dialect.name === 'mysql'
          ? ['alterColumn', 'createIndex', 'createIndex', 'createIndex', 'dropIndex', 'addForeignKey']
          : ['alterColumn', 'createIndex', 'createIndex', 'dropIndex', 'addUnique', 'addForeignKey']
        ).sort(),
      )
      await m.revision('constraints')
      await m.upgrade()
      assert.equal((await m.check()).clean, true, 'after upgrade the database matches the new models')
      await assert.rejects(
        engine.db.insertInto('team').values({ name: 'Preventers' }).execute(),
        /unique|duplicate/i,
      )
      assert.equal(await count(engine, 'hero'), 1)

      await m.downgrade(-1)
      assert.deepEqual(
        (await autogenerate(engine, { metadata: before })).changes,
        [],
        'down() restores the old schema',
      )
      assert.equal(await count(engine, 'hero'), 1)
    })

    test('a table no model declares is dropped, and down() creates it again from what the database had', async () => {
      const { engine, migrator } = await setup()
      await using _ = engine
      const before = evolved({ missions: true })
      await migrator(before).revision('heroes and missions')
      await migrator(before).upgrade()
      const m = migrator(heroes().metadata)
      const written = (await m.revision('drop missions'))!
      assert.deepEqual(
        written.diff!.changes.map((c) => c.kind),
        ['dropTable'],
      )
      assert.ok(written.diff!.warnings.some((w) => /'mission' is not declared by any model/.test(w)))
      const code = readFileSync(written.path, 'utf8')
      assert.match(
        code,
        /up\(db: Kysely<any>\): Promise<void> \{\n {2}await db\.schema\.dropTable\('mission'\)/,
      )
      assert.match(code, /\.createTable\('mission'\)/)
      await m.upgrade()
      assert.deepEqual(await tableNames(engine), ['hero'])
      assert.equal((await m.check()).clean, true)

      await m.downgrade(-1)
      assert.deepEqual(await tableNames(engine), ['hero', 'mission'])
      assert.deepEqual(
        (await autogenerate(engine, { metadata: before })).changes,
        [],
        'the table is back as it was: columns, types, key and foreign key',
      )
    })

    test('a renamed column is a drop and an add, with a warning in the file', async () => {
      const { engine, migrator } = await setup()
      await using _ = engine
      await migrator(heroes().metadata).revision('add hero table')
      await migrator(heroes().metadata).upgrade()
      const renamed = new Metadata()
      table(
        'hero',
        model('Hero', {
          id: field.integer({ primaryKey: true }),
          name: field.string({ index: true }),
          alias: field.string(),
          age: field.integer({ nullable: true }),
        }),
        { metadata: renamed },
      )
      const written = (await migrator(renamed).revision('rename secret_name'))!
      assert.deepEqual(
        written.diff!.changes.map((c) => c.kind),
        ['addColumn', 'dropColumn'],
      )
      assert.ok(
        written.diff!.warnings.some((w) => /'secret_name'.*dropped.*'alias' added.*renameColumn/.test(w)),
      )
      const code = readFileSync(written.path, 'utf8')
      assert.match(code, /Review before applying:/)
      assert.match(code, /renameColumn\('old', 'new'\)/)
    })

    test('upgrade and downgrade to a revision, by name or prefix', async () => {
      const { engine, migrator } = await setup()
      await using _ = engine
      const v1 = heroes()
      const v2 = heroesWithPowers()
      const first = (await migrator(v1.metadata).revision('add hero table'))!
      await migrator(v1.metadata).upgrade()
      const second = (await migrator(v2.metadata).revision('add powers'))!
      await migrator(v2.metadata).downgrade('base')
      const m = migrator(v2.metadata)
      assert.equal(await m.current(), undefined)
      assert.deepEqual(
        await m.upgrade(first.name.slice(0, 15)),
        [first.name],
        'a unique prefix names a revision',
      )
      assert.deepEqual(await m.upgrade(), [second.name])
      assert.deepEqual(await m.downgrade(first.name), [second.name], 'the target revision stays applied')
      assert.equal(await m.current(), first.name)
      await assert.rejects(m.upgrade('nope'), { code: 'OM_MIGRATE_REVISION' })
      await assert.rejects(m.downgrade(second.name), { code: 'OM_MIGRATE_REVISION' }, 'not applied')
      assert.deepEqual(
        (await m.history()).map((r) => [r.name, r.appliedAt instanceof Date]),
        [
          [first.name, true],
          [second.name, false],
        ],
      )
    })

    test('stamp brings a database made by createAll under migrations without running them', async () => {
      const { engine, folder, migrator } = await setup()
      await using _ = engine
      await using existing = createEngine(await dialect.isolatedUrl())
      const { metadata, Hero } = heroes()
      await createAll(existing, { metadata })
      await existing.db.insertInto('hero').values({ name: 'Deadpond', secret_name: 'Dive Wilson' }).execute()
      const initial = (await migrator(metadata).revision('initial'))!
      const m = createMigrator(existing, { folder, metadata })
      assert.deepEqual(await m.pending(), [initial.name])

      await m.stamp('head')
      assert.equal(await m.current(), initial.name)
      assert.equal((await m.check()).clean, true)
      assert.deepEqual(await m.upgrade(), [], 'nothing runs: the tables exist')
      await using session = new Session(existing)
      assert.equal((await session.exec(select(Hero)).one()).name, 'Deadpond')
      await m.stamp('base')
      assert.equal(await m.current(), undefined)
      assert.equal(await count(existing, 'hero'), 1, 'stamp never touches the tables')
      await assert.rejects(m.stamp('nope'), { code: 'OM_MIGRATE_REVISION' })
    })

    test('stamp head with no revision is refused, and the record is kept', async () => {
      const { engine, folder, migrator } = await setup()
      await using _ = engine
      const { metadata } = heroes()
      const initial = (await migrator(metadata).revision('initial'))!
      await migrator(metadata).upgrade()
      rmSync(folder, { recursive: true })
      await assert.rejects(migrator(metadata).stamp('head'), /stamp base/)
      const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(engine.db)
      assert.deepEqual(
        rows.map((row) => row.name),
        [initial.name],
      )
    })

    test('a refused command leaves no migration record behind', async () => {
      const { engine, migrator } = await setup()
      await using _ = engine
      const m = migrator(heroes().metadata)
      await m.revision('add hero table')
      await assert.rejects(m.downgrade(-1), { code: 'OM_MIGRATE_REVISION' })
      await assert.rejects(m.upgrade('nope'), { code: 'OM_MIGRATE_REVISION' })
      assert.deepEqual(await m.downgrade('base'), [], 'nothing to run records nothing either')
      await assert.rejects(sql`select 1 from kysely_migration`.execute(engine.db), 'no record table was made')
      assert.equal(await m.current(), undefined)
    })

    // Only PostgreSQL asks the database for its schema on connecting.
    if (dialect.name === 'postgres') {
      test('a migrator that could not connect tries again on its next command', async () => {
        const name = `onemodel_late_${randomBytes(4).toString('hex')}`
        await using admin = createEngine(POSTGRES_URL)
        await using engine = createEngine(POSTGRES_URL.replace(/\/[^/]*$/, `/${name}`))
        const m = createMigrator(engine, {
          folder: join(tempProject(), 'migrations'),
          metadata: heroes().metadata,
        })
        await assert.rejects(m.current(), 'the database does not exist yet')
        await sql`create database ${sql.id(name)}`.execute(admin.db)
        try {
          assert.equal(await m.current(), undefined)
        } finally {
          await engine.dispose()
          await sql`drop database ${sql.id(name)}`.execute(admin.db)
        }
      })
    }

    test('createAll and migrations agree: a database made by createAll needs no migration', async () => {
      const { engine } = await setup()
      await using _ = engine
      const metadata = evolved({ powers: true, missions: true })
      await createAll(engine, { metadata })
      const diff = await autogenerate(engine, { metadata })
      assert.deepEqual(diff.changes, [])
      assert.deepEqual(diff.warnings, [])
    })
  })
}

const sqlite = DIALECTS.find((dialect) => dialect.name === 'sqlite')

describe('sqlite: rebuildTable', { skip: !sqlite && 'sqlite is not in ONEMODEL_DIALECTS' }, () => {
  async function database() {
    const engine = createEngine(await sqlite!.isolatedUrl())
    const run = (text: string) => sql.raw(text).execute(engine.db)
    return { engine, run }
  }

  test('keeps rows, defaults, checks, other constraints, indexes and triggers while it changes columns', async () => {
    const { engine, run } = await database()
    await using _ = engine
    await run(`create table "log" ("line" text)`)
    await run(
      `create table "hero" ("id" integer not null primary key, "name" text not null default 'Anonymous, (masked)', ` +
        `"age" integer check ("age" >= 0), "note" text, "born" text default (datetime('now')), ` +
        `constraint "uq_hero_name" unique ("name"), constraint "ck_hero_name" check (length("name") > 0))`,
    )
    await run(`create index "ix_hero_age" on "hero" ("age")`)
    await run(`create index "ix_hero_note" on "hero" ("note")`)
    await run(
      `create trigger "hero_added" after insert on "hero" begin insert into "log" values (new."name"); end`,
    )
    await run(
      `insert into "hero" ("name", "age", "note") values ('Deadpond', 30, 'a'), ('Rusty-Man', 48, 'b')`,
    )

    await engine.db.transaction().execute((trx) =>
      rebuildTable(trx, 'hero', {
        alter: { age: { type: 'bigint', nullable: false } },
        drop: ['note'],
        dropConstraints: ['uq_hero_name'],
        addConstraints: ['constraint "uq_hero_name_age" unique ("name", "age")'],
        add: { powers: { type: 'text', nullable: true } },
      }),
    )

    const { rows } = await sql<Record<string, unknown>>`select * from "hero" order by "id"`.execute(engine.db)
    assert.deepEqual(
      rows.map((row) => ({ ...row, born: typeof row.born })),
      [
        { id: 1, name: 'Deadpond', age: 30, born: 'string', powers: null },
        { id: 2, name: 'Rusty-Man', age: 48, born: 'string', powers: null },
      ],
    )
    const created = (
      await sql<{ sql: string }>`select sql from sqlite_master where name = 'hero'`.execute(engine.db)
    ).rows[0]!.sql
    assert.match(created, /^CREATE TABLE "hero" \(/, 'the table has its own name again')
    assert.match(created, /"age" bigint not null check \("age" >= 0\)/)
    assert.match(created, /default 'Anonymous, \(masked\)'/)
    assert.match(created, /default \(datetime\('now'\)\)/)
    assert.match(created, /constraint "ck_hero_name" check/)
    assert.match(created, /constraint "uq_hero_name_age" unique/)
    assert.doesNotMatch(created, /uq_hero_name"|"note"/)
    const indexes = (
      await sql<{
        name: string
      }>`select name from sqlite_master where type = 'index' and sql is not null`.execute(engine.db)
    ).rows.map((row) => row.name)
    assert.deepEqual(indexes, ['ix_hero_age'], 'the index on the dropped column goes with it')
    await run(`insert into "hero" ("name", "age") values ('Spider-Boy', 16)`)
    const log = (await sql<{ line: string }>`select line from "log"`.execute(engine.db)).rows.map(
      (r) => r.line,
    )
    assert.deepEqual(log, ['Deadpond', 'Rusty-Man', 'Spider-Boy'], 'the trigger still fires')
    await assert.rejects(run(`insert into "hero" ("name", "age") values ('Nobody', null)`), /NOT NULL/)
    await assert.rejects(run(`insert into "hero" ("name", "age") values ('', 1)`), /CHECK/)
  })

  test('keeps a composite primary key while it changes a column of the table', async () => {
    const { engine } = await database()
    await using _ = engine
    const metadata = new Metadata()
    const fields = {
      hero: field.string({ primaryKey: true, maxLength: 50 }),
      power: field.string({ primaryKey: true, maxLength: 50 }),
    }
    table(
      'heropower',
      model('HeroPower', { ...fields, level: field.integer({ nullable: true, default: null }) }),
      {
        metadata,
      },
    )
    await createAll(engine, { metadata })
    const powers = engine.db.insertInto('heropower')
    await powers.values({ hero: 'Deadpond', power: 'flight', level: 3 }).execute()
    await engine.db
      .transaction()
      .execute((trx) => rebuildTable(trx, 'heropower', { alter: { level: { nullable: false } } }))

    await assert.rejects(powers.values({ hero: 'Deadpond', power: 'flight', level: 1 }).execute(), /UNIQUE/)
    await powers.values({ hero: 'Deadpond', power: 'speed', level: 1 }).execute()
    const changed = new Metadata()
    table('heropower', model('HeroPower', { ...fields, level: field.integer() }), { metadata: changed })
    assert.deepEqual((await autogenerate(engine, { metadata: changed })).changes, [])
  })

  test('autogenerate warns about a constraint it cannot drop because SQLite kept no name for it', async () => {
    const { engine, run } = await database()
    await using _ = engine
    await run(`create table "team" ("id" integer not null primary key, "name" text not null unique)`)
    const metadata = new Metadata()
    table('team', model('Team', { id: field.integer({ primaryKey: true }), name: field.string() }), {
      metadata,
    })
    const diff = await autogenerate(engine, { metadata })
    assert.deepEqual(
      diff.changes.map((c) => c.kind),
      ['dropUnique'],
    )
    assert.ok(diff.warnings.some((w) => /team: a constraint on \(name\) has no name/.test(w)))
  })

  test('refuses to drop a referenced table while foreign keys are enforced, outside the migrator', async () => {
    const { engine, run } = await database()
    await using _ = engine
    await run(`create table "team" ("id" integer not null primary key, "name" text)`)
    await run(
      `create table "hero" ("id" integer not null primary key, "team_id" integer, ` +
        `constraint "fk_hero_team_id_team" foreign key ("team_id") references "team" ("id") on delete cascade)`,
    )
    await run(`insert into "team" values (1, 'Preventers')`)
    await run(`insert into "hero" values (1, 1)`)
    await assert.rejects(
      engine.db
        .transaction()
        .execute((trx) => rebuildTable(trx, 'team', { alter: { name: { nullable: false } } })),
      (error: unknown) =>
        error instanceof MigrationError &&
        error.code === 'OM_MIGRATE_REBUILD' &&
        /'hero' reference 'team'.*onemodel migrate/.test(error.message),
    )
    assert.equal(await count(engine, 'hero'), 1, 'no cascade ran')
    await assert.rejects(
      engine.db
        .transaction()
        .execute((trx) => rebuildTable(trx, 'team', { alter: { nope: { nullable: false } } })),
      /no column 'nope'/,
    )
  })
})

for (const dialect of DIALECTS.filter((d) => d.name !== 'sqlite')) {
  describe(`${dialect.name}: concurrent migrators`, () => {
    test('two migrators upgrading at once apply each revision once', async () => {
      const url = await dialect.isolatedUrl()
      await using a = createEngine(url)
      await using b = createEngine(url)
      const folder = join(tempProject(), 'migrations')
      const metadata = heroesWithPowers().metadata
      await createMigrator(a, { folder, metadata: heroes().metadata }).revision('add hero table')
      await createMigrator(a, { folder, metadata: heroes().metadata }).upgrade()
      await createMigrator(a, { folder, metadata }).revision('add powers')
      const [first, second] = await Promise.all([
        createMigrator(a, { folder, metadata }).upgrade(),
        createMigrator(b, { folder, metadata }).upgrade(),
      ])
      assert.equal([...first, ...second].length, 1, 'one of them applied it, the other found nothing to do')
      assert.equal((await createMigrator(b, { folder, metadata }).check()).clean, true)
    })

    test('rebuildTable is refused: it is the SQLite recipe', async () => {
      await using engine = createEngine(await dialect.isolatedUrl())
      await assert.rejects(rebuildTable(engine.db, 'hero', {}), { code: 'OM_MIGRATE_REBUILD' })
    })
  })
}
