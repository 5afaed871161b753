/**
 * `onemodel migrate init`: writes onemodel.config.ts from a template and creates the migrations folder.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { stringLiteral } from '../../engine/migrate/render-source.ts'
import { parseCommand, type ExitCode, type Io } from '../args.ts'
import { help, noPositionals } from './migrate-shared.ts'

const INIT_USAGE = `Usage: onemodel migrate init [--models <module>] [--url <database-url>] [--migrations <folder>] [--force]

Writes onemodel.config.ts, which names the models module, the database URL (DATABASE_URL overrides it)
and the migrations folder, and creates that folder.

Options:
  --models <module>       the module that declares the tables (default ./models.ts)
  --url <database-url>    the database (default sqlite:///database.db)
  --migrations <folder>   where revision files go (default ./migrations)
  --force                 overwrite an existing onemodel.config.ts`

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

/** `onemodel migrate init`: writes onemodel.config.ts and the migrations folder. */
export function init(args: readonly string[], io: Io): ExitCode {
  const usage = INIT_USAGE
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
