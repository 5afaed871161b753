/**
 * Writes a {@link SchemaDiff} as a migration file: `up()` and `down()` on Kysely's schema builder, readable
 * as if written by hand. Types are the dialect's, as the database was compared: a migration is generated
 * for one kind of database.
 */
import { isColumnDataType, type ColumnDefinitionBuilder } from 'kysely'
import type { Dialect } from '../dialect/dialect.ts'
import {
  primaryKeyColumns,
  primaryKeyName,
  type ColumnSchema,
  type FillValue,
  type ForeignKeySchema,
  type IndexSchema,
  type TableSchema,
  type UniqueSchema,
} from '../schema.ts'
import { byChangeOrder, phaseOf, type SchemaChange, type SchemaChangeKind, type SchemaDiff } from './diff.ts'
import { REVIEW_MARKER } from './review.ts'
import {
  chain,
  fitList,
  key,
  quote,
  stringLiteral,
  strings,
  valueLiteral,
  WIDTH,
  wrapComment,
} from './render-source.ts'

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

// --- down(): the inverse changes, in an order that applies ---

const INVERSE: { [K in SchemaChangeKind]: (change: Extract<SchemaChange, { kind: K }>) => SchemaChange } = {
  createTable: (c) => ({ kind: 'dropTable', table: c.table }),
  dropTable: (c) => ({ kind: 'createTable', table: c.table }),
  addColumn: (c) => ({ kind: 'dropColumn', table: c.table, column: c.column }),
  dropColumn: (c) => ({ kind: 'addColumn', table: c.table, column: c.column }),
  renameColumn: (c) => ({ ...c, from: c.to, to: c.from }),
  alterPrimaryKey: (c) => ({ ...c, from: c.to, to: c.from }),
  alterColumn: (c) => ({ ...c, from: c.to, to: c.from }),
  createIndex: (c) => ({ kind: 'dropIndex', table: c.table, index: c.index }),
  dropIndex: (c) => ({ kind: 'createIndex', table: c.table, index: c.index }),
  addUnique: (c) => ({ kind: 'dropUnique', table: c.table, unique: c.unique }),
  dropUnique: (c) => ({ kind: 'addUnique', table: c.table, unique: c.unique }),
  // A key added to an existing table gets its own index where the database needs one (MySQL).
  addForeignKey: (c) => ({
    kind: 'dropForeignKey',
    table: c.table,
    foreignKey: { ...c.foreignKey, backingIndex: c.foreignKey.name },
  }),
  dropForeignKey: (c) => ({ kind: 'addForeignKey', table: c.table, foreignKey: c.foreignKey }),
}

function invert(changes: readonly SchemaChange[]): SchemaChange[] {
  // Reversed first, so tables are created parents first and dropped children first; then phased.
  const inverse = [...changes]
    .reverse()
    .map((change) => (INVERSE[change.kind] as (c: SchemaChange) => SchemaChange)(change))
  return inverse.sort(byChangeOrder)
}

// --- statements ---

/** A change to an existing table. */
type TableChange = Exclude<SchemaChange, { kind: 'createTable' | 'dropTable' }>

/** Changes SQLite makes by rebuilding the table rather than with ALTER TABLE. */
const REBUILT: ReadonlySet<SchemaChangeKind> = new Set([
  'alterColumn',
  'addUnique',
  'dropUnique',
  'addForeignKey',
  'dropForeignKey',
])

/** Changes that join a SQLite table's rebuild when the table is rebuilt anyway. */
const REBUILDABLE: ReadonlySet<SchemaChangeKind> = new Set([...REBUILT, 'addColumn', 'dropColumn'])

class Writer {
  readonly #dialect: Dialect
  /** The helpers from 'onemodel-ts' that the statements use. */
  readonly helpers = new Set<string>()

  constructor(dialect: Dialect) {
    this.#dialect = dialect
  }

  /**
   * Each change as `await …` lines; on SQLite, a table's changes that ALTER TABLE cannot make become one
   * rebuild. Guards come first, so a revision that cannot apply fails before any of it ran (MySQL would
   * keep the DDL statements before a failure).
   */
  statements(changes: readonly SchemaChange[]): string[] {
    const rebuilt = this.#rebuiltTables(changes)
    const inRebuild = (change: SchemaChange): change is TableChange =>
      change.kind !== 'createTable' &&
      change.kind !== 'dropTable' &&
      REBUILDABLE.has(change.kind) &&
      !(change.kind === 'addColumn' && change.column.fill !== undefined) &&
      rebuilt.has(change.table)
    const rebuilds = [...rebuilt].map((table) =>
      this.#rebuild(
        table,
        changes.filter((c) => inRebuild(c) && c.table === table),
      ),
    )
    // Rebuilds go after the dropped indexes and created tables, before the indexes they may need.
    let at = changes.findIndex((change) => phaseOf(change.kind) > phaseOf('createTable'))
    if (at === -1) at = changes.length
    const write = (part: readonly SchemaChange[]) =>
      part.filter((change) => !inRebuild(change)).map((change) => this.#statement(change))
    // Fills go after the renames (in the first part), before the changes that make their columns NOT NULL.
    return [
      ...changes.flatMap((change) => this.#guard(change)),
      ...write(changes.slice(0, at)),
      ...changes.flatMap(fillNulls),
      ...rebuilds,
      ...write(changes.slice(at)),
    ]
  }

  /**
   * A column that becomes NOT NULL where rows may have no value for it and the model gives none: added, or
   * an existing column made NOT NULL. The guard fails when such rows exist.
   */
  #guard(change: SchemaChange): string[] {
    const guard = (helper: string, table: string, column: string) => {
      this.helpers.add(helper)
      return [`  await ${helper}(db, ${stringLiteral(table)}, ${stringLiteral(column)})`]
    }
    if (change.kind === 'addColumn' && !change.column.nullable && change.column.fill === undefined)
      return guard('assertNoRowsToFill', change.table, change.column.name)
    // Guards run before any change, so before a rename: the column still has its old name.
    if (madeNotNull(change) && change.to.fill === undefined)
      return guard('assertNoNulls', change.table, change.from.name)
    return []
  }

  /** SQLite's tables whose changes need the rebuild recipe. */
  #rebuiltTables(changes: readonly SchemaChange[]): Set<string> {
    const rebuilt = new Set<string>()
    if (this.#dialect.migrations.alterColumn !== 'rebuild') return rebuilt
    for (const change of changes) {
      if (change.kind === 'createTable' || change.kind === 'dropTable') continue
      // ALTER TABLE ADD COLUMN cannot add a NOT NULL column without a default; a rebuild can, to an empty table.
      const emptyNotNull =
        change.kind === 'addColumn' && !change.column.nullable && change.column.fill === undefined
      if (REBUILT.has(change.kind) || emptyNotNull) {
        rebuilt.add(change.table)
      }
    }
    return rebuilt
  }

  #statement(change: SchemaChange): string {
    const support = this.#dialect.migrations
    switch (change.kind) {
      case 'createTable':
        return this.#createTable(change.table)
      case 'dropTable':
        return `  await db.schema.dropTable(${stringLiteral(change.table.name)}).execute()`
      case 'addColumn':
        return change.column.fill === undefined || change.column.nullable
          ? this.#addColumn(change.table, change.column)
          : this.#addFilledColumn(change.table, change.column, change.column.fill.value)
      case 'dropColumn':
        return chain([
          `alterTable(${stringLiteral(change.table)})`,
          `dropColumn(${stringLiteral(change.column.name)})`,
        ])
      case 'renameColumn':
        return chain([
          `alterTable(${stringLiteral(change.table)})`,
          `renameColumn(${stringLiteral(change.from)}, ${stringLiteral(change.to)})`,
        ])
      case 'alterPrimaryKey':
        return [
          `  // Write here the change of the primary key of '${change.table}' from (${change.from.join(', ')}) to (${change.to.join(', ')}):`,
          `  // autogenerate does not write it (see the notes at the top).`,
        ].join('\n')
      case 'alterColumn':
        return this.#alterColumn(change.table, change.from, change.to, change.typeChanged)
      case 'createIndex':
        return this.#createIndex(change.table, change.index)
      case 'dropIndex':
        return chain([
          `dropIndex(${stringLiteral(change.index.name)})`,
          ...(support.dropIndexNamesTable ? [`on(${stringLiteral(change.table)})`] : []),
        ])
      case 'addUnique':
        return chain([
          `alterTable(${stringLiteral(change.table)})`,
          `addUniqueConstraint(${stringLiteral(change.unique.name ?? `uq_${change.table}_${change.unique.columns.join('_')}`)}, ${strings(change.unique.columns)})`,
        ])
      case 'dropUnique':
        return chain([
          `alterTable(${stringLiteral(change.table)})`,
          `dropConstraint(${stringLiteral(change.unique.name!)})`,
        ])
      case 'addForeignKey': {
        const add = chain([
          `alterTable(${stringLiteral(change.table)})`,
          this.#foreignKey(change.table, change.foreignKey),
        ])
        if (!support.foreignKeysNeedIndex) return add
        // An index of the key's own name, so down() can drop it with the key (MySQL would make one anyway).
        const { foreignKey: fk } = change
        return [
          chain([
            `createIndex(${stringLiteral(fk.name!)})`,
            `on(${stringLiteral(change.table)})`,
            `columns(${strings(fk.columns)})`,
          ]),
          add,
        ].join('\n')
      }
      case 'dropForeignKey':
        if (support.foreignKeysNeedIndex) {
          // MySQL drops a foreign key with DROP FOREIGN KEY, and leaves the key's index behind.
          const { foreignKey: fk } = change
          this.helpers.add('sql')
          const drop = `  await sql\`alter table \${sql.table(${stringLiteral(change.table)})} drop foreign key \${sql.id(${stringLiteral(fk.name!)})}\`.execute(db)`
          if (fk.backingIndex === undefined) return drop
          return [
            drop,
            chain([`dropIndex(${stringLiteral(fk.backingIndex)})`, `on(${stringLiteral(change.table)})`]),
          ].join('\n')
        }
        return chain([
          `alterTable(${stringLiteral(change.table)})`,
          `dropConstraint(${stringLiteral(change.foreignKey.name!)})`,
        ])
    }
  }

  #addColumn(table: string, column: ColumnSchema): string {
    return chain([
      `alterTable(${stringLiteral(table)})`,
      `addColumn(${stringLiteral(column.name)}, ${this.#type(column.type)}${this.#definition(column, true)})`,
    ])
  }

  /**
   * A NOT NULL column whose existing rows get the model's default: added nullable, filled, then made NOT
   * NULL. The same three steps on every database, and no database default stays behind: onemodel applies
   * model defaults itself, as `createAll()` tables have none.
   */
  #addFilledColumn(table: string, column: ColumnSchema, value: FillValue): string {
    const nullable = { ...column, nullable: true }
    const notNull: SchemaChange = {
      kind: 'alterColumn',
      table,
      from: nullable,
      to: column,
      typeChanged: false,
    }
    return [
      this.#addColumn(table, nullable),
      fill(table, column.name, value),
      this.#dialect.migrations.alterColumn === 'rebuild'
        ? this.#rebuild(table, [notNull])
        : this.#statement(notNull),
    ].join('\n')
  }

  #createTable(table: TableSchema): string {
    const calls = [`createTable(${stringLiteral(table.name)})`]
    // A composite key is one table constraint, as createAll writes it; a single key stays on its column.
    const keys = primaryKeyColumns(table)
    for (const column of table.columns) {
      const definition = this.#definition(keys.length > 1 ? { ...column, primaryKey: false } : column, false)
      calls.push(`addColumn(${stringLiteral(column.name)}, ${this.#type(column.type)}${definition})`)
    }
    if (keys.length > 1) {
      calls.push(`addPrimaryKeyConstraint(${stringLiteral(primaryKeyName(table.name))}, ${strings(keys)})`)
    }
    for (const unique of table.uniques) {
      calls.push(
        `addUniqueConstraint(${stringLiteral(unique.name ?? `uq_${table.name}_${unique.columns.join('_')}`)}, ${strings(unique.columns)})`,
      )
    }
    for (const fk of table.foreignKeys) calls.push(this.#foreignKey(table.name, fk))
    const options = this.#dialect.tableOptions
    if (options) {
      this.helpers.add('sql')
      calls.push(`modifyEnd(sql\`${options}\`)`)
    }
    const lines = [chain(calls)]
    for (const index of table.indexes) lines.push(this.#createIndex(table.name, index))
    return lines.join('\n')
  }

  #createIndex(table: string, index: IndexSchema): string {
    const prefixed = index.columns.some((column) => index.prefixes?.[column] !== undefined)
    if (prefixed) this.helpers.add('sql')
    const columns = prefixed
      ? index.columns.map((column) => {
          const prefix = index.prefixes?.[column]
          return prefix === undefined
            ? `column(${stringLiteral(column)})`
            : `column(sql\`\${sql.ref(${stringLiteral(column)})}(${prefix})\`)`
        })
      : [`columns(${strings(index.columns)})`]
    return chain([
      `createIndex(${stringLiteral(index.name)})`,
      `on(${stringLiteral(table)})`,
      ...columns,
      ...(index.using ? [`using(${stringLiteral(index.using)})`] : []),
      ...(index.unique ? ['unique()'] : []),
    ])
  }

  #foreignKey(table: string, fk: ForeignKeySchema): string {
    const name = fk.name ?? `fk_${table}_${fk.columns.join('_')}_${fk.table}`
    const action = fk.onDelete === 'no action' ? '' : `, (fk) => fk.onDelete(${stringLiteral(fk.onDelete)})`
    return `addForeignKeyConstraint(${stringLiteral(name)}, ${strings(fk.columns)}, ${stringLiteral(fk.table)}, ${strings(fk.references)}${action})`
  }

  #alterColumn(table: string, from: ColumnSchema, to: ColumnSchema, typeChanged: boolean): string {
    const support = this.#dialect.migrations
    if (support.alterColumn === 'modify') {
      // MySQL restates the whole column; the primary key stays as it is.
      return chain([
        `alterTable(${stringLiteral(table)})`,
        `modifyColumn(${stringLiteral(to.name)}, ${this.#type(to.type)}${this.#definition({ ...to, primaryKey: false }, true)})`,
      ])
    }
    const calls: string[] = []
    if (typeChanged)
      calls.push(`alterColumn(${stringLiteral(to.name)}, (col) => col.setDataType(${this.#type(to.type)}))`)
    if (from.nullable !== to.nullable) {
      calls.push(
        `alterColumn(${stringLiteral(to.name)}, (col) => col.${to.nullable ? 'dropNotNull' : 'setNotNull'}())`,
      )
    }
    return chain([`alterTable(${stringLiteral(table)})`, ...calls])
  }

  /** One `rebuildTable()` call for every change of a SQLite table that ALTER TABLE cannot make. */
  #rebuild(table: string, changes: readonly SchemaChange[]): string {
    this.helpers.add('rebuildTable')
    const add: string[] = []
    const alter: string[] = []
    const drop: string[] = []
    const addConstraints: string[] = []
    const dropConstraints: string[] = []
    for (const change of changes) {
      switch (change.kind) {
        case 'addColumn':
          add.push(
            `${key(change.column.name)}: { type: ${stringLiteral(change.column.type)}, nullable: ${change.column.nullable} }`,
          )
          break
        case 'dropColumn':
          drop.push(stringLiteral(change.column.name))
          break
        case 'alterColumn': {
          const parts: string[] = []
          if (change.typeChanged) parts.push(`type: ${stringLiteral(change.to.type)}`)
          if (change.from.nullable !== change.to.nullable) parts.push(`nullable: ${change.to.nullable}`)
          alter.push(`${key(change.to.name)}: { ${parts.join(', ')} }`)
          break
        }
        case 'addUnique':
          addConstraints.push(stringLiteral(uniqueSql(change.unique)))
          break
        case 'addForeignKey':
          addConstraints.push(stringLiteral(foreignKeySql(change.foreignKey)))
          break
        case 'dropUnique':
        case 'dropForeignKey': {
          const name = change.kind === 'dropUnique' ? change.unique.name : change.foreignKey.name
          if (name !== undefined) dropConstraints.push(stringLiteral(name))
          break
        }
      }
    }
    const lists: [string, string[]][] = [
      ['drop', drop],
      ['addConstraints', addConstraints],
      ['dropConstraints', dropConstraints],
    ]
    const options = [
      add.length > 0 ? `add: { ${add.join(', ')} }` : '',
      alter.length > 0 ? `alter: { ${alter.join(', ')} }` : '',
      ...lists.map(([key, items]) => (items.length > 0 ? `${key}: [${items.join(', ')}]` : '')),
    ].filter((part) => part !== '')
    const oneLine = `  await rebuildTable(db, ${stringLiteral(table)}, { ${options.join(', ')} })`
    if (oneLine.length <= WIDTH) return oneLine
    return [
      `  await rebuildTable(db, ${stringLiteral(table)}, {`,
      ...(add.length > 0 ? [`    add: { ${add.join(', ')} },`] : []),
      ...(alter.length > 0 ? [`    alter: { ${alter.join(', ')} },`] : []),
      ...lists.filter(([, items]) => items.length > 0).map(([key, items]) => fitList('    ', key, items)),
      '  })',
    ].join('\n')
  }

  /** A type Kysely knows as a string (`'varchar(255)'`); any other through `sql` (`sql\`double\``). */
  #type(type: string): string {
    if (isColumnDataType(type)) return stringLiteral(type)
    // A type read from the database (`int(11)`, `character varying(100)`) in the spelling a model gives.
    const normalize = this.#dialect.migrations.normalizeType
    const same = portableSpellings(type).find((candidate) => normalize(candidate) === normalize(type))
    if (same !== undefined) return stringLiteral(same)
    this.helpers.add('sql')
    return `sql\`${type.replaceAll('\\', '\\\\').replaceAll('`', '\\`').replaceAll('${', '\\${')}\``
  }

  /** `, (col) => col.primaryKey().notNull()`, or nothing for a plain nullable column. */
  #definition(column: ColumnSchema, alone: boolean): string {
    const calls: string[] = []
    if (column.primaryKey && !alone) calls.push('primaryKey()')
    if (column.autoIncrement) calls.push(...autoIncrementCalls(this.#dialect))
    if (!column.nullable) calls.push('notNull()')
    return calls.length === 0 ? '' : `, (col) => col.${calls.join('.')}`
  }
}

/** An existing column that becomes NOT NULL. */
function madeNotNull(change: SchemaChange): change is Extract<SchemaChange, { kind: 'alterColumn' }> {
  return change.kind === 'alterColumn' && change.from.nullable && !change.to.nullable
}

/** An existing column made NOT NULL whose model gives a default: rows holding NULL get it first. */
function fillNulls(change: SchemaChange): string[] {
  if (!madeNotNull(change) || change.to.fill === undefined) return []
  return [fill(change.table, change.to.name, change.to.fill.value)]
}

/**
 * The rows of `table` holding NULL in `column` get `value`: the one rule for a column that becomes NOT NULL
 * with a model default, whether added (every row) or made NOT NULL.
 */
function fill(table: string, column: string, value: FillValue): string {
  return chain(
    [
      `updateTable(${stringLiteral(table)})`,
      `set({ ${key(column)}: ${valueLiteral(value)} })`,
      `where(${stringLiteral(column)}, 'is', null)`,
    ],
    'db',
  )
}

const SIMPLE_TYPES = [
  'integer',
  'bigint',
  'smallint',
  'boolean',
  'text',
  'varchar',
  'char',
  'double precision',
  'real',
  'numeric',
  'date',
  'timestamptz',
  'timestamp',
  'datetime',
  'time',
  'uuid',
  'jsonb',
  'json',
  'blob',
  'bytea',
] as const

/** Kysely's spellings that may name the same type as `type`, with its length or precision. */
function portableSpellings(type: string): string[] {
  const n = /\((\d+)\)/.exec(type)?.[1]
  const sized =
    n === undefined
      ? []
      : ['varchar', 'char', 'timestamptz', 'timestamp', 'datetime', 'time'].map((t) => `${t}(${n})`)
  return [...sized, ...SIMPLE_TYPES]
}

/** The builder calls the dialect makes to mark a generated key, recorded: `['generatedByDefaultAsIdentity()']`. */
function autoIncrementCalls(dialect: Dialect): string[] {
  const calls: string[] = []
  const recorder: ColumnDefinitionBuilder = new Proxy({} as ColumnDefinitionBuilder, {
    get: (_target, property) => () => {
      calls.push(`${String(property)}()`)
      return recorder
    },
  })
  dialect.autoIncrement(recorder)
  return calls
}

function uniqueSql(unique: UniqueSchema): string {
  const columns = unique.columns.map(quote).join(', ')
  return unique.name === undefined
    ? `unique (${columns})`
    : `constraint ${quote(unique.name)} unique (${columns})`
}

function foreignKeySql(fk: ForeignKeySchema): string {
  const name = fk.name === undefined ? '' : `constraint ${quote(fk.name)} `
  const action = fk.onDelete === 'no action' ? '' : ` on delete ${fk.onDelete}`
  return `${name}foreign key (${fk.columns.map(quote).join(', ')}) references ${quote(fk.table)} (${fk.references.map(quote).join(', ')})${action}`
}
