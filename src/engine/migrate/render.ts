/**
 * Writes a {@link SchemaDiff} as a migration file: `up()` and `down()` on Kysely's schema builder, readable
 * as if written by hand. Types are the dialect's, as the database was compared: a migration is generated
 * for one kind of database. This module lays out the file (its comment, imports, `up()` and `down()`);
 * the statements are `render-statements.ts`'s.
 */
import type { Dialect } from '../dialect/dialect.ts'
import { invert } from './invert.ts'
import { Writer } from './render-statements.ts'
import { REVIEW_MARKER } from './review.ts'
import { wrapComment } from './render-source.ts'
import type { SchemaDiff } from './schema-changes.ts'

/** What a rendered migration file says about itself. */
export interface RenderOptions {
  /** The revision name: the file name without `.ts`. */
  name: string
  /** The `-m` message: what the migration does. */
  message: string
  /** The dialect the database was compared on. */
  dialect: Dialect
  createdAt?: Date
}

/**
 * The source of a migration file for `diff`, or an empty one to fill in by hand when `diff` is `undefined`.
 *
 * @example
 * const diff = await autogenerate(engine)
 * writeFileSync('migrations/20250102_153000_add_powers.ts', renderMigration(diff, { name, message: 'add powers', dialect: engine.dialect }))
 */
export function renderMigration(diff: SchemaDiff | undefined, options: RenderOptions): string {
  const writer = new Writer(options.dialect)
  const up = diff ? writer.statements(diff.changes) : []
  const down = diff ? writer.statements(invert(diff.changes)) : []
  const created = (options.createdAt ?? new Date()).toISOString()
  const how = diff
    ? `written by \`onemodel migrate revision --autogenerate\` on ${created}, comparing the models with a ${options.dialect.name} database`
    : `written by \`onemodel migrate revision --empty\` on ${created}`
  const unreviewed = diff !== undefined && diff.edits.length > 0
  const review =
    diff && diff.warnings.length > 0
      ? [
          '',
          'Review before applying:',
          ...diff.warnings.map((w) => `- ${w}`),
          ...(unreviewed
            ? [
                '',
                'onemodel migrate upgrade refuses this revision while the line below is here: edit it as the notes above say, then delete the line.',
              ]
            : []),
        ]
      : []
  const header = [options.message, '', `Revision ${options.name}, ${how}.`, ...review]
  const imports = [...(unreviewed ? [REVIEW_MARKER] : []), "import type { Kysely } from 'kysely'"]
  const helpers = [...writer.helpers].sort()
  if (helpers.length > 0) imports.push(`import { ${helpers.join(', ')} } from 'onemodel-ts'`)
  const body = (statements: string[]) =>
    statements.length > 0
      ? statements.join('\n')
      : '  // Write the changes here, with db.schema for the schema and db for data.'
  return [
    '/**',
    ...wrapComment(header).map((line) => (line === '' ? ' *' : ` * ${line}`)),
    ' */',
    ...imports,
    '',
    'export async function up(db: Kysely<any>): Promise<void> {',
    body(up),
    '}',
    '',
    'export async function down(db: Kysely<any>): Promise<void> {',
    body(down),
    '}',
    '',
  ].join('\n')
}
