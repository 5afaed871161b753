import {
  sql,
  type AlterColumnNode,
  type AlterTableNode,
  type ColumnNode,
  type CompiledQuery,
  type CreateIndexNode,
  type Kysely,
  type ModifyColumnNode,
  type OperationNode,
  type TableNode,
  type UniqueConstraintNode,
} from 'kysely'
import { DataError, IntegrityError, MigrationError } from '../../errors.ts'
import { DATA_ERROR_ADVICE } from '../dialect/dialect.ts'
import { REBUILD_TABLE_PREFIX } from '../dialect/sqlite/sqlite-rebuild.ts'
import type { PlannedStep } from './plan.ts'

/** A statement a revision ran, with its error if it failed. */
export interface ExecutedStatement {
  readonly query: CompiledQuery
  readonly error?: unknown
}

/** What {@link revisionFailure} explains. */
export interface FailedRevision {
  readonly step: PlannedStep
  readonly error: unknown
  /** The statements the revision ran, in order, the failing one last. */
  readonly statements: readonly ExecutedStatement[]
  /** The database rolled back the revision's DDL with its transaction (PostgreSQL, SQLite). */
  readonly transactionalDdl: boolean
  /** The revision the database is at after the failure. */
  readonly current: string | undefined
  /** The revision the database would be at had the step succeeded: what `stamp` records by hand. */
  readonly intended: string | undefined
}

/**
 * The error of a failed revision: why it failed, in terms of the data where a query can tell (which column
 * holds NULL, the query that finds duplicates; never the values, which may be secrets), and what it left:
 * nothing where DDL is transactional, the statements that stayed applied on MySQL. `db` runs those queries
 * after the rollback. Its code is `OM_MIGRATE_FAILED`, or the code of onemodel's own `MigrationError` that
 * stopped the revision (a guard's `OM_MIGRATE_NOT_NULL`, a rebuild's `OM_MIGRATE_REBUILD`).
 */
export async function revisionFailure(db: Kysely<any>, failed: FailedRevision): Promise<MigrationError> {
  const { step, error } = failed
  const statement = failed.statements.find((s) => s.error !== undefined)?.query.query
  const why =
    (await nullsInNewNotNull(db, statement, error)) ?? duplicates(db, statement, error) ?? reason(error)
  return new MigrationError(
    error instanceof MigrationError ? error.code : 'OM_MIGRATE_FAILED',
    `Migration ${step.name} failed (${step.direction === 'up' ? 'upgrade' : 'downgrade'}): ${why}\n${outcome(failed)}`,
    { cause: error },
  )
}

/** The error in words fit for a migration: a revision has no field to declare and nothing to roll back. */
function reason(error: unknown): string {
  if (error instanceof IntegrityError) {
    const target = error.target === undefined ? '' : ` (${error.target})`
    return `the database refused it: a ${error.constraint.replace('_', ' ')} constraint failed${target}.`
  }
  if (error instanceof DataError) {
    return `${error.message.replace(` ${DATA_ERROR_ADVICE}`, '')} A value the revision writes or keeps does not fit its column: change those values in the revision, or widen the column first.`
  }
  return error instanceof Error ? error.message : String(error)
}

/** What the failure left applied. */
function outcome({ statements, transactionalDdl, current, intended }: FailedRevision): string {
  const at = `the database is still at ${current ?? 'base'}`
  if (transactionalDdl) return `It was rolled back: nothing of it stayed, and ${at}.`
  // Each DDL statement commits the transaction, and what ran before it; what ran after the last one is undone.
  const lastDdl = statements.findLastIndex((s) => s.error === undefined && DDL.test(s.query.sql))
  if (lastDdl === -1) return `Its data changes were rolled back: nothing of it stayed, and ${at}.`
  const kept = statements
    .slice(0, lastDdl + 1)
    .filter((s) => !READ.test(s.query.sql))
    .map((s) => `  ${s.query.sql}`)
  return (
    `MySQL commits each DDL statement, so these ${kept.length} statement(s) of it stayed applied, although ${at}:\n${kept.join('\n')}\n` +
    `Undo them by hand and run the command again, or finish the revision by hand and record it with onemodel migrate stamp ${intended ?? 'base'}.`
  )
}

const DDL = /^\s*(create|alter|drop|rename|truncate)\b/i
/** A statement that changes nothing, so nothing of it stays applied: a guard's query, a read for a fill. */
const READ = /^\s*(select|show|explain|describe)\b/i

/** When the failing statement made a column NOT NULL and rows hold NULL there: how many, and what to do. */
async function nullsInNewNotNull(
  db: Kysely<any>,
  statement: OperationNode | undefined,
  error: unknown,
): Promise<string | undefined> {
  const column = notNullColumn(statement) ?? targetColumns(error, 'not_null')
  const name = column?.columns.length === 1 ? column.columns[0] : undefined
  if (column === undefined || name === undefined) return undefined
  const row = await db
    .selectFrom(column.table)
    .select(sql<number | string>`count(*)`.as('n'))
    .where(name, 'is', null)
    .executeTakeFirst()
    .catch(() => undefined)
  const n = Number(row?.n ?? 0)
  if (n === 0) return undefined
  return (
    `${n} row(s) of ${column.table} hold NULL in ${name}, which the revision makes NOT NULL. Give those rows a value ` +
    `first, in the revision before the change (update ${column.table} set ${name} = … where ${name} is null), or keep the column nullable.`
  )
}

/** When a unique index or constraint met duplicates: the query that lists them, since the values may be secret. */
function duplicates(
  db: Kysely<any>,
  statement: OperationNode | undefined,
  error: unknown,
): string | undefined {
  if (!(error instanceof IntegrityError) || error.constraint !== 'unique') return undefined
  const unique = uniqueColumns(statement) ?? targetColumns(error, 'unique')
  if (unique === undefined) return undefined
  const query = db
    .selectFrom(unique.table)
    .select([...unique.columns, sql<number>`count(*)`.as('count')])
    .groupBy(unique.columns)
    .having(sql<boolean>`count(*) > 1`)
    .compile().sql
  return `${unique.table} has rows that share their (${unique.columns.join(', ')}), which the revision makes unique. List them with: ${query}`
}

interface Columns {
  readonly table: string
  readonly columns: readonly string[]
}

/** The columns a `create unique index`, or an `alter table` adding a unique index or constraint, covers. */
function uniqueColumns(node: OperationNode | undefined): Columns | undefined {
  if (isNode(node, 'CreateIndexNode') && node.unique && node.table) {
    return columnsOf(node.table, node.columns ?? [])
  }
  if (isNode(node, 'AlterTableNode')) {
    if (node.addIndex?.unique) return columnsOf(node.table, node.addIndex.columns ?? [])
    const constraint = node.addConstraint?.constraint
    if (isNode(constraint, 'UniqueConstraintNode')) return columnsOf(node.table, constraint.columns)
  }
  return undefined
}

/** The column an `alter table` makes NOT NULL: `alter column … set not null`, or MySQL's `modify column`. */
function notNullColumn(node: OperationNode | undefined): Columns | undefined {
  if (!isNode(node, 'AlterTableNode')) return undefined
  for (const alteration of node.columnAlterations ?? []) {
    if (isNode(alteration, 'AlterColumnNode') && alteration.setNotNull) {
      return columnsOf(node.table, [alteration.column])
    }
    if (isNode(alteration, 'ModifyColumnNode') && alteration.column.notNull) {
      return columnsOf(node.table, [alteration.column.column])
    }
  }
  return undefined
}

/**
 * The `table.column` list SQLite names in a constraint error, when the constraint is of `kind`. A table
 * rebuild copies the rows into a new table first, whose name stands for the rebuilt table.
 */
function targetColumns(error: unknown, kind: IntegrityError['constraint']): Columns | undefined {
  if (!(error instanceof IntegrityError) || error.constraint !== kind || error.target === undefined)
    return undefined
  const pairs = error.target.split(', ').map((pair) => /^([^.\s]+)\.([^.\s]+)$/.exec(pair))
  if (pairs.length === 0 || pairs.some((pair) => pair === null)) return undefined
  const table = pairs[0]![1]!.replace(REBUILD_TABLE_PREFIX, '')
  return { table, columns: pairs.map((pair) => pair![2]!) }
}

function columnsOf(table: OperationNode, columns: readonly OperationNode[]): Columns | undefined {
  const names = columns.map((column) => (isNode(column, 'ColumnNode') ? column.column.name : undefined))
  if (!isNode(table, 'TableNode') || names.length === 0 || names.includes(undefined)) return undefined
  return { table: table.table.identifier.name, columns: names as string[] } // no undefined, checked above
}

/** The nodes of Kysely's schema statements read here, by their `kind`. */
interface Nodes {
  AlterColumnNode: AlterColumnNode
  AlterTableNode: AlterTableNode
  ColumnNode: ColumnNode
  CreateIndexNode: CreateIndexNode
  ModifyColumnNode: ModifyColumnNode
  TableNode: TableNode
  UniqueConstraintNode: UniqueConstraintNode
}

function isNode<K extends keyof Nodes>(node: OperationNode | undefined, kind: K): node is Nodes[K] {
  return node?.kind === kind
}
