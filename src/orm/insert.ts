import type { Dialect } from '../engine/dialect/dialect.ts'
import type { Engine } from '../engine/engine.ts'
import { bind, type RowShape, type Statement } from '../engine/statement.ts'
import { InvalidQueryError } from '../errors.ts'
import type { TableModel } from '../model/table.ts'
import { paramsFit, paramsMismatch, type ParamValues } from './bind-params.ts'
import { BulkWrite, checkColumn, type UpdateValues } from './bulk-write.ts'
import { columnsOf } from './compile.ts'
import { toParam } from './param-slots.ts'
import { conflictClause, conflictTarget, type ConflictAction } from './insert-conflict.ts'
import { insertRows, type InsertExtra, type ParamRow } from './insert-rows.ts'
import {
  checkedSource,
  compileInsertSelect,
  type CompiledInsert,
  type InsertSource,
} from './insert-select.ts'
import type { ItemValue, SelectItem } from './select-types.ts'
import type { Select } from './select.ts'
import { insertedRow, namesOf, PreparedInsert, RowTemplate, type InsertRow } from './insert-params.ts'

/** The names of the columns of table model `M`: `'id' | 'name' | …` for `Hero`. */
export type ColumnNames<M extends TableModel> = keyof M['c'] & keyof M['Type'] & string

/**
 * What `insert(M).fromSelect(C, query)` asks of a select of items `S`: one item per column of `C`, each of
 * a value type the column takes. A select that does not fit gets a property it cannot have, which the
 * compiler's error names, with the column values expected.
 *
 * @example
 * type Fits = SelectFits<typeof Team, ['name'], [typeof Hero.c.name], never> // unknown: it fits
 */
export type SelectFits<M extends TableModel, C extends readonly string[], S, N extends string> = {
  -readonly [K in keyof S]: ItemValue<S[K], N>
} extends { -readonly [K in keyof C]: M['Type'][C[K]] }
  ? unknown
  : {
      readonly 'fromSelect(): one item per column, each of its type': {
        -readonly [K in keyof C]: M['Type'][C[K]]
      }
    }

/**
 * The state of an {@link Insert}: its rows, validated, as column values, or as a {@link RowTemplate} where
 * a row has bind parameters; and what a conflict does.
 *
 * @example
 * insert(Hero).values({ name: 'Deadpond', secret_name: 'Dive Wilson' }).state.rows // [{ name: …, … }]
 */
export interface InsertState {
  readonly rows: readonly (Readonly<Record<string, unknown>> | RowTemplate)[]
  readonly onConflict: ConflictAction | undefined
  /** The statement returns the rows it wrote (`RETURNING`), see `returning()`; `false` when left out. */
  readonly returning?: boolean
  /** Where the rows come from when a select reads them (`fromSelect()`), instead of `rows`. */
  readonly source?: InsertSource
}

/**
 * An immutable `INSERT` of many rows with one statement, with an optional conflict clause (an upsert):
 * `ON CONFLICT … DO NOTHING | DO UPDATE` on SQLite and PostgreSQL, `ON DUPLICATE KEY UPDATE` on MySQL.
 * Run it with `session.exec(query)`, which answers `{ affected }`. The rows are validated as
 * `Model.create()` validates them, defaults included, into their column values: a key that is no column,
 * a relationship's too, is dropped, or refused by a model with `extra: 'forbid'`. They are not put in the
 * Session unless `returning()` asks for them, and after an update on conflict the rows the Session holds
 * of the table are read again.
 *
 * An insert built once with `bindParam()` values runs with each run's `params`, as a select does: its SQL
 * is compiled on the first run, and a run validates its row and binds the values.
 *
 * @example
 * await session.exec(
 *   insert(Hero)
 *     .values([{ name: 'Deadpond', secret_name: 'Dive Wilson', age: 30 }])
 *     .onConflict({ target: 'name' })
 *     .doUpdate(['age']),
 * )
 * const favorite = insert(Favorite).values({ user_id: bindParam('user'), article_id: bindParam('article') })
 * await session.exec(favorite, { params: { user: 1, article: 7 } })
 */
export class Insert<M extends TableModel = TableModel, R extends boolean = false> extends BulkWrite<M, R> {
  readonly state: InsertState
  #paramNames: ReadonlySet<string> | undefined
  /** Made on the first run of an insert with bind parameters: the many built per request need none. */
  #prepared: WeakMap<Engine, PreparedInsert> | undefined
  /** An `INSERT … SELECT`, compiled on each engine it runs on. */
  #fromSelect: WeakMap<Engine, CompiledInsert> | undefined

  constructor(model: M, state: InsertState) {
    // The state says what the type parameter says: only returning() makes a builder whose R is true.
    const returning = state.returning ?? false
    super(model, returning as R)
    const { onConflict, source } = state
    this.state = Object.freeze({ rows: Object.freeze([...state.rows]), onConflict, returning, source })
  }

  protected get method(): string {
    return `insert(${this.model.name})`
  }

  protected get withoutReturning(): string {
    return this.state.source
      ? `Run the insert without returning(), and read its rows with select(${this.model.name}).where(…) in the same transaction (session.transaction()).`
      : "Add the rows with session.add() and commit: the Session reads the key each row's insert generates."
  }

  /**
   * Adds rows: each is validated like `Model.create(row)`, so a wrong key or value type does not compile
   * and an invalid value throws a `ValidationError` here, before any statement. Only columns are kept. A
   * column's value may be a `bindParam()`: the row is then validated whole when it runs, with the values of
   * its parameters.
   * @throws {InvalidQueryError} for an expression other than `bindParam()`, a parameter for a key that is
   * no column, or a row with parameters that gives a required column neither a value nor a parameter.
   */
  values(rows: InsertRow<M> | readonly InsertRow<M>[]): Insert<M, R> {
    if (this.state.source) throw bothSourcesError(this.model)
    const list: readonly InsertRow<M>[] = Array.isArray(rows) ? rows : [rows]
    const valid = list.map((row) => insertedRow(this.model, row))
    return new Insert<M, R>(this.model, { ...this.state, rows: [...this.state.rows, ...valid] })
  }

  /**
   * Takes the rows from a select, run by the database in the same statement (`INSERT … SELECT`,
   * SQLAlchemy's `insert(…).from_select()`): each selected item fills the column named in its place. The
   * rows never reach JavaScript, so the model does not validate them, and a column left out is NULL (the
   * generated key, the next key): every column that is not nullable, or has a default, must be named. The
   * select's `bindParam()`s take each run's `params`. `onConflict()` and `returning()` apply as to rows
   * given with `values()`.
   *
   * @example
   * const archive = insert(ArchivedHero).fromSelect(
   *   ['name', 'secret_name'],
   *   select(Hero.c.name, Hero.c.secret_name).where(Hero.c.age.gt(bindParam('age'))),
   * )
   * const { affected } = await session.exec(archive, { params: { age: 60 } })
   * @throws {InvalidQueryError} for rows given with `values()` too, a select of rows (`select(Hero)`) or of
   * more or fewer items than columns, a column the model does not have or named twice, or one left out
   * that the database cannot fill.
   */
  fromSelect<
    const C extends readonly ColumnNames<M>[],
    S extends readonly SelectItem[],
    N extends string = never,
  >(columns: C, query: Select<S, string, N, never> & SelectFits<M, C, S, N>): Insert<M, R> {
    if (this.state.source) {
      throw new InvalidQueryError(
        `insert(${this.model.name}).fromSelect(): the insert already takes its rows from a select. Build another insert for another select.`,
      )
    }
    if (this.state.rows.length > 0) throw bothSourcesError(this.model)
    const source = checkedSource(this.model, { columns, query })
    return new Insert<M, R>(this.model, { ...this.state, source })
  }

  /**
   * The statement returns the rows it wrote, as the database has them (generated keys and defaults
   * included): `session.exec()` answers them as `rows`, and the Session holds them, as rows it read
   * (SQLAlchemy's `insert(Hero).returning(Hero)`). With `onConflict()`, a row `doNothing()` skipped is not
   * among them, and a row `doUpdate()` changed is, with its new values. In no promised order. SQLite and
   * PostgreSQL only: on MySQL `session.exec()` throws a `NotSupportedError`.
   *
   * @example
   * const { rows } = await session.exec(insert(Hero).values([{ name: 'Deadpond', secret_name: 'Dive Wilson' }]).returning())
   * rows[0].id // the key the database generated
   */
  returning(): Insert<M, true> {
    return new Insert<M, true>(this.model, { ...this.state, returning: true })
  }

  /**
   * What to do with a row whose `target` columns (a unique key or the primary key) another row has. MySQL
   * names no target: `ON DUPLICATE KEY UPDATE` applies to a conflict on any unique key of the table.
   */
  onConflict(conflict: { target: ColumnNames<M> | readonly ColumnNames<M>[] }): OnConflict<M, R> {
    return new OnConflict<M, R>(this, conflictTarget(this.model, conflict.target))
  }

  get changesExistingRows(): boolean {
    return this.state.onConflict?.kind === 'update'
  }

  /**
   * Compiled once per shape (see `insertRows()`): its columns, its DEFAULT cells, its conflict clause. One
   * with bind parameters is compiled once on each engine, and a run binds its rows' values.
   */
  statement(engine: Engine, shape: RowShape, params?: ParamValues | null): Statement {
    const { source } = this.state
    if (source !== undefined) {
      const { compiled, values } = this.#fromSelect?.get(engine) ?? this.#compileFromSelect(engine, source)
      return bind(compiled, values.bind(params), shape)
    }
    const names = this.#names()
    if (!paramsFit(names, params)) throw paramsMismatch(names, params, `insert(${this.model.name})`)
    if (names.size === 0) return this.#compiled(engine, this.#rows(), shape, this.#extra(engine.dialect))
    // The rows a run writes: each template filled with the run's values and validated whole.
    const { model } = this
    const rows = this.#rows().map((row) =>
      row instanceof RowTemplate ? model.columnValues(row.filled(params!)) : row,
    )
    const bound = this.#prepared?.get(engine)?.bind(rows, shape)
    if (bound !== undefined) return bound
    const extra = this.#extra(engine.dialect)
    const statement = this.#compiled(engine, rows, shape, extra)
    const prepared = PreparedInsert.of(statement, rows, model.fields, extra.parameters)
    if (prepared !== undefined) (this.#prepared ??= new WeakMap()).set(engine, prepared)
    return statement
  }

  #compileFromSelect(engine: Engine, source: InsertSource): CompiledInsert {
    const upsert = this.state.onConflict !== undefined
    const compiled = compileInsertSelect(engine, this.model, source, this.#extra(engine.dialect), upsert)
    this.#fromSelect ??= new WeakMap()
    this.#fromSelect.set(engine, compiled)
    return compiled
  }

  /** The names of the bind parameters of the rows, found on first use. */
  #names(): ReadonlySet<string> {
    this.#paramNames ??= namesOf(this.state.rows)
    return this.#paramNames
  }

  #rows() {
    const { model, state } = this
    if (state.rows.length === 0) {
      throw new InvalidQueryError(`insert(${model.name}): no rows. Call .values(row) or .values([rows]).`)
    }
    return state.rows
  }

  #compiled(engine: Engine, rows: InsertState['rows'], shape: RowShape, conflict: InsertExtra): Statement {
    const fields = this.model.fields
    // The rows as statement parameters; a column a row leaves out is DEFAULT.
    const paramRows: ParamRow[] = rows.map((row) => {
      const values: Record<string, unknown> = {}
      for (const key in row) values[key] = toParam(fields[key]!, (row as Record<string, unknown>)[key])
      return values
    })
    return insertRows(engine, this.model.tableName, paramRows, shape, conflict)
  }

  /** What the statement adds to its `INSERT … VALUES` on `dialect`: its conflict clause, then `RETURNING`. */
  #extra(dialect: Dialect): InsertExtra {
    const conflict = conflictClause(this.model, this.state.onConflict, dialect)
    if (!this.returnsOn(dialect, 'INSERT')) return conflict
    const columns = columnsOf(this.model)
    return {
      key: `${conflict.key} returning`,
      parameters: conflict.parameters,
      finish: (insert) => conflict.finish(insert).returning(columns),
    }
  }
}

function bothSourcesError(model: TableModel): InvalidQueryError {
  return new InvalidQueryError(
    `insert(${model.name}): an insert takes its rows from values() or from fromSelect(), not from both. Build two inserts.`,
  )
}

/**
 * The second half of `insert(…).onConflict({ target })`: `doNothing()` or `doUpdate(…)`.
 *
 * @example
 * insert(Hero).values(rows).onConflict({ target: 'name' }).doNothing()
 */
export class OnConflict<M extends TableModel, R extends boolean = false> {
  readonly #insert: Insert<M, R>
  readonly #target: readonly string[]

  constructor(insert: Insert<M, R>, target: readonly string[]) {
    this.#insert = insert
    this.#target = target
  }

  /** A row that conflicts is skipped: the row already there is kept as it is. */
  doNothing(): Insert<M, R> {
    return this.#with({ kind: 'nothing', target: this.#target })
  }

  /**
   * The row already there is updated instead: with the new row's values of the columns named
   * (`doUpdate(['age'])`, SQL's `excluded.age`), or with fixed values (`doUpdate({ age: 30 })`).
   * @throws {InvalidQueryError} for the primary key, a column the table does not have, or no column.
   */
  doUpdate(set: readonly ColumnNames<M>[] | UpdateValues<M>): Insert<M, R> {
    const model = this.#insert.model
    const fromNewRow: readonly string[] = Array.isArray(set) ? set : []
    const values: Record<string, unknown> = Array.isArray(set) ? {} : { ...set }
    const keys = [...fromNewRow, ...Object.keys(values)]
    const method = `insert(${model.name}).onConflict().doUpdate()`
    if (keys.length === 0)
      throw new InvalidQueryError(`${method}: no column to update. Name one, or use doNothing().`)
    for (const key of keys) checkColumn(model, key, method)
    return this.#with({ kind: 'update', target: this.#target, fromNewRow, values })
  }

  #with(onConflict: ConflictAction): Insert<M, R> {
    const insert = this.#insert
    return new Insert<M, R>(insert.model, { ...insert.state, onConflict })
  }
}

/**
 * Starts an `INSERT` of many rows with one statement (SQLAlchemy's `insert(Hero).values([…])`), which
 * `onConflict()` turns into an upsert.
 *
 * @example
 * const { affected } = await session.exec(insert(Hero).values(rows).onConflict({ target: 'name' }).doNothing())
 */
export function insert<M extends TableModel>(model: M): Insert<M> {
  return new Insert<M>(model, { rows: [], onConflict: undefined })
}
