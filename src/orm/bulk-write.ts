import type { Compilable, Expression, Kysely, SqlBool } from 'kysely'
import type { Dialect } from '../engine/dialect/dialect.ts'
import type { Engine } from '../engine/engine.ts'
import { bind, type RowShape, type Statement } from '../engine/statement.ts'
import { InvalidQueryError, NotSupportedError } from '../errors.ts'
import type { Condition, ConditionNode } from '../model/condition.ts'
import type { Model } from '../model/model.ts'
import type { TableModel } from '../model/table.ts'
import { ValidationError } from '../model/validation-error.ts'
import { NO_NAMES, paramsFit, type ParamValues } from './bind-params.ts'
import { columnsOf, toCondition } from './compile.ts'
import { toParam } from './param-slots.ts'
import type { TablesOf } from './select.ts'

/**
 * The column values an {@link Update} sets: any of the model's columns, each with its field's type. A
 * key that is not a column, or a value of the wrong type, does not compile.
 *
 * @example
 * const values: UpdateValues<typeof Hero> = { age: 31 }
 */
export type UpdateValues<M extends TableModel> = Partial<Pick<M['Type'], keyof M['c'] & keyof M['Type']>>

/** What `session.exec()` of a bulk write answers: how many rows it matched (see each dialect's count in docs/bulk-writes.md). */
export interface WriteResult {
  readonly affected: number
}

/** What `session.exec()` of a write with `returning()` answers: the count, and the rows written. */
export interface ReturningResult<T> extends WriteResult {
  readonly rows: T[]
}

/**
 * The state of a bulk write; each builder call copies it.
 *
 * @example
 * update(Hero).where(Hero.c.age.lt(18)).values({ age: 18 }).state // { where: [ … ], values: { age: 18 } }
 */
export interface BulkWriteState {
  readonly where: readonly ConditionNode[]
  readonly values: Readonly<Record<string, unknown>>
  /** The statement returns the rows it wrote (`RETURNING`), see `returning()`. */
  readonly returning: boolean
}

const EMPTY: BulkWriteState = Object.freeze({
  where: Object.freeze([]),
  values: Object.freeze({}),
  returning: false,
})

/**
 * A statement that writes many rows of one table model with one statement: {@link Update},
 * {@link Delete} and {@link Insert}. `session.exec()` runs it and answers a {@link WriteResult}.
 */
export abstract class BulkWrite<M extends TableModel = TableModel, R extends boolean = boolean> {
  readonly model: M
  /** It returns the rows it wrote: `session.exec()` then answers them too. */
  readonly returnsRows: R

  constructor(model: M, returnsRows: R) {
    this.model = model
    this.returnsRows = returnsRows
  }

  /**
   * The statement of this write on `engine`, its rows read in `shape`, with `params` for its bind
   * parameters (an insert's; an update and a delete have none).
   * @throws {InvalidQueryError} when `params` misses one of its bind parameters or names another.
   */
  abstract statement(engine: Engine, shape: RowShape, params?: ParamValues | null): Statement

  /** It may change rows the Session holds, which are then read again; an insert that skips conflicts cannot. */
  abstract get changesExistingRows(): boolean

  /** What the write is called in an error: `update(Hero)`, `deleteFrom(Hero)`, `insert(Hero)`. */
  protected abstract get method(): string

  /** What to do instead where the dialect has no `RETURNING`: the end of the error's message. */
  protected abstract get withoutReturning(): string

  /**
   * The statement must return its rows: `returning()` asked for them. `verb` is its SQL (`UPDATE`).
   * @throws {NotSupportedError} where the dialect has no `RETURNING`.
   */
  protected returnsOn(dialect: Dialect, verb: string): boolean {
    if (!this.returnsRows) return false
    if (!dialect.supportsReturning) {
      throw new NotSupportedError(
        `${this.method}.returning(): ${dialect.name} has no ${verb} … RETURNING. ${this.withoutReturning}`,
      )
    }
    return true
  }
}

/** What {@link Update} and {@link Delete} share: the conditions that pick the rows they write. */
abstract class FilteredWrite<M extends TableModel, R extends boolean> extends BulkWrite<M, R> {
  readonly state: BulkWriteState

  constructor(model: M, state: BulkWriteState) {
    // The state says what the type parameter says: only returning() makes a builder whose R is true.
    super(model, state.returning as R)
    this.state = Object.freeze({
      where: Object.freeze([...state.where]),
      values: Object.freeze({ ...state.values }),
      returning: state.returning,
    })
  }

  get changesExistingRows(): boolean {
    return true
  }

  /** The Kysely statement of this write on `db`. */
  abstract build(db: Kysely<any>, dialect: Dialect): Compilable

  statement(engine: Engine, shape: RowShape, params?: ParamValues | null): Statement {
    if (!paramsFit(NO_NAMES, params)) {
      throw new InvalidQueryError(
        `${this.method} takes no params: update() and deleteFrom() take their values themselves, and a bindParam() in them is refused. Build the write when its values are known.`,
      )
    }
    const compiled = this.build(engine.db, engine.dialect).compile()
    return bind(compiled, compiled.parameters, shape)
  }

  /** Read the rows in the same transaction. */
  protected get withoutReturning(): string {
    return `Run the write without returning(), and read the rows with select(${this.model.name}).where(…) in the same transaction (session.transaction()).`
  }

  /** The conditions, ANDed, as the statement's WHERE clause; none writes every row. */
  protected whereOf<B extends { where(condition: Expression<SqlBool>): B }>(
    builder: B,
    db: Kysely<any>,
    dialect: Dialect,
  ): B {
    const { where } = this.state
    if (where.length === 0) return builder
    return builder.where(toCondition({ kind: 'and', items: where }, { db, dialect }))
  }
}

/** Each table's partial model: it checks an update's values as the table's fields check a row's. */
const updateModels = new WeakMap<TableModel, Model>()

/**
 * `values` as the table's fields validate them (coerced, within their constraints, storable on every
 * database), so a bulk update cannot write what `create()` would refuse; an insert checks the values given
 * beside its bind parameters with it.
 *
 * @example
 * validatedValues(Hero, { age: '30' }) // { age: 30 }
 * @throws {ValidationError} with one issue per invalid value.
 */
export function validatedValues(table: TableModel, values: object): Record<string, unknown> {
  let partial = updateModels.get(table)
  if (!partial) updateModels.set(table, (partial = table.partial(table.name)))
  const result = partial.safeValidate(values)
  if (!result.success) throw new ValidationError(table.name, result.issues)
  // Only the keys given: the row also holds the fields left out (a generated key, as undefined).
  const data: Record<string, unknown> = result.data
  return Object.fromEntries(Object.keys(values).map((key) => [key, data[key]]))
}

/**
 * An immutable `UPDATE` of the rows of one table model that match its conditions (SQLAlchemy's
 * `update(Hero).where(…).values(…)`). Run it with `session.exec(query)`, which answers `{ affected }` and
 * brings the rows the Session holds of that table in line with the database. Without `where()`, every row
 * is updated, as in SQL.
 *
 * @example
 * const { affected } = await session.exec(update(Hero).where(Hero.c.age.lt(18)).values({ age: 18 }))
 */
export class Update<M extends TableModel = TableModel, R extends boolean = false> extends FilteredWrite<
  M,
  R
> {
  protected get method(): string {
    return `update(${this.model.name})`
  }

  /** Keeps the rows where every condition holds. Repeated calls are ANDed. */
  where(...conditions: Condition<TablesOf<M>>[]): Update<M, R> {
    return new Update<M, R>(this.model, {
      ...this.state,
      where: [...this.state.where, ...conditions.map((c) => c.node)],
    })
  }

  /**
   * The columns to set and their values; later calls add to, or replace, earlier ones.
   * @throws {InvalidQueryError} for a key that is not a column, or the primary key (a row's identity).
   */
  values(values: UpdateValues<M>): Update<M, R> {
    for (const key of Object.keys(values)) checkColumn(this.model, key, `update(${this.model.name}).values()`)
    const checked = validatedValues(this.model, values)
    return new Update<M, R>(this.model, { ...this.state, values: { ...this.state.values, ...checked } })
  }

  build(db: Kysely<any>, dialect: Dialect): Compilable {
    const { fields, tableName } = this.model
    const entries = Object.entries(this.state.values)
    if (entries.length === 0) {
      throw new InvalidQueryError(
        `update(${this.model.name}): no values to set. Call .values({ … }) with the columns to change.`,
      )
    }
    const set = Object.fromEntries(entries.map(([key, value]) => [key, toParam(fields[key]!, value)]))
    const update = this.whereOf(db.updateTable(tableName).set(set), db, dialect)
    return this.returnsOn(dialect, 'UPDATE') ? update.returning(columnsOf(this.model)) : update
  }

  /**
   * The statement returns the rows it updated, with their new values: `session.exec()` answers them as
   * `rows`, the Session's own objects where it holds them. SQLite and PostgreSQL only: MySQL has no
   * `UPDATE … RETURNING`, and `session.exec()` throws a `NotSupportedError` there.
   *
   * @example
   * const { rows } = await session.exec(update(Hero).where(Hero.c.age.lt(18)).values({ age: 18 }).returning())
   */
  returning(): Update<M, true> {
    return new Update<M, true>(this.model, { ...this.state, returning: true })
  }
}

/**
 * An immutable `DELETE` of the rows of one table model that match its conditions (SQLAlchemy's
 * `delete(Hero).where(…)`). Run it with `session.exec(query)`, which answers `{ affected }`; the rows the
 * Session held of those deleted leave it. Without `where()`, every row is deleted, as in SQL.
 *
 * @example
 * const { affected } = await session.exec(deleteFrom(Hero).where(Hero.c.age.gt(100)))
 */
export class Delete<M extends TableModel = TableModel, R extends boolean = false> extends FilteredWrite<
  M,
  R
> {
  protected get method(): string {
    return `deleteFrom(${this.model.name})`
  }

  /** Keeps the rows where every condition holds. Repeated calls are ANDed. */
  where(...conditions: Condition<TablesOf<M>>[]): Delete<M, R> {
    return new Delete<M, R>(this.model, {
      ...this.state,
      where: [...this.state.where, ...conditions.map((c) => c.node)],
    })
  }

  build(db: Kysely<any>, dialect: Dialect): Compilable {
    const remove = this.whereOf(db.deleteFrom(this.model.tableName), db, dialect)
    return this.returnsOn(dialect, 'DELETE') ? remove.returning(columnsOf(this.model)) : remove
  }

  /**
   * The statement returns the rows it deleted, as they were: `session.exec()` answers them as `rows`, which
   * no Session holds. SQLite and PostgreSQL only: on MySQL `session.exec()` throws a `NotSupportedError`.
   *
   * @example
   * const { rows } = await session.exec(deleteFrom(Hero).where(Hero.c.age.gt(100)).returning())
   */
  returning(): Delete<M, true> {
    return new Delete<M, true>(this.model, { ...this.state, returning: true })
  }
}

/** `key` is a column a bulk write may set (not the primary key), or a clear error naming `method`. */
export function checkColumn(model: TableModel, key: string, method: string): void {
  if (!Object.hasOwn(model.fields, key)) {
    throw new InvalidQueryError(
      `${method}: ${model.name} has no column '${key}'. Its columns are: ${Object.keys(model.fields).join(', ')}.`,
    )
  }
  if (model.primaryKeys.includes(key)) {
    const which = model.primaryKey === undefined ? 'part of the primary key' : 'the primary key'
    throw new InvalidQueryError(
      `${method}: '${key}' is ${which}, which names each row; a bulk update does not change it. Insert a new row and delete the old one instead.`,
    )
  }
}

/**
 * Starts an `UPDATE` of a table model's rows (SQLModel's `update(Hero)`).
 *
 * @example
 * await session.exec(update(Hero).where(Hero.c.name.eq('Deadpond')).values({ age: 31 }))
 */
export function update<M extends TableModel>(model: M): Update<M> {
  return new Update(model, EMPTY)
}

/**
 * Starts a `DELETE` of a table model's rows (SQLModel's `delete(Hero)`; `delete` is a reserved word in
 * JavaScript).
 *
 * @example
 * await session.exec(deleteFrom(Hero).where(Hero.c.age.gt(100)))
 */
export function deleteFrom<M extends TableModel>(model: M): Delete<M> {
  return new Delete(model, EMPTY)
}
