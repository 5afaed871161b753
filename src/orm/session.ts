import type { Engine } from '../engine/engine.ts'
import { andThen, attempt, settled, type PromiseOrValue } from '../engine/promise-or-value.ts'
import { TableModel, type KeyOf } from '../model/table.ts'
import type { Persisted } from '../model/types.ts'
import { bulkWriteStatement, runBulkWrite } from './bulk-sync.ts'
import type { ParamValues } from './bind-params.ts'
import { BulkWrite, type ReturningResult, type WriteResult } from './bulk-write.ts'
import { ConnectionScope, transactionSettings } from './connection-scope.ts'
import { Loader } from './loading.ts'
import { queriesFor, type BoundSelect } from './query-statements.ts'
import { RelationshipDeletes } from './relationship-deletes.ts'
import { RelationshipSync } from './relationship-sync.ts'
import { PendingResult, Result } from './result.ts'
import type { ResultOf, Selection } from './select-types.ts'
import { relationshipOf, type LoadOption } from './load-option.ts'
import type { AnySelect, Select } from './select.ts'
import { layoutOf } from './snapshot.ts'
import {
  closedError,
  compositeKeyParams,
  notPersistentError,
  streamOpenError,
  tableOf,
  transactionOpenError,
  unstreamableError,
} from './session-errors.ts'
import type { RowState } from './row-state.ts'
import { TrackedRows } from './tracked-rows.ts'
import { TransactionMemory } from './transaction-memory.ts'
import { Transactions } from './transactions.ts'
import { UnitOfWork } from './unit-of-work.ts'
import type { ExecOptions, GetOptions, SessionOptions } from './session-options.ts'

/**
 * A unit of work over one engine (SQLModel's `Session`, async as its `AsyncSession`). Rows you `add` are
 * inserted, rows you change are updated (changed columns only) and rows you `delete` are deleted, all at
 * the next `commit()`. The identity map makes two reads of one id return the same object.
 *
 * Reads outside a transaction run in autocommit and never block; the first write (a flush) or `begin()`
 * takes a connection and opens a transaction that `commit()` or `rollback()` ends. After a commit, rows
 * keep their values (SQLAlchemy's `expire_on_commit=False`). Dispose of the session with `await using`,
 * which rolls back what was not committed and releases the connection.
 *
 * @example
 * await using session = new Session(engine)
 * const hero = Hero.create({ name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16 })
 * session.add(hero)
 * await session.commit()
 * await session.refresh(hero)
 * console.log(hero) // Hero { id: 1, name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16 }
 */
export class Session {
  readonly engine: Engine
  readonly #autoflush: boolean
  readonly #rows = new TrackedRows()
  readonly #scope: ConnectionScope
  readonly #loader: Loader
  #transactionsMade: Transactions | undefined
  #closed = false

  constructor(engine: Engine, options: SessionOptions = {}) {
    this.engine = engine
    this.#autoflush = options.autoflush ?? true
    this.#scope = new ConnectionScope(
      engine,
      options.reads === 'replica',
      transactionSettings(options.isolationLevel),
    )
    this.#loader = new Loader(engine, this.#scope, this.#rows)
    this.#rows.loadMissing = (table, paths, rows) => this.#loadMissing(table, paths, rows)
  }

  /**
   * What flushes, commits and rolls back, made at the first of these: a Session is made per request, and
   * most requests only read.
   */
  get #transactions(): Transactions {
    if (this.#transactionsMade) return this.#transactionsMade
    const sync = new RelationshipSync(this.#rows, (row) => this.add(row))
    const deletes = new RelationshipDeletes(this.engine, this.#scope, this.#rows, (relationship, rows) =>
      this.#loader.load(relationship, rows),
    )
    const work = new UnitOfWork(this.engine, this.#scope, this.#rows, sync, deletes)
    const memory = new TransactionMemory(this.#scope, this.#rows, this.#loader)
    return (this.#transactionsMade = new Transactions(this.#scope, work, memory))
  }

  /** A transaction is open: begun explicitly or by a flush, and not yet committed or rolled back. */
  get inTransaction(): boolean {
    return this.#scope.inTransaction
  }

  /**
   * Puts a row in the session: a new row is inserted at the next flush; a row loaded by any session is
   * tracked, and its changed columns are updated at the next flush.
   * @throws {SessionError} `OM_ORM_NOT_A_ROW` for an object that is not a row of a table model.
   * @throws {SessionError} `OM_ORM_DELETED` for a row whose deletion was flushed or committed.
   * @throws {SessionError} `OM_ORM_ATTACHED` for a row another open Session holds.
   */
  add(row: object): void {
    this.#checkOpen('add', true)
    this.#rows.put(row)
  }

  /** Adds every row, in order (SQLModel's `add_all`). */
  addAll(rows: Iterable<object>): void {
    for (const row of rows) this.add(row)
  }

  /**
   * Marks a row for deletion at the next flush. A row added but never flushed is simply removed.
   * @throws {SessionError} `OM_ORM_DETACHED` when the row is not in this session.
   */
  async delete(row: object): Promise<void> {
    this.#checkOpen('delete', true)
    this.#rows.markDeleted(row)
  }

  /**
   * The row of `model` with this primary key, or `undefined`. Returns the object already in the session
   * when there is one, without a query. A composite key is the object of its fields.
   *
   * @example
   * const hero = await session.get(Hero, 1)
   * if (!hero) throw new HTTPError(404, 'Hero not found')
   * const link = await session.get(HeroTeamLink, { team_id: 1, hero_id: 2 })
   * @throws {InvalidQueryError} for a composite key that is not the object of its fields.
   */
  get<M extends TableModel>(
    model: M,
    key: KeyOf<M>,
    options?: GetOptions<M>,
  ): Promise<M['Type'] | undefined> {
    // The row is typed by its model: the Session reads and keeps rows of any table as objects.
    return settled(() => this.#get(model, key, options?.options) as PromiseOrValue<M['Type'] | undefined>)
  }

  #get(
    model: TableModel,
    key: unknown,
    options: readonly LoadOption[] | undefined,
  ): PromiseOrValue<object | undefined> {
    this.#checkOpen('get')
    // A single key is its own identity: no array is made unless a query is needed.
    const params = model.primaryKey === undefined ? compositeKeyParams(model, key) : undefined
    const identity = params === undefined ? key : layoutOf(model).identityOfParams(params)
    const known = this.#rows.identity.get(model, identity)
    let row: PromiseOrValue<object | undefined>
    if (known) row = this.#rows.isDeleted(known) ? undefined : known
    else {
      row = this.#afterAutoflush(() => this.#loader.byKey(model, params ?? [key]))
    }
    if (options === undefined) return row
    return andThen(row, (found) =>
      found === undefined
        ? undefined
        : andThen(this.#loader.loadOptions(model, options, [found], 'session.get'), () => found),
    )
  }

  /**
   * Loads one relationship of a row from the database and returns it (`hero.team`, `team.heroes`): one
   * query. To load it for many rows at once, use `select(…).options(selectinload(name))` instead.
   *
   * @example
   * const hero = await session.get(Hero, 1)
   * const team = await session.load(hero!, 'team') // Team | null; hero.team reads it from now on
   */
  async load<R extends object, K extends keyof R & string>(row: R, name: K): Promise<R[K]> {
    const tracked = this.#persistent(row, 'load', ', or load it with session.get()')
    const relationship = relationshipOf(tracked.table, name, 'session.load')
    if (this.#shouldAutoflush) await this.flush()
    await this.#loader.load(relationship, [row])
    return row[name]
  }

  /**
   * Runs a query. Await it for an iterable {@link Result}, or chain `.all()`, `.first()` or `.one()`.
   * A select with `bindParam()`s runs with their values in `options.params`. Running one select object
   * again (built once, at module load) skips building and compiling it: only its values are bound.
   *
   * @example
   * const young = await session.exec(select(Hero).where(Hero.c.age.lt(30))).all()       // Hero[]
   * const pairs = await session.exec(select(Hero, Team).leftJoin(Team)).all()           // [Hero, Team | null][]
   * const names = await session.exec(select(Hero.c.name).orderBy(Hero.c.name)).all()     // string[]
   * const byName = select(Hero).where(Hero.c.name.eq(bindParam('name')))
   * const hero = await session.exec(byName, { params: { name: 'Deadpond' } }).one()
   * @throws {InvalidQueryError} when `options.params` misses a bind parameter of the select or names
   * one it has not.
   */
  exec<S extends Selection, T extends string, N extends string>(
    query: Select<S, T, N, never>,
    options?: ExecOptions,
  ): PendingResult<ResultOf<S, N>>
  /**
   * Runs a bulk `update()`, `deleteFrom()` or `insert()`, after a flush (with autoflush), in the open
   * transaction or else by itself in autocommit, and answers how many rows it matched; with `returning()`,
   * the rows too. When it may have changed rows the Session holds of its table, those are read again, so
   * they hold what the database has (SQLAlchemy's `synchronize_session='fetch'`): an updated row has its
   * new values, with nothing left to flush, and a deleted row leaves the session. An insert built with
   * `bindParam()` values takes them in `options.params`.
   *
   * @example
   * const { affected } = await session.exec(update(Hero).where(Hero.c.age.lt(18)).values({ age: 18 }))
   * const { rows } = await session.exec(deleteFrom(Hero).where(Hero.c.age.gt(100)).returning())
   * await session.exec(insert(Hero).values({ name: bindParam('name'), secret_name: 'Dive Wilson' }), {
   *   params: { name: 'Deadpond' },
   * })
   * @throws {NotSupportedError} for `returning()` on MySQL, which has no `UPDATE`, `DELETE` or `INSERT …
   * RETURNING`.
   * @throws {InvalidQueryError} for `params` that miss an insert's bind parameter or name another one.
   * @throws {ValidationError} for an insert's row that its parameters' values make invalid: nothing is
   * written by the insert.
   */
  exec<M extends TableModel>(
    query: BulkWrite<M, true>,
    options?: ExecOptions,
  ): Promise<ReturningResult<M['Type']>>
  exec(query: BulkWrite<TableModel, false>, options?: ExecOptions): Promise<WriteResult>
  exec(query: AnySelect | BulkWrite, options?: ExecOptions): PendingResult<unknown> | Promise<WriteResult> {
    if (query instanceof BulkWrite) return settled(() => this.#write(query, options?.params))
    return new PendingResult(attempt(() => this.#select(query, options?.params)))
  }

  #write(
    query: BulkWrite,
    params: ParamValues | undefined,
  ): PromiseOrValue<WriteResult | ReturningResult<object>> {
    this.#checkOpen('exec')
    // Made first: params that do not fit, or an insert's row they make invalid, fail before the autoflush.
    const statement = bulkWriteStatement(this.engine, query, params)
    return this.#afterAutoflush(() =>
      runBulkWrite(this.engine, this.#scope, this.#rows, this.#loader, query, statement),
    )
  }

  #select(query: AnySelect, params: ParamValues | undefined): PromiseOrValue<Result<unknown>> {
    this.#checkOpen('exec')
    // Bound first: params that do not fit the select fail before the autoflush writes anything.
    const bound = queriesFor(this.engine).select(query, params)
    const read = () => this.#read(query, bound)
    // A lock outside a transaction would end with its statement: begin one, held until commit or rollback.
    const run = query.state.lock === undefined ? read : () => andThen(this.#scope.begin(), read)
    return this.#afterAutoflush(run)
  }

  #read(query: AnySelect, bound: BoundSelect): PromiseOrValue<Result<unknown>> {
    if (query.selection instanceof TableModel) {
      const table = query.selection.tableName
      return andThen(this.#loader.select(query, bound), (rows) => new Result(rows, table))
    }
    return andThen(this.#loader.items(bound), (rows) => new Result(rows, 'select(…)'))
  }

  /**
   * Runs a select and yields its rows as they are read, a chunk at a time (SQLAlchemy's `yield_per`), so
   * memory holds one chunk however many rows there are: a cursor on PostgreSQL, the open result on SQLite
   * and MySQL. Pending changes are flushed first (with autoflush), as for `exec()`.
   *
   * Rows are typed and decoded as `exec()` gives them: rows of one table model, tuples for several items,
   * values for one column. A row the Session holds is yielded as that object;
   * the others are not kept by the Session (it would hold every row read): each is persistent but in no
   * Session, as a row of a closed Session is. Change one with `session.add(row)`, then commit: what
   * changed since it was read is written.
   *
   * With no transaction open, the stream reads on a connection of its own, and the Session is free to run
   * other queries and commit meanwhile. In an open transaction it reads in that transaction, on its
   * connection, and until the loop ends the Session refuses everything but `add()` and `delete()`
   * (`OM_ORM_STREAM_OPEN`). Breaking out of the loop, or an error, ends the read and gives the connection
   * back.
   *
   * @example
   * for await (const hero of session.stream(select(Hero).where(Hero.c.age.gte(18)).orderBy(Hero.c.id))) {
   *   await report.write(`${hero.id},${hero.name}\n`) // one chunk of heroes in memory at a time
   * }
   * @throws {InvalidQueryError} for `options(selectinload(…))` and `forUpdate()`, which need every row at
   * once or a transaction held for the whole read: load relationships per row with `session.load()`, and
   * lock with `exec()` in pages. For `options.params` that miss a bind parameter or name one the select
   * has not, as `exec()`.
   */
  stream<S extends Selection, T extends string, N extends string>(
    query: Select<S, T, N, never>,
    options?: ExecOptions,
  ): AsyncGenerator<ResultOf<S, N>, void, undefined> {
    this.#checkOpen('stream')
    const refused = unstreamableError(query)
    if (refused) throw refused
    return this.#stream(query, options?.params)
  }

  async *#stream<R>(query: AnySelect, params: ParamValues | undefined): AsyncGenerator<R, void, undefined> {
    this.#checkOpen('stream')
    const bound = queriesFor(this.engine).select(query, params) // before the autoflush, as exec()'s
    if (this.#shouldAutoflush) await this.flush()
    for await (const rows of this.#loader.streamSelect(query, bound)) {
      for (const row of rows) {
        // Closing the Session ended the read: say so, rather than yield the rest of the chunk or look done.
        if (this.#closed) throw closedError('stream')
        // The row of the select's result type, ResultOf<S, N>, which stream() states.
        yield row as R
      }
    }
    if (this.#closed) throw closedError('stream')
  }

  /**
   * How many rows a query finds, ignoring its `orderBy`, `limit`, `offset` and loads: a page's total, in
   * one `SELECT count(*)`. A select with `bindParam()`s takes the params `exec()` takes (those of its
   * limit and offset too, which the count does not use).
   *
   * @example
   * const adults = select(Hero).where(Hero.c.age.gte(18))
   * const total = await session.count(adults)
   * const page = await session.exec(adults.orderBy(Hero.c.id).offset(20).limit(10)).all()
   * @throws {InvalidQueryError} for `options.params` that miss a bind parameter or name one the select
   * has not, as `exec()`.
   */
  async count<S extends Selection, T extends string, N extends string>(
    query: Select<S, T, N, never>,
    options?: ExecOptions,
  ): Promise<number> {
    this.#checkOpen('count')
    const statement = queriesFor(this.engine).count(query, options?.params)
    if (this.#shouldAutoflush) await this.flush()
    return this.#loader.count(statement)
  }

  /**
   * Reloads a row's columns from the database (SQLModel's `refresh`), and returns the same row, typed with
   * the key the database assigned it.
   *
   * @example
   * session.add(hero)               // hero.id: number | undefined
   * await session.commit()
   * const saved = await session.refresh(hero)
   * saved.id                        // number
   * @throws {SessionError} `OM_ORM_DETACHED` when the row is not persistent in this session.
   * @throws {StaleDataError} when its database row was deleted elsewhere; the row then leaves the session.
   */
  async refresh<R extends object>(row: R): Promise<Persisted<R>> {
    await this.#loader.refresh(row, this.#persistent(row, 'refresh', ''))
    // The row is persistent, so its generated key is set: what Persisted<R> says of it.
    return row as Persisted<R>
  }

  /**
   * Writes pending inserts, updates and deletes to the database inside the session's transaction, without
   * committing. Generated primary keys are set on the rows. On failure the transaction is rolled back, the
   * rows are restored to their last committed values, and the error (an `IntegrityError` for a constraint,
   * a `StaleDataError` for an update or delete that found its row deleted elsewhere, which also removes
   * that row from the session) is thrown: the session stays usable.
   */
  async flush(): Promise<void> {
    this.#checkOpen('flush')
    await this.#transactions.flush()
  }

  /**
   * Flushes, then commits the transaction. With nothing to write and no transaction open, does nothing.
   * When no transaction is open and the flush is a single statement, that statement runs on its own in
   * autocommit mode: it is atomic by itself, and the BEGIN and COMMIT round trips are saved.
   */
  commit(): Promise<void> {
    return settled(() => {
      this.#checkOpen('commit')
      // Checked here too, as for autoflush: a commit with nothing to do builds no Transactions and takes no
      // async step.
      if (!this.#scope.inTransaction && !this.#rows.mayHaveChanges) return undefined
      return this.#transactions.commit()
    })
  }

  /**
   * Rolls back the open transaction, if any, and puts every row back as the database has it: pending rows
   * leave the session, rows inserted in the transaction lose their generated key, changed rows get their
   * committed values back, and deleted rows return. Rows read inside the transaction (loaded or refreshed)
   * may hold what it wrote, so they are read again, as SQLAlchemy expires every row on rollback; one
   * that is gone, or cannot be read, leaves the session.
   */
  async rollback(): Promise<void> {
    this.#checkOpen('rollback')
    await this.#transactions.rollback()
  }

  /**
   * Opens a transaction now, for reads that must see one consistent state or writes that must go
   * together. `commit()` or `rollback()` ends it. Prefer {@link transaction}, which ends it for you.
   * @throws {SessionError} `OM_ORM_TRANSACTION` when one is already open.
   */
  async begin(): Promise<void> {
    this.#checkOpen('begin')
    if (this.#scope.inTransaction) throw transactionOpenError()
    await this.#scope.begin()
  }

  /**
   * Runs `work` in a transaction: commits when it returns, rolls back and rethrows when it throws
   * (SQLModel's `with session.begin():`). Called while a transaction is open, it runs `work` in a
   * SAVEPOINT instead (SQLAlchemy's `begin_nested()`): a failure, an `IntegrityError` of its flush
   * included, undoes only what `work` did, in the database and in memory, and the outer transaction goes on.
   *
   * @example
   * await session.transaction(async () => {
   *   session.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
   *   session.add(Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 }))
   *   const team = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })
   *   try {
   *     await session.transaction(async () => session.add(team)) // a SAVEPOINT
   *   } catch (error) {
   *     if (!(error instanceof IntegrityError)) throw error // a duplicate name undoes only the team
   *   }
   * })
   */
  async transaction<T>(work: (session: this) => Promise<T>): Promise<T> {
    this.#checkOpen('transaction')
    return this.#transactions.run(() => work(this))
  }

  /** Rolls back what was not committed, releases the connection and empties the session. */
  close(): Promise<void> {
    return settled(() => {
      if (this.#closed) return undefined
      const ending = this.#scope.endStreams()
      // Most Sessions end with no stream open and no transaction: that close takes no async step.
      if (ending || this.#scope.inTransaction) return this.#closeAfter(ending)
      this.#end()
      return undefined
    })
  }

  async #closeAfter(ending: Promise<void> | undefined): Promise<void> {
    if (ending) await ending
    if (this.#scope.inTransaction) await this.rollback()
    this.#end()
  }

  #end(): void {
    this.#closed = true
    this.#rows.clear()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close()
  }

  /** Loads what `paths` reach from `rows` and is not loaded yet: a response's nested relationships. */
  async #loadMissing(
    table: TableModel,
    paths: readonly (readonly string[])[],
    rows: readonly object[],
  ): Promise<void> {
    // Rows read by a query that ended after the Session closed are held still, by nothing that can load.
    if (this.#closed) return
    this.#checkOpen('load')
    if (this.#shouldAutoflush) await this.flush()
    await this.#loader.loadMissing(table, paths, rows, 'response')
  }

  /** The tracking record of a row persistent in this session, or an `OM_ORM_DETACHED` error for `method`. */
  #persistent(row: object, method: string, alternative: string): RowState {
    this.#checkOpen(method)
    const tracked = this.#rows.get(row)
    if (tracked && tracked.state === 'persistent') return tracked
    throw notPersistentError(tableOf(row, method), method, alternative)
  }

  /** The Session is open, and unless only rows change (`add`, `delete`), no stream holds its transaction. */
  #checkOpen(method: string, rowsOnly = false): void {
    if (this.#closed) throw closedError(method)
    if (!rowsOnly && this.#scope.streaming) throw streamOpenError(method)
  }

  /** `next()`, after a flush when autoflush is on and one may find changes; at once otherwise. */
  #afterAutoflush<T>(next: () => PromiseOrValue<T>): PromiseOrValue<T> {
    return this.#shouldAutoflush ? andThen(this.flush(), next) : next()
  }

  // Checked before calling flush(), as most reads have nothing to flush and an async call costs a promise.
  /** A query should flush first: autoflush is on and a flush may find changes (`mayHaveChanges`). */
  get #shouldAutoflush(): boolean {
    return this.#autoflush && this.#rows.mayHaveChanges
  }
}
