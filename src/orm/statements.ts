import type { Compilable, CompiledQuery, WhereInterface } from 'kysely'
import type { Engine } from '../engine/engine.ts'
import { OnemodelError } from '../errors.ts'
import {
  bind,
  OBJECT_ROWS,
  ONE_ARRAY,
  ONE_OBJECT,
  type RowShape,
  type Statement,
} from '../engine/statement.ts'
import type { TableModel } from '../model/table.ts'
import { columnsOf } from './compile.ts'
import { layoutOf, type SnapshotLayout } from './snapshot.ts'

/** Turns a value a driver returns into a field's value. */
export type Decoder = (value: unknown) => unknown

/**
 * The SQL of one table's statements on one engine, built once with Kysely and reused: each call only binds
 * new parameters, so the driver's statement cache always hits. Rows are read as arrays in field order (see
 * {@link hydrate}). The engine's Kysely plugins transform each statement once, when it is built, so one
 * that adds bound values is refused (see `compileTemplate`).
 */
export class TableStatements {
  readonly table: TableModel
  readonly layout: SnapshotLayout
  readonly #engine: Engine
  readonly #selectByKey: CompiledQuery
  readonly #deleteByKey: CompiledQuery
  #lockByKey: CompiledQuery | undefined
  readonly #inserts = new Map<string, CompiledQuery>()
  readonly #updates = new Map<string, CompiledQuery>()
  readonly #decoders: (Decoder | undefined)[]
  /** A write by key touches at most one row; with RETURNING, the driver may read just that one. */
  readonly #byKeyShape: RowShape
  /**
   * The driver's row holds the same values as the hydrated row (no field is decoded or normalized), so
   * the Session keeps it as the row's snapshot instead of copying: reads of plain tables allocate less.
   */
  readonly rawIsSnapshot: boolean

  constructor(engine: Engine, table: TableModel) {
    this.table = table
    this.layout = layoutOf(table)
    this.#engine = engine
    const { db } = engine
    const keyBound = table.primaryKeys.map((_, i) => i)
    this.#selectByKey = compileTemplate(
      byKey(table, db.selectFrom(table.tableName).select(columnsOf(table)), keyBound),
      keyBound,
    )
    const deleteByKey = byKey(table, db.deleteFrom(table.tableName), keyBound)
    // Where the dialect can, writes by key return the key: the driver then reads one row, which node:sqlite
    // does in about half the time of running the statement to its end, and the row count is the answer.
    this.#deleteByKey = compileTemplate(
      engine.dialect.supportsReturning ? deleteByKey.returning(table.primaryKeys) : deleteByKey,
      keyBound,
    )
    this.#byKeyShape = engine.dialect.supportsReturning ? ONE_OBJECT : OBJECT_ROWS
    this.#decoders = Object.values(table.fields).map((field) => engine.dialect.decoder(field.kind))
    this.rawIsSnapshot = this.layout.plain && this.#decoders.every((decode) => decode === undefined)
  }

  /** `SELECT … WHERE <pk> = ?`; `key` holds the values of the key fields, in key order (`keyParams`). */
  selectByKey(key: readonly unknown[]): Statement {
    return bind(this.#selectByKey, key, ONE_ARRAY)
  }

  /**
   * `SELECT <pk> … WHERE <pk> = ? FOR UPDATE`, on a dialect with row locks: locks the row until the
   * transaction ends, and finds none when it is gone. Built at first use, as few tables need it.
   */
  lockByKey(key: readonly unknown[]): Statement {
    if (this.#lockByKey === undefined) {
      const { table } = this
      const bound = table.primaryKeys.map((_, i) => i)
      const select = this.#engine.db.selectFrom(table.tableName).select(table.primaryKeys)
      this.#lockByKey = compileTemplate(byKey(table, select, bound).forUpdate(), bound)
    }
    return bind(this.#lockByKey, key, ONE_OBJECT)
  }

  deleteByKey(key: readonly unknown[]): Statement {
    return bind(this.#deleteByKey, key, this.#byKeyShape)
  }

  /**
   * `INSERT` of the given columns, returning the primary key where the dialect can (a composite key,
   * never generated, is known already and returns nothing).
   */
  insert(columns: readonly string[], values: unknown[]): Statement {
    const cacheKey = columns.join(',')
    let template = this.#inserts.get(cacheKey)
    if (template === undefined) {
      const { db, dialect } = this.#engine
      const base = db.insertInto(this.table.tableName)
      const bound = columns.map((_, i) => i)
      const insert =
        columns.length === 0
          ? base.defaultValues()
          : base.values(Object.fromEntries(columns.map((c, i) => [c, bound[i]])))
      const { primaryKey } = this.table
      template = compileTemplate(
        dialect.supportsReturning && primaryKey !== undefined ? insert.returning(primaryKey) : insert,
        bound,
      )
      this.#inserts.set(cacheKey, template)
    }
    return bind(template, values, ONE_OBJECT)
  }

  /** `UPDATE … SET <columns> WHERE <pk> = ?`; the key's values go last in `values`, in key order. */
  update(columns: readonly string[], values: unknown[]): Statement {
    const cacheKey = columns.join(',')
    let template = this.#updates.get(cacheKey)
    if (template === undefined) {
      const { table } = this
      const bound = [...columns.keys()]
      const keyBound = table.primaryKeys.map((_, i) => columns.length + i)
      const set = Object.fromEntries(columns.map((c, i) => [c, bound[i]]))
      const update = byKey(table, this.#engine.db.updateTable(table.tableName).set(set), keyBound)
      template = compileTemplate(
        this.#engine.dialect.supportsReturning ? update.returning(table.primaryKeys) : update,
        [...bound, ...keyBound],
      )
      this.#updates.set(cacheKey, template)
    }
    return bind(template, values, this.#byKeyShape)
  }

  /**
   * How many rows a write by key changed: the returned keys where the dialect returns them, else the
   * driver's count.
   */
  static affected(result: { rows: unknown[]; numAffectedRows?: bigint }): number {
    return result.rows.length > 0 ? result.rows.length : Number(result.numAffectedRows ?? 0n)
  }

  /**
   * A database row, read as an array of the model's fields in order, as a row of the model: its class,
   * its values decoded for the dialect.
   */
  hydrate(raw: readonly unknown[]): Record<string, unknown> {
    const row = new this.table.rowClass() as Record<string, unknown>
    const keys = this.layout.keys
    for (let i = 0; i < keys.length; i++) {
      const value = raw[i]
      const decode = this.#decoders[i]
      row[keys[i]!] = decode === undefined || value === null || value === undefined ? value : decode(value)
    }
    return row
  }
}

/** `query` narrowed to the row whose key fields equal the placeholder values `bound`, in key order. */
function byKey<Q extends WhereInterface<any, any>>(table: TableModel, query: Q, bound: readonly number[]): Q {
  let narrowed = query
  // Each `where` returns the same kind of builder: a select stays a select, an update an update.
  for (const [i, key] of table.primaryKeys.entries()) narrowed = narrowed.where(key, '=', bound[i]) as Q
  return narrowed
}

/**
 * `query` compiled once, to be bound with the Session's values later: its parameters must be exactly
 * `bound`, the placeholder values it was built with, in order. The engine's plugins transformed it just
 * now, once for every later execution, so a plugin that adds, drops or reorders bound values (a tenant
 * filter, a soft delete with a parameter) would run with the wrong values; it is refused instead.
 */
function compileTemplate(query: Compilable, bound: readonly unknown[]): CompiledQuery {
  const compiled = query.compile()
  if (sameValues(compiled.parameters, bound)) return compiled
  throw new OnemodelError(
    'OM_ENGINE_PLUGIN',
    `A Kysely plugin of the engine changed the bound values of the Session's statement \`${compiled.sql}\`: it binds ${compiled.parameters.length} values where the Session binds ${bound.length}. The Session builds each statement once and binds only its own values, so the engine's plugins must not add bound values (nor depend on the request). Apply the plugin to your own queries with engine.db.withPlugin(plugin) instead of the engine's plugins option.`,
  )
}

/** Whether two lists of bound values are the same values, in the same order. */
export function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => Object.is(value, b[i]))
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
