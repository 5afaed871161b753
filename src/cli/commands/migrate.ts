import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { ColumnRename, SchemaChange } from '../../engine/migrate/diff.ts'
import type { Migrator, RevisionInfo } from '../../engine/migrate/migrator.ts'
import type { ColumnSchema } from '../../engine/schema.ts'
import { missingFilesError } from '../../engine/migrate/plan.ts'
import { stringLiteral } from '../../engine/migrate/render-source.ts'
import { parseCommand, UsageError, type ExitCode, type Io } from '../args.ts'
import { loadConfig, loadMetadata } from '../config.ts'

export const MIGRATE_USAGE = `Usage: onemodel migrate <command> [options]

Migrations compare the models with the database and keep its schema in step, one revision file at a time.

Commands:
  init                     write onemodel.config.ts and the migrations folder
  revision -m "message"    write a revision: the changes from the database to the models
  upgrade [head|<rev>]     apply pending revisions (default head: all of them), under one lock
  downgrade <-1|<rev>|base> revert revisions: -1 the last one, <rev> back to that one, base all
  stamp <head|<rev>|base>  record revisions as applied without running them
  current                  print the revision the database is at
  history                  list the revisions, applied and pending
  check                    exit 1 when revisions are pending or the models and database differ

Options:
  -c, --config <file>      the configuration file (default onemodel.config.ts, or package.json "onemodel")
  -h, --help               show help for a command

A <rev> is a revision's file name without .ts, or a unique prefix of it such as its timestamp.
The database is the config's url, or DATABASE_URL when set.`

const USAGE: Record<string, string> = {
  init: `Usage: onemodel migrate init [--models <module>] [--url <database-url>] [--migrations <folder>] [--force]

Writes onemodel.config.ts, which names the models module, the database URL (DATABASE_URL overrides it)
and the migrations folder, and creates that folder.

Options:
  --models <module>       the module that declares the tables (default ./models.ts)
  --url <database-url>    the database (default sqlite:///database.db)
  --migrations <folder>   where revision files go (default ./migrations)
  --force                 overwrite an existing onemodel.config.ts`,
  revision: `Usage: onemodel migrate revision -m "message" [--autogenerate [--rename table.old:new]… | --empty]

Writes migrations/<timestamp>_<message>.ts with up() and down(). By default (--autogenerate) it holds the
changes that bring the database to the models; when there are none it says so and writes nothing. With
--empty, up() and down() are left for you to write. The database must be at head.

A revision that is wrong unless edited (a column or table that may have been renamed, a primary key
change) carries a review marker: upgrade refuses it until you edit the file and delete the marker line.
Model defaults and value bounds (ge, le, pattern, …) live in the models, not in the database: changing
them needs no revision.

Options:
  -m, --message <text>    what the revision does (required)
  --autogenerate          compare the models with the database (the default)
  --rename <t.old:new>    the model renamed column old of table t to new: rename it, keeping its values
                          (repeat for several columns)
  --empty                 write an empty revision`,
  upgrade: `Usage: onemodel migrate upgrade [head|<rev>] [--allow-out-of-order]

Applies the pending revisions up to <rev>, or all of them (head, the default), each in its own transaction
where the database allows it. The plan is made and run under one lock, so deploys started together apply
each revision once and never go past <rev>.

A pending revision that sorts before an applied one (a branch merged late) stops the upgrade with its name,
unless --allow-out-of-order (or allowOutOfOrder: true in the config) applies it. An applied revision whose
file is missing stops it too.

Options:
  --allow-out-of-order    apply pending revisions that sort before an applied one, oldest first`,
  downgrade: `Usage: onemodel migrate downgrade <-1|-N|<rev>|base>

Reverts revisions with their down(): -1 the last one, -N the last N (refused when fewer are applied), <rev>
every revision after it (it stays applied), base all of them.`,
  stamp: `Usage: onemodel migrate stamp <head|<rev>|base>

Records every revision up to <rev> (or all, head) as applied, and the later ones as pending, without running
them; base records none. Use it once to bring a database made by createAll() under migrations whose first
revision describes what it already has.`,
  current: `Usage: onemodel migrate current

Prints the revision the database is at, with (head) when none is pending. Exits 1 when an applied
revision's file is missing from the migrations folder.`,
  history: `Usage: onemodel migrate history

Lists every revision, oldest first, with when it was applied, "pending", "pending, out of order" (it sorts
before an applied revision) or "applied …, file missing". Reads file names only, so it works while a file
is broken. Exits 1 when an applied revision's file is missing.`,
  check: `Usage: onemodel migrate check

Exits 0 when the database is at head and matches the models, 1 otherwise (printing what differs: pending
revisions, out of order ones, a missing file, or the changes a revision would hold): for CI. It compares
tables, columns (type, nullability), primary keys, indexes, unique constraints and foreign keys. Model
defaults and value bounds (ge, le, pattern, …) live in the models, not in the database, so they are not
compared.`,
}

const CONFIG_OPTION = { config: { type: 'string', short: 'c' } } as const

/** `onemodel migrate …` */
export async function migrate(args: readonly string[], io: Io): Promise<ExitCode> {
  const [command, ...rest] = args
  switch (command) {
    case undefined:
      throw new UsageError('Missing migrate command.', MIGRATE_USAGE)
    case '--help':
    case '-h':
      return help(io, MIGRATE_USAGE)
    case 'init':
      return init(rest, io)
    case 'revision':
      return revision(rest, io)
    case 'upgrade':
      return upgrade(rest, io)
    case 'downgrade':
      return downgrade(rest, io)
    case 'stamp':
      return stamp(rest, io)
    case 'current':
      return current(rest, io)
    case 'history':
      return history(rest, io)
    case 'check':
      return check(rest, io)
    default:
      throw new UsageError(`Unknown command "migrate ${command}".`, MIGRATE_USAGE)
  }
}

const CONFIG_TEMPLATE = (
  models: string,
  url: string,
  migrations: string,
) => `/** onemodel's configuration: what \`onemodel migrate\` compares and where it writes. */
import { defineConfig } from 'onemodel-ts'

export default defineConfig({
  // The module that declares the tables with table(). If it exports \`metadata\`, that Metadata is used.
  models: ${stringLiteral(models)},
  // The database. The DATABASE_URL environment variable overrides it.
  url: ${stringLiteral(url)},
  // Where \`onemodel migrate revision\` writes migration files.
  migrations: ${stringLiteral(migrations)},
})
`

function init(args: readonly string[], io: Io): ExitCode {
  const usage = USAGE.init!
  const { values, positionals } = parseCommand(
    args,
    {
      models: { type: 'string', default: './models.ts' },
      url: { type: 'string', default: 'sqlite:///database.db' },
      migrations: { type: 'string', default: './migrations' },
      force: { type: 'boolean', default: false },
    },
    usage,
  )
  if (values.help) return help(io, usage)
  noPositionals(positionals, usage)
  const file = join(io.cwd, 'onemodel.config.ts')
  if (existsSync(file) && !values.force) {
    io.stderr(`onemodel.config.ts already exists in ${io.cwd}; pass --force to overwrite it.`)
    return 1
  }
  writeFileSync(file, CONFIG_TEMPLATE(values.models, values.url, values.migrations))
  const folder = join(io.cwd, values.migrations)
  mkdirSync(folder, { recursive: true })
  io.stdout(`Wrote onemodel.config.ts (models ${values.models}, database ${values.url}).`)
  io.stdout(`Created ${relative(io.cwd, folder) || '.'}/ for the revision files.`)
  io.stdout(
    'Next: declare your tables in the models module, then run onemodel migrate revision -m "initial".',
  )
  return 0
}

async function revision(args: readonly string[], io: Io): Promise<ExitCode> {
  const usage = USAGE.revision!
  const { values, positionals } = parseCommand(
    args,
    {
      ...CONFIG_OPTION,
      message: { type: 'string', short: 'm' },
      autogenerate: { type: 'boolean', default: false },
      rename: { type: 'string', multiple: true, default: [] },
      empty: { type: 'boolean', default: false },
    },
    usage,
  )
  if (values.help) return help(io, usage)
  noPositionals(positionals, usage)
  if (!values.message?.trim()) throw new UsageError('revision needs a message: -m "add hero table".', usage)
  if (values.autogenerate && values.empty)
    throw new UsageError('Pass --autogenerate or --empty, not both.', usage)
  if (values.empty && values.rename.length > 0)
    throw new UsageError('--rename is for --autogenerate; an --empty revision is written by hand.', usage)
  const renames = values.rename.map((rename) => parseRename(rename, usage))
  return withMigrator(io, values.config, async (migrator) => {
    const written = await migrator.revision(values.message!, { empty: values.empty, renames })
    if (!written) {
      io.stdout('No changes: the database matches the models. No revision written.')
      io.stdout(`note: ${NOT_COMPARED}`)
      return 0
    }
    const path = relative(io.cwd, written.path)
    if (!written.diff) {
      io.stdout(`Wrote ${path}: an empty revision; write its up() and down().`)
      return 0
    }
    const n = written.diff.changes.length
    io.stdout(`Wrote ${path} with ${n} change${n === 1 ? '' : 's'}:`)
    for (const change of written.diff.changes) io.stdout(`  ${describe(change)}`)
    for (const warning of written.diff.warnings) io.stdout(`  warning: ${warning}`)
    io.stdout(
      written.diff.edits.length > 0
        ? 'Edit it as the warnings say, then delete its review marker line: upgrade refuses it until then.'
        : 'Review it, then run onemodel migrate upgrade.',
    )
    io.stdout(`note: ${NOT_COMPARED}`)
    return 0
  })
}

/** Said every time the models and database are compared, since no comparison can see these. */
const NOT_COMPARED =
  'model defaults and value bounds (ge, le, pattern, …) are applied by onemodel, not stored in the database, so they are not compared; changing them needs no revision.'

/** `hero.name:full_name` as the rename of column `name` of table `hero` to `full_name`. */
function parseRename(text: string, usage: string): ColumnRename {
  const parts = /^(?<table>[^.:]+)\.(?<from>[^.:]+):(?<to>[^.:]+)$/.exec(text)?.groups
  if (!parts) {
    throw new UsageError(`--rename ${text}: give table.old:new, such as --rename hero.name:full_name.`, usage)
  }
  return { table: parts.table!, from: parts.from!, to: parts.to! }
}

async function upgrade(args: readonly string[], io: Io): Promise<ExitCode> {
  const usage = USAGE.upgrade!
  const { values, positionals } = parseCommand(
    args,
    { ...CONFIG_OPTION, 'allow-out-of-order': { type: 'boolean' } },
    usage,
  )
  if (values.help) return help(io, usage)
  if (positionals.length > 1) throw new UsageError('upgrade takes one revision.', usage)
  const allowOutOfOrder = values['allow-out-of-order']
  return withMigrator(io, values.config, async (migrator) => {
    const applied = await migrator.upgrade(
      positionals[0] ?? 'head',
      allowOutOfOrder === undefined ? {} : { allowOutOfOrder },
    )
    if (applied.length === 0)
      io.stdout(`Nothing to apply: the database is at ${(await migrator.current()) ?? 'base'}.`)
    for (const name of applied) io.stdout(`Applied ${name}`)
    return 0
  })
}

async function downgrade(args: readonly string[], io: Io): Promise<ExitCode> {
  const usage = USAGE.downgrade!
  const { values, positionals } = parseCommand(args, CONFIG_OPTION, usage)
  if (values.help) return help(io, usage)
  if (positionals.length !== 1) {
    throw new UsageError('downgrade needs a target: -1 for the last revision, a revision, or base.', usage)
  }
  return withMigrator(io, values.config, async (migrator) => {
    const reverted = await migrator.downgrade(positionals[0]!)
    if (reverted.length === 0) io.stdout('Nothing to revert.')
    for (const name of reverted) io.stdout(`Reverted ${name}`)
    io.stdout(`The database is at ${(await migrator.current()) ?? 'base'}.`)
    return 0
  })
}

async function stamp(args: readonly string[], io: Io): Promise<ExitCode> {
  const usage = USAGE.stamp!
  const { values, positionals } = parseCommand(args, CONFIG_OPTION, usage)
  if (values.help) return help(io, usage)
  if (positionals.length !== 1)
    throw new UsageError('stamp needs a target: head, a revision, or base.', usage)
  return withMigrator(io, values.config, async (migrator) => {
    await migrator.stamp(positionals[0]!)
    io.stdout(`Stamped: the database is recorded at ${(await migrator.current()) ?? 'base'}.`)
    return 0
  })
}

async function current(args: readonly string[], io: Io): Promise<ExitCode> {
  const usage = USAGE.current!
  const { values, positionals } = parseCommand(args, CONFIG_OPTION, usage)
  if (values.help) return help(io, usage)
  noPositionals(positionals, usage)
  return withMigrator(io, values.config, async (migrator) => {
    const at = await migrator.current() // throws when an applied revision's file is missing
    const revisions = await migrator.history()
    const late = revisions.filter((r) => r.status === 'out of order').map((r) => r.name)
    const head = revisions.every((r) => r.appliedAt !== undefined)
    const notes =
      at === undefined ? ['no revision applied', ...(head ? [] : ['some pending'])] : head ? ['head'] : []
    if (late.length > 0) notes.push(`${late.length} pending out of order: ${late.join(', ')}`)
    io.stdout(`${at ?? 'base'}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`)
    return 0
  })
}

async function history(args: readonly string[], io: Io): Promise<ExitCode> {
  const usage = USAGE.history!
  const { values, positionals } = parseCommand(args, CONFIG_OPTION, usage)
  if (values.help) return help(io, usage)
  noPositionals(positionals, usage)
  return withMigrator(io, values.config, async (migrator) => {
    const revisions = await migrator.history()
    if (revisions.length === 0) io.stdout(`No revisions in ${relative(io.cwd, migrator.folder) || '.'}/.`)
    const width = Math.max(0, ...revisions.map((r) => r.name.length))
    for (const r of revisions) io.stdout(`${r.name.padEnd(width)}  ${describeStatus(r)}`)
    // Listed first, since the list is how to see what is missing; then refused as every other command does.
    const missing = revisions.filter((r) => r.status === 'missing').map((r) => r.name)
    if (missing.length > 0) throw missingFilesError(missing)
    return 0
  })
}

async function check(args: readonly string[], io: Io): Promise<ExitCode> {
  const usage = USAGE.check!
  const { values, positionals } = parseCommand(args, CONFIG_OPTION, usage)
  if (values.help) return help(io, usage)
  noPositionals(positionals, usage)
  return withMigrator(io, values.config, async (migrator) => {
    const result = await migrator.check()
    if (result.pending.length > 0) {
      const revisions = await migrator.history()
      const late = revisions.filter((r) => r.status === 'out of order').map((r) => r.name)
      io.stdout(
        late.length > 0
          ? `${late.length} revision(s) pending out of order, sorting before an applied one: ${late.join(', ')}. ` +
              'Check they do not conflict with the later revisions, then run onemodel migrate upgrade --allow-out-of-order.'
          : `${result.pending.length} revision(s) pending: ${result.pending.join(', ')}. Run onemodel migrate upgrade.`,
      )
      return 1
    }
    if (result.clean) {
      io.stdout('The database is at head and matches the models.')
      io.stdout(`note: ${NOT_COMPARED}`)
      return 0
    }
    io.stdout('The models and the database differ:')
    for (const change of result.diff!.changes) io.stdout(`  ${describe(change)}`)
    io.stdout('Run onemodel migrate revision -m "…" to write a revision for these changes.')
    io.stdout(`note: ${NOT_COMPARED}`)
    return 1
  })
}

async function withMigrator(
  io: Io,
  configFile: string | undefined,
  work: (migrator: Migrator) => Promise<ExitCode>,
): Promise<ExitCode> {
  const config = await loadConfig(io.cwd, io.env, configFile)
  // Loaded here rather than at the top, so `--help` does not wait for the database drivers.
  const { createEngine } = await import('../../engine/engine.ts')
  const { createMigrator } = await import('../../engine/migrate/migrator.ts')
  const metadata = await loadMetadata(config.models)
  if (metadata.tables.length === 0) {
    io.stderr(`warning: ${relative(io.cwd, config.models)} declares no table(); the models are empty.`)
  }
  const engine = createEngine(config.url)
  try {
    const { migrations: folder, allowOutOfOrder } = config
    return await work(createMigrator(engine, { folder, metadata, allowOutOfOrder }))
  } finally {
    await engine.dispose()
  }
}

/** `applied <when>`, `pending`, `pending, out of order`, or `applied <when>, file missing`. */
function describeStatus(revision: RevisionInfo): string {
  const applied = `applied ${revision.appliedAt?.toISOString()}`
  switch (revision.status) {
    case 'applied':
      return applied
    case 'missing':
      return `${applied}, file missing`
    case 'pending':
      return 'pending'
    case 'out of order':
      return 'pending, out of order'
  }
}

/** One line per change: `+ table hero`, `~ column hero.age: NULL → NOT NULL`. */
export function describe(change: SchemaChange): string {
  switch (change.kind) {
    case 'createTable':
      return `+ table ${change.table.name}`
    case 'dropTable':
      return `- table ${change.table.name}`
    case 'addColumn':
      return `+ column ${change.table}.${change.column.name} ${change.column.type}${notNull(change.column)}`
    case 'dropColumn':
      return `- column ${change.table}.${change.column.name}`
    case 'renameColumn':
      return `~ column ${change.table}.${change.from} renamed to ${change.to}`
    case 'alterPrimaryKey':
      return `~ primary key of ${change.table}: (${change.from.join(', ')}) → (${change.to.join(', ')}), to write by hand`
    case 'alterColumn': {
      const { from, to } = change
      const parts: string[] = []
      if (change.typeChanged) parts.push(`${from.type} → ${to.type}`)
      if (from.nullable !== to.nullable) parts.push(from.nullable ? 'NULL → NOT NULL' : 'NOT NULL → NULL')
      return `~ column ${change.table}.${to.name}: ${parts.join(', ')}`
    }
    case 'createIndex':
      return `+ ${change.index.unique ? 'unique index' : 'index'} ${change.index.name} on ${change.table} (${change.index.columns.join(', ')})`
    case 'dropIndex':
      return `- index ${change.index.name} on ${change.table}`
    case 'addUnique':
      return `+ unique ${change.unique.name ?? ''} on ${change.table} (${change.unique.columns.join(', ')})`
    case 'dropUnique':
      return `- unique ${change.unique.name ?? `(${change.unique.columns.join(', ')})`} on ${change.table}`
    case 'addForeignKey':
      return `+ foreign key ${change.table} (${change.foreignKey.columns.join(', ')}) → ${change.foreignKey.table} (${change.foreignKey.references.join(', ')})`
    case 'dropForeignKey':
      return `- foreign key ${change.foreignKey.name ?? ''} on ${change.table}`
  }
}

/** How existing rows get a NOT NULL column's value: the model's default, or none (the upgrade refuses rows). */
function notNull(column: ColumnSchema): string {
  if (column.nullable) return ''
  if (column.fill === undefined) return ' NOT NULL (no default: the upgrade fails if the table has rows)'
  const { value } = column.fill
  return ` NOT NULL (existing rows get ${typeof value === 'string' ? JSON.stringify(value) : String(value)})`
}

function help(io: Io, usage: string): ExitCode {
  io.stdout(usage)
  return 0
}

function noPositionals(positionals: readonly string[], usage: string): void {
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`, usage)
}
