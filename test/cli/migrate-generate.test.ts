/**
 * What `onemodel migrate revision` writes, applied by `onemodel migrate upgrade` on every dialect: a NOT
 * NULL column added to a table with rows, a primary key that moved, a renamed column. Each runs the
 * command as a process in a temporary project, against its own database whose first tables `createAll()`
 * made in this process (a command costs half a second).
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { pathToFileURL } from 'node:url'
import { createAll, createEngine, type Engine, type Metadata } from 'onemodel-ts'
import { onemodel, type Run } from '../support/cli.ts'
import { DIALECTS } from '../support/dialects.ts'
import { tempProject } from '../support/project.ts'

/** A models module declaring the hero table with `fields`, one declaration a line. */
function heroModels(fields: string): string {
  return `import { field, Metadata, model, table } from 'onemodel-ts'

export const metadata = new Metadata()
export const Hero = table('hero', model('Hero', {
${fields}
}), { metadata })
`
}

const ID = '  id: field.integer({ primaryKey: true }),'

interface Project {
  readonly dir: string
  readonly engine: Engine
  /** Replaces the models module. */
  models(source: string): void
  /** Runs `onemodel migrate …` and returns its result. */
  migrate(...args: string[]): Promise<Run>
  /** Runs `onemodel migrate …` and fails the test unless it exits 0. */
  ok(...args: string[]): Promise<Run>
  /** The newest revision file's name and text. */
  latest(): { file: string; source: string }
  rows(): Promise<Record<string, unknown>[]>
}

const engines: Engine[] = []
after(async () => {
  for (const engine of engines.splice(0)) await engine.dispose()
})

/** A project whose config points at the fresh database `url`, whose tables `models` made with `createAll()`. */
async function project(url: string, models: string): Promise<Project> {
  const dir = tempProject()
  writeFileSync(
    join(dir, 'onemodel.config.ts'),
    `export default { models: './models.ts', url: ${JSON.stringify(url)}, migrations: './migrations' }\n`,
  )
  const engine = createEngine(url)
  engines.push(engine)
  const migrate = (...args: string[]) => onemodel(dir, ['migrate', ...args])
  const self: Project = {
    dir,
    engine,
    models: (source) => writeFileSync(join(dir, 'models.ts'), source),
    migrate,
    async ok(...args) {
      const run = await migrate(...args)
      assert.equal(run.code, 0, `migrate ${args.join(' ')}:\n${run.stdout}${run.stderr}`)
      return run
    },
    latest() {
      const file = readdirSync(join(dir, 'migrations')).sort().at(-1)!
      return { file, source: readFileSync(join(dir, 'migrations', file), 'utf8') }
    },
    // Plain objects: SQLite's rows have no prototype.
    rows: async () =>
      (await engine.db.selectFrom('hero').selectAll().orderBy('id').execute()).map((row) => ({ ...row })),
  }
  self.models(models)
  const declared: { metadata: Metadata } = await import(pathToFileURL(join(dir, 'models.ts')).href)
  await createAll(engine, { metadata: declared.metadata })
  return self
}

function removeLatest(p: Project): void {
  rmSync(join(p.dir, 'migrations', p.latest().file))
}

// The dialects run side by side, each test in its own project and database.
describe('onemodel migrate revision', { concurrency: true }, () => {
  for (const dialect of DIALECTS) {
    describe(dialect.name, { concurrency: true }, () => {
      test('a NOT NULL column gets its default in existing rows; without one the upgrade fails before anything ran', async () => {
        const name = '  name: field.string({ maxLength: 50 }),'
        const p = await project(await dialect.isolatedUrl(), heroModels([ID, name].join('\n')))
        await p.engine.db
          .insertInto('hero')
          .values([{ name: 'Deadpond' }, { name: 'Rusty-Man' }])
          .execute()

        // Two columns in one revision: the one without a default stops it before the other is added.
        p.models(
          heroModels(
            [ID, name, '  rank: field.integer({ default: 1 }),', '  level: field.integer(),'].join('\n'),
          ),
        )
        const written = await p.ok('revision', '-m', 'add rank and level')
        assert.match(written.stdout, /hero\.rank integer NOT NULL \(existing rows get 1\)/)
        assert.match(written.stdout, /hero\.level integer NOT NULL \(no default: the upgrade fails/)
        const refused = await p.migrate('upgrade')
        assert.equal(refused.code, 1, refused.stdout)
        assert.match(refused.stderr, /Table 'hero' has rows, and hero\.level is added NOT NULL/)
        assert.deepEqual(Object.keys((await p.rows())[0]!).sort(), ['id', 'name'], 'nothing was applied')

        // With a default only, every existing row gets it, and check finds nothing left to do.
        removeLatest(p)
        p.models(heroModels([ID, name, '  rank: field.integer({ default: 1 }),'].join('\n')))
        await p.ok('revision', '-m', 'add rank')
        assert.doesNotMatch(p.latest().source, /defaultTo/, 'no database default stays behind')
        await p.ok('upgrade')
        assert.deepEqual(
          (await p.rows()).map((row) => Number(row.rank)),
          [1, 1],
        )
        assert.match((await p.ok('check')).stdout, /matches the models/)
      })

      test('a nullable column made NOT NULL gives its default to the rows holding NULL', async () => {
        const p = await project(
          await dialect.isolatedUrl(),
          heroModels([ID, '  rank: field.integer({ nullable: true, default: null }),'].join('\n')),
        )
        await p.engine.db
          .insertInto('hero')
          .values([{ rank: 3 }, { rank: null }])
          .execute()
        p.models(heroModels([ID, '  rank: field.integer({ default: 1 }),'].join('\n')))
        await p.ok('revision', '-m', 'rank is required')
        assert.doesNotMatch(p.latest().source, /assertNoNulls/)
        await p.ok('upgrade')
        assert.deepEqual(
          (await p.rows()).map((row) => Number(row.rank)),
          [3, 1],
        )
        assert.match((await p.ok('check')).stdout, /matches the models/)
      })

      test('a primary key that moved is a difference: check fails, and the revision is refused until written by hand', async () => {
        const p = await project(
          await dialect.isolatedUrl(),
          heroModels([ID, '  code: field.string({ maxLength: 20 }),'].join('\n')),
        )
        p.models(
          heroModels(
            ['  id: field.integer(),', '  code: field.string({ primaryKey: true, maxLength: 20 }),'].join(
              '\n',
            ),
          ),
        )
        const check = await p.migrate('check')
        assert.equal(check.code, 1, check.stdout)
        assert.match(check.stdout, /primary key of hero: \(id\) → \(code\)/)
        assert.match(check.stdout, /note: model defaults and value bounds/)

        const written = await p.ok('revision', '-m', 'code is the key')
        assert.match(written.stdout, /warning: hero: the primary key changes from \(id\) to \(code\)/)
        assert.match(p.latest().source, /^\/\/ onemodel: review before applying$/m)
        const refused = await p.migrate('upgrade')
        assert.equal(refused.code, 1)
        assert.match(
          refused.stderr,
          /OM_MIGRATE_UNREVIEWED\]: \d+_\d+_code_is_the_key\.ts was generated with changes to review.*has not been edited/,
        )
        const applied = await p.engine.db.selectFrom('kysely_migration').selectAll().execute()
        assert.deepEqual(applied, [])
      })

      test('a link table with a composite primary key is created by a revision, and the database then matches', async () => {
        const p = await project(await dialect.isolatedUrl(), heroModels(ID))
        const link = `
export const HeroLink = table('herolink', model('HeroLink', {
  hero_id: field.integer({ primaryKey: true, foreignKey: 'hero.id' }),
  friend_id: field.integer({ primaryKey: true, foreignKey: 'hero.id' }),
  since: field.integer({ default: 0 }),
}), { metadata })
`
        p.models(heroModels(ID) + link)
        await p.ok('revision', '-m', 'friends')
        assert.match(
          p.latest().source,
          /addPrimaryKeyConstraint\('herolink_pkey', \['hero_id', 'friend_id'\]\)/,
        )
        assert.doesNotMatch(p.latest().source, /primaryKey\(\)/, 'no column is the key alone')
        await p.ok('upgrade')
        assert.match((await p.ok('check')).stdout, /matches the models/)
        await p.engine.db
          .insertInto('hero')
          .values([{ id: 1 }, { id: 2 }])
          .execute()
        const friends = p.engine.db.insertInto('herolink')
        await friends
          .values([
            { hero_id: 1, friend_id: 2, since: 0 },
            { hero_id: 2, friend_id: 1, since: 0 },
          ])
          .execute()
        await assert.rejects(
          friends.values({ hero_id: 1, friend_id: 2, since: 1 }).execute(),
          /herolink|PRIMARY|unique/i,
        )
        await p.engine.db.deleteFrom('herolink').execute()
        await p.ok('downgrade', '-1')
        await p.ok('upgrade')
        assert.match((await p.ok('check')).stdout, /matches the models/)
      })

      test('a rename is refused unedited; --rename writes one that keeps the values', async () => {
        const p = await project(
          await dialect.isolatedUrl(),
          heroModels([ID, '  name: field.string({ maxLength: 50, index: true }),'].join('\n')),
        )
        await p.engine.db.insertInto('hero').values({ name: 'Deadpond' }).execute()
        p.models(heroModels([ID, '  full_name: field.string({ maxLength: 50, index: true }),'].join('\n')))

        // Guessed as a drop and an add: written with a warning and the marker, and not run.
        const guessed = await p.ok('revision', '-m', 'rename name')
        assert.match(guessed.stdout, /--rename hero\.old:new/)
        const refused = await p.migrate('upgrade')
        assert.equal(refused.code, 1)
        assert.match(refused.stderr, /has not been edited since/)
        assert.deepEqual(await p.rows(), [{ id: 1, name: 'Deadpond' }])

        removeLatest(p)
        const bad = await p.migrate('revision', '-m', 'rename name', '--rename', 'hero.nom:full_name')
        assert.equal(bad.code, 1)
        assert.match(bad.stderr, /OM_MIGRATE_RENAME.*has no column 'nom'/)

        const renamed = await p.ok('revision', '-m', 'rename name', '--rename', 'hero.name:full_name')
        assert.match(renamed.stdout, /~ column hero\.name renamed to full_name/)
        assert.match(p.latest().source, /renameColumn\('name', 'full_name'\)/)
        assert.doesNotMatch(p.latest().source, /review before applying/)
        await p.ok('upgrade')
        assert.deepEqual(await p.rows(), [{ id: 1, full_name: 'Deadpond' }])
        assert.match((await p.ok('check')).stdout, /matches the models/)
        await p.ok('downgrade', '-1')
        assert.deepEqual(await p.rows(), [{ id: 1, name: 'Deadpond' }])
      })

      test('a rename that also makes the column NOT NULL guards the old name, and reverts in the reverse order', async () => {
        const p = await project(
          await dialect.isolatedUrl(),
          heroModels(
            [ID, '  name: field.string({ maxLength: 50, nullable: true, default: null }),'].join('\n'),
          ),
        )
        await p.engine.db.insertInto('hero').values({ name: null }).execute()
        p.models(heroModels([ID, '  full_name: field.string({ maxLength: 50 }),'].join('\n')))
        await p.ok('revision', '-m', 'rename name', '--rename', 'hero.name:full_name')
        assert.match(p.latest().source, /assertNoNulls\(db, 'hero', 'name'\)/)

        const refused = await p.migrate('upgrade')
        assert.equal(refused.code, 1, refused.stdout)
        assert.match(refused.stderr, /hero\.name is made NOT NULL, and rows of 'hero' hold NULL in it/)
        assert.deepEqual(await p.rows(), [{ id: 1, name: null }], 'nothing was applied')

        await p.engine.db.updateTable('hero').set({ name: 'Deadpond' }).execute()
        await p.ok('upgrade')
        assert.deepEqual(await p.rows(), [{ id: 1, full_name: 'Deadpond' }])
        assert.match((await p.ok('check')).stdout, /matches the models/)
        await p.ok('downgrade', '-1')
        await p.engine.db.insertInto('hero').values({ name: null }).execute()
        assert.deepEqual(await p.rows(), [
          { id: 1, name: 'Deadpond' },
          { id: 2, name: null },
        ])
      })
    })
  }
})
