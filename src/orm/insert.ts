import { sql } from 'kysely'
import type { Dialect } from '../engine/dialect/dialect.ts'
import type { Engine } from '../engine/engine.ts'
import type { RowShape, Statement } from '../engine/statement.ts'
import { InvalidQueryError } from '../errors.ts'
import { Expression } from '../model/expression.ts'
import { requiredKeys } from '../model/field.ts'
import type { TableModel } from '../model/table.ts'
import { paramsFit, paramsMismatch, type ParamValues } from './bind-params.ts'
import { BulkWrite, checkColumn, validatedValues, type UpdateValues } from './bulk-write.ts'
import { columnsOf } from './compile.ts'
import { toParam } from './param-slots.ts'
import { insertRows, type AnyInsert, type InsertExtra, type ParamRow } from './insert-rows.ts'
import {
  checkedSource,
  insertSelectStatement,
  type CompiledInsert,
  type InsertSource,
} from './insert-select.ts'
import type { SelectItem } from './select-types.ts'
import type { Select } from './select.ts'
import { namesOf, PreparedInsert, RowTemplate, type InsertRow } from './insert-params.ts'

/** The names of the columns of table model `M`: `'id' | 'name' | …` for `Hero`. */
export type ColumnNames<M extends TableModel> = keyof M['c'] & keyof M['Type'] & string

/**
 * What an {@link Insert} does with a row whose unique key another row already has: nothing
 * (`doNothing()`), or an update of that row with fixed values or with the new row's values of some columns
 * (`doUpdate()`).
 */
export type ConflictAction =
  | { readonly kind: 'nothing'; readonly target: readonly string[] }
  | {
      readonly kind: 'update'
      readonly target: readonly string[]
      /** Columns set to the new row's value (SQL's `excluded.<column>`). */
      readonly fromNewRow: readonly string[]
      /** Columns set to a fixed value. */
      readonly values: Readonly<Record<string, unknown>>
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
  /** The statement returns the rows it wrote (`RETURNING`), see `returning()`. */
  readonly returning: boolean
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
    super(model, state.returning as R)
    const { onConflict, returning, source } = state
    this.state = Object.freeze({ rows: Object.freeze([...state.rows]), onConflict, returning, source })
  }

  protected get method(): string {
    return `insert(${this.model.name})`
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
    const valid = list.map((row) => this.#rowOf(row))
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
  fromSelect(
    columns: readonly ColumnNames<M>[],
    query: Select<readonly SelectItem[], string, string, never>,
  ): Insert<M, R> {
    if (this.state.rows.length > 0 || this.state.source) throw bothSourcesError(this.model)
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

  #rowOf(row: object): Readonly<Record<string, unknown>> | RowTemplate {
    const { model } = this
    // Most rows have no parameter: they are validated as they are, with no copy.
    if (!hasExpression(row)) {
      return model.columnValues(row)
    }
    const params: [string, string][] = []
    const fixed: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(row)) {
      if (!isExpression(value)) fixed[key] = value
      else if (value.node.kind !== 'param') {
        throw new InvalidQueryError(
          `insert(${model.name}).values(): '${key}' is an expression. A row's value is a value, or bindParam('${key}') for one given when the insert runs.`,
        )
      } else if (!Object.hasOwn(model.fields, key)) {
        throw new InvalidQueryError(
          `insert(${model.name}).values(): ${model.name} has no column '${key}' for bindParam(${JSON.stringify(value.node.name)}). Its columns are: ${Object.keys(model.fields).join(', ')}.`,
        )
      } else params.push([key, value.node.name])
    }
    // The values given are checked now, as a row's are; the whole row again at each run.
    if (Object.keys(fixed).length > 0) validatedValues(model, fixed)
    // A column no run could fill is a mistake in the code: said here, not at the first request.
    const absent = requiredKeys(model.fields).filter(
      (key) => fixed[key] === undefined && !params.some(([column]) => column === key),
    )
    if (absent.length > 0) {
      throw new InvalidQueryError(
        `insert(${model.name}).values(): ${absent.map((key) => `'${key}'`).join(', ')} ${absent.length === 1 ? 'is a required column' : 'are required columns'} of ${model.name}, with no value and no default. Give ${absent.length === 1 ? 'it' : 'each'} a value, or bindParam('${absent[0]}') for one given when the insert runs.`,
      )
    }
    return new RowTemplate(fixed, params)
  }

  /**
   * What to do with a row whose `target` columns (a unique key or the primary key) another row has. MySQL
   * names no target: `ON DUPLICATE KEY UPDATE` applies to a conflict on any unique key of the table.
   */
  onConflict(conflict: { target: ColumnNames<M> | readonly ColumnNames<M>[] }): OnConflict<M, R> {
    const { model } = this
    const target: readonly string[] =
      typeof conflict.target === 'string' ? [conflict.target] : conflict.target
    const keys = model.primaryKeys
    // A composite key is unique as a whole: the target names every field of it, or is another unique column.
    const wholeKey = keys.length > 1 && keys.every((key) => target.includes(key))
    for (const key of target) {
      const field = model.fields[key]
      const unique =
        field?.options.unique === true || key === model.primaryKey || (wholeKey && keys.includes(key))
      if (!unique) {
        const hint =
          keys.length > 1 && keys.includes(key)
            ? ` '${key}' is one field of the primary key (${keys.join(', ')}): name them all.`
            : ''
        throw new InvalidQueryError(
          `insert(${model.name}).onConflict(): '${key}' is not a unique column of ${model.name}. A conflict target must be its primary key or a column declared with { unique: true }.${hint}`,
        )
      }
    }
    return new OnConflict<M, R>(this, target)
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
      const finish = { extra: this.#extra(engine.dialect), upsert: this.state.onConflict !== undefined }
      this.#fromSelect ??= new WeakMap()
      return insertSelectStatement(
        engine,
        this.model.tableName,
        source,
        finish,
        shape,
        this.#fromSelect,
        params,
      )
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
    const conflict = this.#conflictClause(dialect)
    const instead =
      "Add the rows with session.add() and commit: the Session reads the key each row's insert generates."
    if (!this.returnsOn(dialect, 'INSERT', instead)) return conflict
    const columns = columnsOf(this.model)
    return {
      key: `${conflict.key} returning`,
      parameters: conflict.parameters,
      finish: (insert) => conflict.finish(insert).returning(columns),
    }
  }

  /**
   * The conflict clause on `dialect`: what it adds to the statement's shape (its SQL) and parameters
   * (the fixed values of `doUpdate()`), and how it finishes the `INSERT … VALUES`.
   */
  #conflictClause(dialect: Dialect): InsertExtra {
    const { model } = this
    const conflict = this.state.onConflict
    const none = { key: '', parameters: [], finish: (insert: AnyInsert): AnyInsert => insert }
    if (conflict === undefined) return none
    const fixed = conflict.kind === 'update' ? this.#fixed(conflict.values) : {}
    const fromNewRow = conflict.kind === 'update' ? conflict.fromNewRow : []
    const key = `${conflict.kind} [${conflict.target.join(',')}] [${fromNewRow.join(',')}] [${Object.keys(fixed).join(',')}]`
    const parameters = Object.values(fixed)
    if (dialect.name === 'mysql') {
      // No DO NOTHING on MySQL: setting the key to itself changes no row. INSERT IGNORE would also turn
      // other errors (a value too long) into warnings. The key is qualified: an INSERT … SELECT's table
      // may have a column of that name too.
      const primaryKey = model.primaryKeys[0]
      const set =
        conflict.kind === 'nothing'
          ? { [primaryKey]: sql.ref(`${model.tableName}.${primaryKey}`) }
          : {
              ...fixed,
              ...Object.fromEntries(fromNewRow.map((key) => [key, sql`values(${sql.ref(key)})`])),
            }
      return { key, parameters, finish: (insert: AnyInsert): AnyInsert => insert.onDuplicateKeyUpdate(set) }
    }
    return {
      key,
      parameters,
      finish: (insert: AnyInsert): AnyInsert =>
        insert.onConflict((oc) => {
          const on = oc.columns(conflict.target)
          if (conflict.kind === 'nothing') return on.doNothing()
          return on.doUpdateSet({
            ...fixed,
            ...Object.fromEntries(fromNewRow.map((key) => [key, sql.ref(`excluded.${key}`)])),
          })
        }),
    }
  }

  /** The fixed values of `doUpdate()` as parameters; an `undefined` one sets nothing, as Kysely has it. */
  #fixed(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
    return Object.fromEntries(
      Object.entries(values)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => [key, toParam(this.model.fields[key]!, value)]),
    )
  }
}

function bothSourcesError(model: TableModel): InvalidQueryError {
  return new InvalidQueryError(
    `insert(${model.name}): an insert takes its rows from values() or from fromSelect(), not from both. Build two inserts.`,
  )
}

function isExpression(value: unknown): value is Expression {
  return value instanceof Expression
}

/** `row` is an object with an expression among its values: a loop, not an array of them, for bulk rows. */
function hasExpression(row: unknown): boolean {
  if (typeof row !== 'object' || row === null) return false
  for (const key in row) {
    if (Object.hasOwn(row, key) && isExpression((row as Record<string, unknown>)[key])) return true
  }
  return false
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
  return new Insert(model, { rows: [], onConflict: undefined, returning: false })
}
