/**
 * The commands that compare the models with the database: `revision`, which writes the changes between them
 * as a revision file, and `check`, which exits 1 when they differ or revisions are pending. Both print the
 * changes one line each.
 */
import { relative } from 'node:path'
import type { ColumnRename } from '../../engine/migrate/diff.ts'
import type { SchemaChange } from '../../engine/migrate/schema-changes.ts'
import type { ColumnSchema } from '../../engine/schema.ts'
import { parseCommand, UsageError, type ExitCode, type Io } from '../args.ts'
import { CONFIG_OPTION, help, noPositionals, withMigrator } from './migrate-shared.ts'

const REVISION_USAGE = `Usage: onemodel migrate revision -m "message" [--autogenerate [--rename table.old:new]… | --empty]

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
  --empty                 write an empty revision`

const CHECK_USAGE = `Usage: onemodel migrate check

Exits 0 when the database is at head and matches the models, 1 otherwise (printing what differs: pending
revisions, out of order ones, a missing file, or the changes a revision would hold): for CI. It compares
tables, columns (type, nullability), primary keys, indexes, unique constraints and foreign keys. Model
defaults and value bounds (ge, le, pattern, …) live in the models, not in the database, so they are not
compared.`

/** `onemodel migrate revision`: writes a revision, the changes from the database to the models or empty. */
export async function revision(args: readonly string[], io: Io): Promise<ExitCode> {
  const usage = REVISION_USAGE
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

/** `onemodel migrate check`: exits 1 when revisions are pending or the models and the database differ. */
export async function check(args: readonly string[], io: Io): Promise<ExitCode> {
  const usage = CHECK_USAGE
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
