/**
 * `onemodel migrate` as deploys and teams use it, on every dialect: pinned deploys started together, a
 * revision merged out of order, an applied revision whose file is gone, a downgrade past base, a broken
 * file, and failing revisions whose errors say what happened to the data.
 */
import assert from 'node:assert/strict'
import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import type { DialectName } from 'onemodel-ts'
import { onemodel, type Run } from '../support/cli.ts'
import { DIALECTS } from '../support/dialects.ts'
import { tempProject } from '../support/project.ts'

const HERO = '20250101_000000_add_hero'
const VILLAIN = '20250102_000000_add_villain'
const MISSION = '20250103_000000_add_mission'

/** A revision file whose up() runs `body` and whose down() runs `down`. */
function revisionFile(body: string, down = ''): string {
  return `import type { Kysely } from 'kysely'
import { rebuildTable, sql } from 'onemodel-ts'

export async function up(db: Kysely<any>): Promise<void> {
${body}
}

export async function down(db: Kysely<any>): Promise<void> {
${down}
}
`
}

const createTable = (name: string, pause = 0) =>
  revisionFile(
    `  await new Promise((resolve) => setTimeout(resolve, ${pause}))
  await db.schema.createTable('${name}').addColumn('id', 'integer', (col) => col.primaryKey())
    .addColumn('name', 'varchar(100)', (col) => col.notNull()).addColumn('age', 'integer').execute()`,
    `  await db.schema.dropTable('${name}').execute()`,
  )

/** The statement that makes hero.age NOT NULL, as each dialect writes it. */
const AGE_NOT_NULL: Record<DialectName, string> = {
  sqlite: `  await rebuildTable(db, 'hero', { alter: { age: { nullable: false } } })`,
  postgres: `  await db.schema.alterTable('hero').alterColumn('age', (col) => col.setNotNull()).execute()`,
  mysql: `  await db.schema.alterTable('hero').modifyColumn('age', 'integer', (col) => col.notNull()).execute()`,
}

/** A project whose config names `url` and whose models declare nothing (these tests never autogenerate). */
function project(url: string): { dir: string; write(name: string, code: string): string } {
  const dir = tempProject()
  writeFileSync(join(dir, 'models.ts'), 'export {}\n')
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ type: 'module', onemodel: { models: './models.ts', url } }),
  )
  mkdirSync(join(dir, 'migrations'))
  return {
    dir,
    write(name, code) {
      const path = join(dir, 'migrations', `${name}.ts`)
      writeFileSync(path, code)
      return path
    },
  }
}

/** `onemodel migrate …` in `dir`, with the models warning of this project left out of stderr. */
async function migrate(dir: string, ...args: string[]): Promise<Run> {
  const run = await onemodel(dir, ['migrate', ...args])
  return { ...run, stderr: run.stderr.replace(/^warning: .*declares no table\(\).*\n/, '') }
}

function ok(run: Run): Run {
  assert.equal(run.code, 0, `exit ${run.code}\n${run.stdout}${run.stderr}`)
  return run
}

/** The `history` lines as `name status` pairs. */
async function history(dir: string): Promise<string[]> {
  const run = ok(await migrate(dir, 'history'))
  return run.stdout
    .trim()
    .split('\n')
    .map((line) => line.replace(/ +/, ' ').replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/, '<time>'))
}

// The dialects run side by side: every test here waits on CLI processes, one at a time.
describe('onemodel migrate in deploys', { concurrency: true }, () => {
  for (const dialect of DIALECTS) {
    describe(`${dialect.name}: onemodel migrate in deploys`, () => {
      test('two `upgrade <rev>` started together both exit 0, apply each revision once and stop at <rev>', async () => {
        const { dir, write } = project(await dialect.isolatedUrl())
        // The pause keeps the first revision running while the other process asks for the lock.
        write(HERO, createTable('hero', 300))
        write(VILLAIN, createTable('villain'))
        write(MISSION, createTable('mission'))
        const runs = await Promise.all([
          migrate(dir, 'upgrade', VILLAIN),
          migrate(dir, 'upgrade', '20250102'),
        ])
        for (const run of runs) ok(run)
        const applied = runs.flatMap((run) => run.stdout.match(/^Applied .+$/gm) ?? []).sort()
        assert.deepEqual(applied, [`Applied ${HERO}`, `Applied ${VILLAIN}`])
        assert.deepEqual(await history(dir), [
          `${HERO} applied <time>`,
          `${VILLAIN} applied <time>`,
          `${MISSION} pending`,
        ])
      })

      test('a revision merged out of order stops upgrade and check, shows in current and history, and applies when allowed', async () => {
        const { dir, write } = project(await dialect.isolatedUrl())
        write(HERO, createTable('hero'))
        write(MISSION, createTable('mission'))
        ok(await migrate(dir, 'upgrade'))
        write(VILLAIN, createTable('villain')) // a teammate's branch, merged after MISSION ran

        const upgrade = await migrate(dir, 'upgrade')
        assert.equal(upgrade.code, 1)
        assert.match(
          upgrade.stderr,
          new RegExp(`^error \\[OM_MIGRATE_OUT_OF_ORDER\\]: ${VILLAIN} is pending`),
        )
        assert.match(upgrade.stderr, /--allow-out-of-order/)
        const check = await migrate(dir, 'check')
        assert.equal(check.code, 1)
        assert.match(check.stdout, new RegExp(`pending out of order.*${VILLAIN}.*--allow-out-of-order`))
        assert.equal(
          ok(await migrate(dir, 'current')).stdout,
          `${MISSION} (1 pending out of order: ${VILLAIN})\n`,
        )
        assert.deepEqual(await history(dir), [
          `${HERO} applied <time>`,
          `${VILLAIN} pending, out of order`,
          `${MISSION} applied <time>`,
        ])
        const revision = await migrate(dir, 'revision', '-m', 'next')
        assert.match(
          revision.stderr,
          /OM_MIGRATE_OUT_OF_ORDER.*--allow-out-of-order/,
          'not "upgrade head", which would not help',
        )

        assert.equal(ok(await migrate(dir, 'upgrade', '--allow-out-of-order')).stdout, `Applied ${VILLAIN}\n`)
        const down = ok(await migrate(dir, 'downgrade', '-1'))
        assert.match(down.stdout, new RegExp(`^Reverted ${VILLAIN}\\n`), 'the last applied is reverted first')

        // Applied last but sorting before MISSION: downgrading to it reverts what sorts after it.
        ok(await migrate(dir, 'upgrade', '--allow-out-of-order'))
        assert.equal(
          ok(await migrate(dir, 'downgrade', VILLAIN)).stdout,
          `Reverted ${MISSION}\nThe database is at ${VILLAIN}.\n`,
        )
      })

      test('an applied revision whose file is missing fails current, upgrade, check, history and downgrade', async () => {
        const { dir, write } = project(await dialect.isolatedUrl())
        write(HERO, createTable('hero'))
        const villain = write(VILLAIN, createTable('villain'))
        ok(await migrate(dir, 'upgrade'))
        renameSync(villain, join(dir, 'elsewhere.ts'))

        for (const command of ['current', 'upgrade', 'check', 'downgrade -1']) {
          const run = await migrate(dir, ...command.split(' '))
          assert.equal(run.code, 1, command)
          assert.match(
            run.stderr,
            new RegExp(
              `^error \\[OM_MIGRATE_MISSING\\]: The database applied ${VILLAIN}, but .* no file .*Restore`,
            ),
            command,
          )
        }
        const listed = await migrate(dir, 'history')
        assert.equal(listed.code, 1)
        assert.match(listed.stdout, new RegExp(`^${VILLAIN} +applied \\S+, file missing$`, 'm'))
        assert.match(
          listed.stderr,
          new RegExp(
            `^error \\[OM_MIGRATE_MISSING\\]: The database applied ${VILLAIN}, but .* no file .*Restore`,
          ),
        )

        renameSync(join(dir, 'elsewhere.ts'), villain)
        assert.equal(ok(await migrate(dir, 'current')).stdout, `${VILLAIN} (head)\n`)
      })

      test('downgrade -N with fewer than N applied is refused before anything is reverted', async () => {
        const { dir, write } = project(await dialect.isolatedUrl())
        write(HERO, createTable('hero'))
        write(VILLAIN, createTable('villain'))
        ok(await migrate(dir, 'upgrade'))
        const run = await migrate(dir, 'downgrade', '-5')
        assert.equal(run.code, 1)
        assert.match(
          run.stderr,
          /OM_MIGRATE_REVISION.*downgrade -5 needs 5 applied revisions and the database has 2.*downgrade base/,
        )
        assert.equal(ok(await migrate(dir, 'current')).stdout, `${VILLAIN} (head)\n`, 'nothing was reverted')
        assert.match(ok(await migrate(dir, 'downgrade', '-2')).stdout, /The database is at base\.\n$/)
      })

      test('a file with a syntax error is named with its line; history still lists it and earlier revisions still apply', async () => {
        const { dir, write } = project(await dialect.isolatedUrl())
        write(HERO, createTable('hero'))
        write(VILLAIN, 'export async function up(db) {\n  await db.schema.createTable(\n  const x = = 1\n}\n')
        const run = await migrate(dir, 'upgrade')
        assert.equal(run.code, 1)
        assert.match(
          run.stderr,
          new RegExp(
            `^error \\[OM_MIGRATE_REVISION\\]: Cannot load migration ${VILLAIN}\\.ts:3: SyntaxError: .+\\n(?: {2}.*\\n)* {4}const x = = 1\\n {2} *\\^+\\n`,
          ),
        )
        assert.deepEqual(
          await history(dir),
          [`${HERO} pending`, `${VILLAIN} pending`],
          'nothing ran, and history works',
        )
        assert.equal(ok(await migrate(dir, 'upgrade', HERO)).stdout, `Applied ${HERO}\n`)
      })

      test('a failing revision says which rows stop it, never their values, and what it left applied', async () => {
        const { dir, write } = project(await dialect.isolatedUrl())
        write(
          HERO,
          createTable('hero').replace(
            /\n\}\n\nexport async function down/,
            `
  await db.insertInto('hero').values([{ id: 1, name: 'Dive Wilson', age: null }, { id: 2, name: 'Dive Wilson', age: 30 }]).execute()
}

export async function down`,
          ),
        )
        ok(await migrate(dir, 'upgrade'))
        // A read, then two changes: a column is added, then the unique index fails on the duplicated name.
        // The read changed nothing, so it is not among what stayed applied.
        write(
          VILLAIN,
          revisionFile(`  await db.selectFrom('hero').select('id').execute()
  await db.schema.alterTable('hero').addColumn('powers', 'varchar(50)').execute()
  await db.schema.createIndex('hero_name_unique').on('hero').column('name').unique().execute()`),
        )
        const unique = await migrate(dir, 'upgrade')
        assert.equal(unique.code, 1)
        assert.match(
          unique.stderr,
          new RegExp(
            `^error \\[OM_MIGRATE_FAILED\\]: Migration ${VILLAIN} failed \\(upgrade\\): hero has rows that share their \\(name\\)`,
          ),
        )
        assert.match(
          unique.stderr,
          /List them with: select .*name.* count\(\*\).* from .*hero.* group by .*name.* having count\(\*\) > 1/,
        )
        assert.doesNotMatch(unique.stderr, /Dive Wilson/, 'the values may be secrets')
        assert.doesNotMatch(unique.stderr, /roll back and fix the data/)
        if (dialect.name === 'mysql') {
          assert.match(
            unique.stderr,
            new RegExp(
              `MySQL commits each DDL statement, so these 1 statement\\(s\\) of it stayed applied, although the database is still at ${HERO}:\\n  alter table \`hero\` add column \`powers\` varchar\\(50\\)\\n.*stamp ${VILLAIN}`,
            ),
          )
        } else {
          assert.match(
            unique.stderr,
            new RegExp(`It was rolled back: nothing of it stayed, and the database is still at ${HERO}\\.`),
          )
        }

        write(VILLAIN, revisionFile(AGE_NOT_NULL[dialect.name]))
        const notNull = await migrate(dir, 'upgrade')
        assert.equal(notNull.code, 1)
        assert.match(
          notNull.stderr,
          /failed \(upgrade\): 1 row\(s\) of hero hold NULL in age, which the revision makes NOT NULL/,
        )
        assert.doesNotMatch(notNull.stderr, /Data truncated/)
        assert.equal(ok(await migrate(dir, 'current')).stdout, `${HERO}\n`)
      })

      test('a value that does not fit its column is explained without the advice meant for model fields', async () => {
        const { dir, write } = project(await dialect.isolatedUrl())
        write(
          HERO,
          createTable('hero').replace(
            /\n\}\n\nexport async function down/,
            `
  await db.insertInto('hero').values({ id: 1, name: 'Rusty-Man', age: 2000000000 }).execute()
}

export async function down`,
          ),
        )
        ok(await migrate(dir, 'upgrade'))
        write(VILLAIN, revisionFile(`  await sql\`update hero set age = age * 2\`.execute(db)`))
        const run = await migrate(dir, 'upgrade')
        if (dialect.name === 'sqlite') {
          ok(run) // SQLite's integers are 64-bit; nothing to refuse
          return
        }
        assert.equal(run.code, 1)
        assert.match(
          run.stderr,
          /OM_MIGRATE_FAILED.*out of range.*A value the revision writes or keeps does not fit its column/i,
        )
        assert.doesNotMatch(run.stderr, /Declare the column's limit on the field/)
        assert.doesNotMatch(run.stderr, /4000000000/)
      })
    })
  }
})
