import { CompiledQuery } from 'kysely'
import { oneRowQuery } from '../engine/dialect/dialect.ts'
import type { Engine } from '../engine/engine.ts'
import type { AnyField } from '../model/field.ts'
import type { TableModel } from '../model/table.ts'

type Decoder = (value: unknown) => unknown

/**
 * The SQL of one table's primary-key operations on one engine, built once with Kysely and reused: each
 * call only binds new parameters, so the driver's statement cache always hits.
 */
export class TableStatements {
  readonly table: TableModel
  readonly #engine: Engine
  readonly #selectByKey: string
  readonly #deleteByKey: string
  readonly #inserts = new Map<string, string>()
  readonly #updates = new Map<string, string>()
  readonly #decoders: [key: string, decode: Decoder | undefined][]
  /**
   * The driver's row holds the same values as the hydrated row (no field is decoded or normalized), so
   * the Session can keep it as the row's snapshot instead of copying: reads of plain tables allocate less.
   */
  readonly rawIsSnapshot: boolean

  constructor(engine: Engine, table: TableModel) {
    this.table = table
    this.#engine = engine
    const { db } = engine
    const pk = table.primaryKey
    this.#selectByKey = db
      .selectFrom(table.tableName)
      .select(columnsOf(table))
      .where(pk, '=', 0)
      .compile().sql
    const deleteByKey = db.deleteFrom(table.tableName).where(pk, '=', 0)
    // Where the dialect can, writes by key return the key: the driver then reads one row, which node:sqlite
    // does in about half the time of running the statement to its end, and the row count is the answer.
    this.#deleteByKey = (
      engine.dialect.supportsReturning ? deleteByKey.returning(pk) : deleteByKey
    ).compile().sql
    this.#decoders = Object.entries(table.fields).map(([key, field]) => [
      key,
      engine.dialect.decoder(field.kind),
    ])
    this.rawIsSnapshot = Object.entries(table.fields).every(
      ([, field], i) =>
        this.#decoders[i]![1] === undefined && field.kind !== 'datetime' && field.kind !== 'json',
    )
  }

  selectByKey(key: unknown): CompiledQuery {
    return oneRowQuery(CompiledQuery.raw(this.#selectByKey, [key]))
  }

  deleteByKey(key: unknown): CompiledQuery {
    return this.#byKey(CompiledQuery.raw(this.#deleteByKey, [key]))
  }

  /** `INSERT` of the given columns, returning the primary key where the dialect can. */
  insert(columns: readonly string[], values: unknown[]): CompiledQuery {
    const cacheKey = columns.join(',')
    let text = this.#inserts.get(cacheKey)
    if (text === undefined) {
      const { db, dialect } = this.#engine
      const base = db.insertInto(this.table.tableName)
      const insert =
        columns.length === 0
          ? base.defaultValues()
          : base.values(Object.fromEntries(columns.map((c) => [c, null])))
      text = (dialect.supportsReturning ? insert.returning(this.table.primaryKey) : insert).compile().sql
      this.#inserts.set(cacheKey, text)
    }
    return oneRowQuery(CompiledQuery.raw(text, values))
  }

  /** `UPDATE … SET <columns> WHERE <pk> = ?`; the key goes last in `values`. */
  update(columns: readonly string[], values: unknown[]): CompiledQuery {
    const cacheKey = columns.join(',')
    let text = this.#updates.get(cacheKey)
    if (text === undefined) {
      const { db } = this.#engine
      const set = Object.fromEntries(columns.map((c) => [c, null]))
      const update = db.updateTable(this.table.tableName).set(set).where(this.table.primaryKey, '=', 0)
      text = (
        this.#engine.dialect.supportsReturning ? update.returning(this.table.primaryKey) : update
      ).compile().sql
      this.#updates.set(cacheKey, text)
    }
    return this.#byKey(CompiledQuery.raw(text, values))
  }

  /** A write by primary key touches at most one row; with RETURNING, the driver may read just that one. */
  #byKey(query: CompiledQuery): CompiledQuery {
    return this.#engine.dialect.supportsReturning ? oneRowQuery(query) : query
  }

  /**
   * How many rows a write by key changed: the returned keys where the dialect returns them, else the
   * driver's count.
   */
  static affected(result: { rows: unknown[]; numAffectedRows?: bigint }): number {
    return result.rows.length > 0 ? result.rows.length : Number(result.numAffectedRows ?? 0n)
  }

  /** A database row as a row of the model: its prototype, its field order, values decoded for the dialect. */
  hydrate(raw: Record<string, unknown>): Record<string, unknown> {
    const row = Object.create(this.table.rowPrototype) as Record<string, unknown>
    for (const [key, decode] of this.#decoders) {
      const value = raw[key]
      row[key] = decode === undefined || value === null || value === undefined ? value : decode(value)
    }
    return row
  }
}

/**
 * The model's columns by name, never `*`: a model ahead of its database (a field added, not yet migrated)
 * then fails to read with the database naming the missing column, instead of reading `undefined`.
 */
export function columnsOf(table: TableModel): string[] {
  return Object.keys(table.fields).map((key) => `${table.tableName}.${key}`)
}

/**
 * A field value as a statement parameter. JSON goes as its text on every dialect: drivers would otherwise
 * send an array as a PostgreSQL array literal or an object as a MySQL `SET` list.
 */
export function toParam(field: AnyField, value: unknown): unknown {
  return field.kind === 'json' && value !== null && value !== undefined ? JSON.stringify(value) : value
}

const cache = new WeakMap<Engine, Map<TableModel, TableStatements>>()

/** The statements of `table` on `engine`, built on first use. */
export function statementsFor(engine: Engine, table: TableModel): TableStatements {
  let tables = cache.get(engine)
  if (!tables) cache.set(engine, (tables = new Map()))
  let statements = tables.get(table)
  if (!statements) tables.set(table, (statements = new TableStatements(engine, table)))
  return statements
}
