import type { Engine } from '../engine/engine.ts'
import { SessionError, StaleDataError } from '../errors.ts'
import type { AnyField } from '../model/field.ts'
import {
  appendedWhileUnloaded,
  assign,
  clearAppendedWhileUnloaded,
  setLoaded,
  slotOf,
  slotsOf,
  unload,
  unloadAll,
  type Relationship,
} from '../model/relationship.ts'
import { persistedState, sessionOfRow, setPersistedState, setSessionOfRow } from '../model/row.ts'
import { tableOfRow, type TableModel } from '../model/table.ts'
import type { Persisted } from '../model/types.ts'
import { toParam } from './compile.ts'
import { ConnectionScope } from './connection-scope.ts'
import { detachChildren, rankOf, selectIn } from './relationships.ts'
import { PendingResult, Result } from './result.ts'
import { relationshipOf, type LoadOption, type RelationshipNames, type Select } from './select.ts'
import { layoutOf, type Snapshot, type SnapshotLayout } from './snapshot.ts'
import { statementsFor, TableStatements } from './statements.ts'

/** Options of a {@link Session}. */
export interface SessionOptions {
  /** Flush pending changes before each query, so queries see them (SQLAlchemy's default); default `true`. */
  autoflush?: boolean
}

type Row = Record<string, unknown>

/** Options of {@link Session.get}. */
export interface GetOptions<M extends TableModel> {
  /** Relationships to load with the row: `{ options: [selectinload('team')] }`. */
  options?: readonly LoadOption<RelationshipNames<M>>[]
}

/** A foreign key to set from a relationship at flush: `child[fk] = parent[references]`, or null. */
interface Link {
  readonly child: object
  readonly relationship: Relationship
  readonly parent: object | null
}
/** What a nested transaction puts back when it fails: the rows as its SAVEPOINT found them, after a flush. */
interface Savepoint {
  readonly name: string
  readonly rows: ReadonlyMap<
    object,
    { readonly state: Tracked['state']; readonly flushed: Snapshot | undefined }
  >
  readonly touched: ReadonlySet<object>
  readonly read: ReadonlySet<object>
}

interface Tracked {
  readonly table: TableModel
  readonly layout: SnapshotLayout
  state: 'pending' | 'persistent' | 'deleted'
  /** As of the last load or flush: what dirty checking compares against. */
  flushed: Snapshot | undefined
  /** As of the last commit or load: what a rollback restores. */
  committed: Snapshot | undefined
  insertedInTransaction: boolean
}

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
  readonly #tracked = new Map<object, Tracked>()
  readonly #identity = new Map<TableModel, Map<unknown, object>>()
  #pending: object[] = []
  #deletes: object[] = []
  #touched = new Set<object>()
  /** Rows whose values were read inside the open transaction: a rollback reloads them. */
  #readInTransaction = new Set<object>()
  /** The open nested transactions, innermost last. */
  #savepoints: Savepoint[] = []
  readonly #scope: ConnectionScope
  #closed = false

  constructor(engine: Engine, options: SessionOptions = {}) {
    this.engine = engine
    this.#autoflush = options.autoflush ?? true
    this.#scope = new ConnectionScope(engine)
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
    this.#checkOpen('add')
    const tracked = this.#tracked.get(row)
    if (tracked?.state === 'deleted') throw deletedError(tracked.table, row)
    if (tracked) {
      const deleted = this.#deletes.indexOf(row)
      if (deleted >= 0) this.#deletes.splice(deleted, 1)
      return
    }
    const table = this.#tableOf(row, 'add')
    const owner = sessionOfRow(row)
    // A row in two sessions would be written by both, and one's rollback would undo the other's commit.
    if (owner instanceof Session && owner !== this && owner.#tracked.has(row)) {
      throw attachedError(table, row)
    }
    const persisted = persistedState(row)
    if (persisted === DELETED) throw deletedError(table, row)
    // A row committed by another session (the one of an earlier request) is updated here, not inserted.
    const committed = persisted as Snapshot | undefined
    if (committed !== undefined && (row as Row)[table.primaryKey] !== undefined) {
      this.#track(row, table, layoutOf(table), committed)
      return
    }
    setSessionOfRow(row, this)
    this.#tracked.set(row, {
      table,
      layout: layoutOf(table),
      state: 'pending',
      flushed: undefined,
      committed: undefined,
      insertedInTransaction: false,
    })
    this.#pending.push(row)
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
    this.#checkOpen('delete')
    const tracked = this.#tracked.get(row)
    if (!tracked || tracked.state === 'deleted') {
      const table = this.#tableOf(row, 'delete')
      throw new SessionError(
        'OM_ORM_DETACHED',
        `session.delete(): this ${table.name} is not in the Session. Load it with session.get(${table.name}, id) or add it first.`,
      )
    }
    if (tracked.state === 'pending') {
      this.#tracked.delete(row)
      this.#pending.splice(this.#pending.indexOf(row), 1)
      return
    }
    if (!this.#deletes.includes(row)) this.#deletes.push(row)
  }

  /**
   * The row of `model` with this primary key, or `undefined`. Returns the object already in the session
   * when there is one, without a query.
   *
   * @example
   * const hero = await session.get(Hero, 1)
   * if (!hero) throw new HTTPError(404, 'Hero not found')
   */
  async get<M extends TableModel>(
    model: M,
    key: M['Type'][M['primaryKey'] & keyof M['Type']],
    options?: GetOptions<M>,
  ): Promise<M['Type'] | undefined> {
    this.#checkOpen('get')
    const known = this.#identity.get(model)?.get(key)
    let row: object | undefined
    if (known) row = this.#deletes.includes(known) ? undefined : known
    else {
      if (this.#shouldAutoflush) await this.flush()
      const statements = statementsFor(this.engine, model)
      const { rows } = await this.#scope.run<unknown[]>(statements.selectByKey(key))
      row = rows.length === 0 ? undefined : this.#merge(statements, rows[0]!)
    }
    if (row && options?.options) {
      for (const load of options.options) {
        await this.#load(relationshipOf(model, load.relationship, 'session.get'), [row])
      }
    }
    return row as M['Type'] | undefined
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
    await this.#load(relationship, [row])
    return row[name]
  }

  /**
   * Runs a query. Await it for an iterable {@link Result}, or chain `.all()`, `.first()` or `.one()`.
   *
   * @example
   * const young = await session.exec(select(Hero).where(Hero.c.age.lt(30))).all()
   */
  exec<M extends TableModel>(query: Select<M>): PendingResult<M['Type']> {
    return new PendingResult(this.#select(query))
  }

  async #select<M extends TableModel>(query: Select<M>): Promise<Result<M['Type']>> {
    this.#checkOpen('exec')
    if (this.#shouldAutoflush) await this.flush()
    const statements = statementsFor(this.engine, query.model)
    const { rows } = await this.#scope.run<unknown[]>(statements.select(query))
    const merged = rows.map((raw) => this.#merge(statements, raw) as M['Type'])
    for (const load of query.state.options) {
      await this.#load(relationshipOf(query.model, load.relationship, 'select().options'), merged)
    }
    return new Result(merged, query.model.tableName)
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
    const tracked = this.#persistent(row, 'refresh', '')
    const { table } = tracked
    const statements = statementsFor(this.engine, table)
    const key = tracked.layout.keyOf(tracked.flushed!)
    const { rows } = await this.#scope.run<unknown[]>(statements.selectByKey(key))
    if (rows.length === 0) throw this.#stale(row, tracked, 'refresh', key)
    Object.assign(row, statements.hydrate(rows[0]!))
    tracked.flushed = tracked.layout.take(row as Row)
    if (this.inTransaction) this.#readInTransaction.add(row)
    else {
      tracked.committed = tracked.flushed
      setPersistedState(row, tracked.flushed)
    }
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
    await this.#flushWith(this.#syncRelationships(), this.#dirty())
  }

  /** Writes what {@link flush} found to write: `deferred` relationship work and the `dirty` rows. */
  async #flushWith(deferred: Map<object, Link[]> | undefined, dirty: [object, string[]][]): Promise<void> {
    if (
      this.#pending.length === 0 &&
      dirty.length === 0 &&
      this.#deletes.length === 0 &&
      deferred === undefined
    ) {
      this.#relationshipsFlushed()
      return
    }
    try {
      // Inside the try: when the transaction cannot even begin (a locked SQLite file, a lost server), the
      // session is rolled back as after any failed flush, so what it holds afterwards is predictable.
      await this.#scope.begin()
      await this.#write(dirty, deferred)
    } catch (error) {
      // Inside a nested transaction, only its own work is undone, as SQLAlchemy's begin_nested does.
      const savepoint = this.#savepoints.at(-1)
      if (savepoint && this.#scope.inTransaction) await this.#rollbackTo(savepoint)
      else await this.rollback()
      throw error
    }
  }

  /**
   * Flushes, then commits the transaction. With nothing to write and no transaction open, does nothing.
   * When no transaction is open and the flush is a single statement, that statement runs on its own in
   * autocommit mode: it is atomic by itself, and the BEGIN and COMMIT round trips are saved.
   */
  async commit(): Promise<void> {
    this.#checkOpen('commit')
    const deferred = this.#syncRelationships()
    const dirty = this.#dirty()
    if (!this.#scope.inTransaction) {
      const statements = this.#pending.length + dirty.length + this.#deletes.length
      if (statements === 0 && deferred === undefined) return this.#relationshipsFlushed()
      // A deleted parent may need its children detached first: that is two statements.
      const oneStatement =
        statements === 1 && deferred === undefined && (this.#deletes.length === 0 || !this.#detaches())
      if (oneStatement) return this.#commitOneStatement(dirty)
    }
    await this.#flushWith(deferred, dirty)
    if (!this.#scope.inTransaction) return
    await this.#scope.commit()
    this.#savepoints = []
    this.#markCommitted()
  }

  async #commitOneStatement(dirty: [object, string[]][]): Promise<void> {
    try {
      await this.#scope.autocommit(() => this.#write(dirty))
    } catch (error) {
      await this.rollback()
      throw error
    }
    this.#markCommitted()
  }

  /**
   * Runs the updates of `dirty` rows, the pending inserts and the pending deletes. Table by table, parents
   * before children (the foreign keys decide the order, whether or not relationships link the tables),
   * the updates of a table run before its inserts, as in SQLAlchemy's unit of work: a unique value renamed
   * on one row is free for a new row of the same flush. Deletes run last, children before parents. The
   * foreign keys that wait for a new parent's generated key (`deferred`) are set once it has one.
   */
  async #write(dirty: [object, string[]][], deferred?: Map<object, Link[]>): Promise<void> {
    const pending = this.#pending.sort((a, b) => this.#rank(a) - this.#rank(b))
    const last = Math.max(
      this.#maxRank(pending),
      this.#maxRank(dirty.map(([row]) => row)),
      this.#maxRank(deferred ? [...deferred.keys()] : []),
    )
    for (let rank = 0; rank <= last; rank++) {
      if (deferred && this.#linkPersistent(deferred)) dirty = this.#dirty()
      for (const [row, changed] of dirty) {
        if (this.#rank(row) === rank) await this.#update(row, changed)
      }
      for (const row of pending) {
        if (this.#rank(row) !== rank) continue
        const links = deferred?.get(row)
        if (links) {
          deferred!.delete(row)
          applyLinks(links)
        }
        await this.#insert(row)
      }
    }
    this.#pending = []
    // A key that waited for a parent inserted at its own rank (a table that references itself).
    if (deferred && this.#linkPersistent(deferred)) {
      for (const [row, changed] of this.#dirty()) await this.#update(row, changed)
    }
    const deletes = this.#deletes.sort((a, b) => this.#rank(b) - this.#rank(a))
    this.#deletes = []
    for (const row of deletes) await this.#delete(row)
    this.#relationshipsFlushed()
  }

  /** The deepest rank of `rows`' tables, -1 for none. */
  #maxRank(rows: readonly object[]): number {
    let max = -1
    for (const row of rows) max = Math.max(max, this.#rank(row))
    return max
  }

  /**
   * Sets the `deferred` foreign keys of rows already in the database whose parent now has its key;
   * true when any was set, so the rows' updates must be found again.
   */
  #linkPersistent(deferred: Map<object, Link[]>): boolean {
    let linked = false
    for (const [child, links] of deferred) {
      if (this.#tracked.get(child)!.state !== 'persistent' || !applyLinks(links)) continue
      deferred.delete(child)
      linked = true
    }
    return linked
  }

  /** What the transaction wrote is now the committed state of its rows. */
  #markCommitted(): void {
    for (const row of this.#touched) {
      const tracked = this.#tracked.get(row)!
      tracked.insertedInTransaction = false
      if (tracked.state === 'deleted') {
        this.#tracked.delete(row)
        setPersistedState(row, DELETED)
      } else {
        tracked.committed = tracked.flushed
        setPersistedState(row, tracked.flushed)
      }
    }
    this.#touched.clear()
    // What the transaction read is committed with it; rows it only read keep the values they were given.
    for (const row of this.#readInTransaction) {
      const tracked = this.#tracked.get(row)
      if (tracked) tracked.committed = tracked.flushed
    }
    this.#readInTransaction.clear()
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
    await this.#scope.rollback()
    this.#pending = []
    this.#deletes = []
    this.#savepoints = []
    for (const [row, tracked] of this.#tracked) {
      if (tracked.state === 'pending') {
        this.#tracked.delete(row)
        continue
      }
      // Loaded relationships may no longer match the database: they read as not loaded again.
      if (!tracked.insertedInTransaction) unloadAll(row)
      if (tracked.insertedInTransaction) {
        this.#forgetInserted(row, tracked)
        continue
      }
      if (tracked.state === 'deleted') {
        tracked.state = 'persistent'
        this.#identityOf(tracked.table).set(tracked.layout.keyOf(tracked.committed!), row)
      }
      tracked.layout.restore(row as Row, tracked.committed!)
      tracked.flushed = tracked.committed
    }
    this.#touched.clear()
    const reread = [...this.#readInTransaction].filter((row) => this.#tracked.has(row))
    this.#readInTransaction.clear()
    if (reread.length > 0) await this.#reload(reread)
  }

  /**
   * Reads `rows` again after a rollback: their values, what dirty checking compares against and what they
   * carry to a later session. A row no longer in the database leaves the session; when they cannot be
   * read (a lost connection), they all leave it, with no committed state, rather than keep values the
   * database may not have.
   */
  async #reload(rows: readonly object[]): Promise<void> {
    const byTable = new Map<TableModel, Map<unknown, object>>()
    for (const row of rows) {
      const { table } = this.#tracked.get(row)!
      let byKey = byTable.get(table)
      if (!byKey) byTable.set(table, (byKey = new Map()))
      byKey.set((row as Row)[table.primaryKey], row)
    }
    try {
      for (const [table, byKey] of byTable) await this.#reloadTable(table, byKey)
    } catch {
      // Not rethrown: the rollback itself succeeded, and a failed flush rethrows its own error after it.
    }
    for (const byKey of byTable.values()) {
      for (const row of byKey.values()) {
        this.#forget(row, this.#tracked.get(row)!)
        setPersistedState(row, undefined)
      }
    }
  }

  /** Reads the rows of `table` in `byKey` again, removing from it each one found. */
  async #reloadTable(table: TableModel, byKey: Map<unknown, object>): Promise<void> {
    const statements = statementsFor(this.engine, table)
    // Persistent rows have a key: none of them is null or undefined.
    const keys = [...byKey.keys()] as NonNullable<unknown>[]
    for (const query of selectIn(this.engine, table, table.primaryKey, keys)) {
      for (const raw of (await this.#scope.run<unknown[]>(query)).rows) {
        const values = statements.hydrate(raw)
        const row = byKey.get(values[table.primaryKey])!
        byKey.delete(values[table.primaryKey])
        Object.assign(row, values)
        const tracked = this.#tracked.get(row)!
        tracked.committed = statements.rawIsSnapshot ? raw : tracked.layout.take(values)
        tracked.flushed = tracked.committed
        setPersistedState(row, tracked.committed)
      }
    }
  }

  /**
   * Opens a transaction now, for reads that must see one consistent state or writes that must go
   * together. `commit()` or `rollback()` ends it. Prefer {@link transaction}, which ends it for you.
   * @throws {SessionError} `OM_ORM_TRANSACTION` when one is already open.
   */
  async begin(): Promise<void> {
    this.#checkOpen('begin')
    if (this.#scope.inTransaction) {
      throw new SessionError(
        'OM_ORM_TRANSACTION',
        'session.begin(): a transaction is already open. Commit or roll it back first.',
      )
    }
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
    if (this.#scope.inTransaction) return this.#nested(work)
    await this.begin()
    try {
      const result = await work(this)
      await this.commit()
      return result
    } catch (error) {
      if (!this.#closed) await this.rollback()
      throw error
    }
  }

  /**
   * Runs `work` in a SAVEPOINT of the open transaction (SQLAlchemy's `begin_nested()`): pending work is
   * flushed first, then a failure of `work`, or of its flush, rolls back to the savepoint, in the database
   * and in memory, and is rethrown; the outer transaction goes on.
   */
  async #nested<T>(work: (session: this) => Promise<T>): Promise<T> {
    await this.flush()
    const transaction = this.#scope.transaction
    const savepoint = this.#savepoint(`onemodel_savepoint_${this.#savepoints.length + 1}`)
    await this.#scope.savepoint(savepoint.name)
    this.#savepoints.push(savepoint)
    try {
      const result = await work(this)
      if (this.#scope.transaction !== transaction) return result // work committed or rolled back the whole transaction
      await this.flush()
      await this.#scope.releaseSavepoint(savepoint.name)
      return result
    } catch (error) {
      // Still open unless a failed flush already rolled back to it, or the whole transaction ended.
      if (this.#savepoints.at(-1) === savepoint && this.#scope.transaction === transaction) {
        await this.#rollbackTo(savepoint)
      }
      throw error
    } finally {
      const at = this.#savepoints.indexOf(savepoint)
      if (at >= 0) this.#savepoints.length = at
    }
  }

  /** The session's rows as they are now, flushed: what {@link #rollbackTo} puts back. */
  #savepoint(name: string): Savepoint {
    const rows = new Map<object, { state: Tracked['state']; flushed: Snapshot | undefined }>()
    for (const [row, tracked] of this.#tracked)
      rows.set(row, { state: tracked.state, flushed: tracked.flushed })
    return { name, rows, touched: new Set(this.#touched), read: new Set(this.#readInTransaction) }
  }

  /**
   * Rolls back to `savepoint` and puts the rows back as it found them: rows added or inserted since leave
   * the session (an inserted row loses its generated key), changed and deleted rows get their values back,
   * and rows first loaded since are read again. The savepoint ends.
   */
  async #rollbackTo(savepoint: Savepoint): Promise<void> {
    this.#savepoints.length = this.#savepoints.indexOf(savepoint)
    await this.#scope.rollbackToSavepoint(savepoint.name)
    this.#pending = []
    this.#deletes = []
    const reread: object[] = []
    for (const [row, tracked] of this.#tracked) {
      const before = savepoint.rows.get(row)
      if (before === undefined) {
        if (tracked.state === 'pending') this.#tracked.delete(row)
        else if (tracked.insertedInTransaction) this.#forgetInserted(row, tracked)
        else reread.push(row)
        continue
      }
      if (tracked.state === 'pending' || before.flushed === undefined) continue
      unloadAll(row)
      const identity = this.#identityOf(tracked.table)
      if (tracked.state === 'persistent') identity.delete(tracked.layout.keyOf(tracked.flushed!))
      tracked.state = before.state
      if (before.state === 'persistent') identity.set(tracked.layout.keyOf(before.flushed), row)
      tracked.layout.restore(row as Row, before.flushed)
      tracked.flushed = before.flushed
    }
    this.#touched = new Set(savepoint.touched)
    this.#readInTransaction = new Set([...savepoint.read, ...reread])
    if (reread.length > 0) await this.#reload(reread)
  }

  /** Rolls back what was not committed, releases the connection and empties the session. */
  async close(): Promise<void> {
    if (this.#closed) return
    if (this.#scope.inTransaction) await this.rollback()
    this.#closed = true
    this.#tracked.clear()
    this.#identity.clear()
    this.#pending = []
    this.#deletes = []
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  // --- internals -------------------------------------------------------------------------------

  /** The tracking record of a row persistent in this session, or an `OM_ORM_DETACHED` error for `method`. */
  #persistent(row: object, method: string, alternative: string): Tracked {
    this.#checkOpen(method)
    const tracked = this.#tracked.get(row)
    if (tracked && tracked.state === 'persistent') return tracked
    const table = this.#tableOf(row, method)
    throw new SessionError(
      'OM_ORM_DETACHED',
      `session.${method}(): this ${table.name} is not persistent in the Session. Add it and commit (or flush) first${alternative}.`,
    )
  }

  #checkOpen(method: string): void {
    if (this.#closed) {
      throw new SessionError(
        'OM_ORM_SESSION_CLOSED',
        `session.${method}(): the Session is closed. Create a new Session(engine).`,
      )
    }
  }

  #tableOf(row: object, method: string): TableModel {
    const table = typeof row === 'object' && row !== null ? tableOfRow(row) : undefined
    if (!table) {
      throw new SessionError(
        'OM_ORM_NOT_A_ROW',
        `session.${method}(): the object is not a row of a table model. Create rows with Hero.create({...}) or Hero.validate(data), where Hero = table('hero', …).`,
      )
    }
    return table
  }

  #identityOf(table: TableModel): Map<unknown, object> {
    let map = this.#identity.get(table)
    if (!map) this.#identity.set(table, (map = new Map()))
    return map
  }

  #track(row: object, table: TableModel, layout: SnapshotLayout, state: Snapshot): void {
    const key = layout.keyOf(state)
    const identity = this.#identityOf(table)
    const existing = identity.get(key)
    if (existing && existing !== row) {
      throw new SessionError(
        'OM_ORM_DETACHED',
        `session.add(): another ${table.name} with ${table.primaryKey}=${String(key)} is already in this Session. Change that object instead of adding a copy.`,
      )
    }
    identity.set(key, row)
    setSessionOfRow(row, this)
    this.#tracked.set(row, {
      table,
      layout,
      state: 'persistent',
      flushed: state,
      committed: state,
      insertedInTransaction: false,
    })
  }

  /** A row inserted by a transaction that was rolled back leaves the session, without its generated key. */
  #forgetInserted(row: object, tracked: Tracked): void {
    this.#forget(row, tracked)
    if (tracked.table.primaryKeyField.isGenerated) (row as Row)[tracked.table.primaryKey] = undefined
  }

  /** The row leaves the session: no longer tracked, found by its key, or written by the next flush. */
  #forget(row: object, tracked: Tracked): void {
    this.#tracked.delete(row)
    this.#touched.delete(row)
    this.#readInTransaction.delete(row)
    const deleted = this.#deletes.indexOf(row)
    if (deleted >= 0) this.#deletes.splice(deleted, 1)
    const key = tracked.flushed && tracked.layout.keyOf(tracked.flushed)
    if (this.#identity.get(tracked.table)?.get(key) === row) this.#identity.get(tracked.table)!.delete(key)
  }

  /** The object for a database row: the one already in the session, or a new tracked one. */
  #merge(statements: TableStatements, raw: readonly unknown[]): object {
    const { table, layout } = statements
    const existing = this.#identity.get(table)?.get(layout.keyOf(raw))
    if (existing) return existing
    const row = statements.hydrate(raw)
    const state = statements.rawIsSnapshot ? raw : layout.take(row)
    this.#track(row, table, layout, state)
    setPersistedState(row, state)
    if (this.#scope.inTransaction) this.#readInTransaction.add(row)
    return row
  }

  // Checked before calling flush(), as most reads have nothing to flush and an async call costs a promise.
  /** A query should flush first: autoflush is on and the session holds rows. */
  get #shouldAutoflush(): boolean {
    return this.#autoflush && this.#tracked.size > 0
  }

  #dirty(): [object, string[]][] {
    const dirty: [object, string[]][] = []
    for (const [row, tracked] of this.#tracked) {
      if (tracked.state !== 'persistent' || this.#deletes.includes(row)) continue
      const changed = tracked.layout.changedKeys(row as Row, tracked.flushed!)
      if (changed.length > 0) dirty.push([row, changed])
    }
    return dirty
  }

  async #insert(row: object): Promise<void> {
    const tracked = this.#tracked.get(row)!
    const { table } = tracked
    const values = row as Row
    const columns: string[] = []
    const params: unknown[] = []
    for (const key in table.fields) {
      if (values[key] === undefined) continue
      columns.push(key)
      params.push(toParam(table.fields[key]!, values[key]))
    }
    const statements = statementsFor(this.engine, table)
    const result = await this.#scope.run<Row>(statements.insert(columns, params))
    const key = table.primaryKey
    if (values[key] === undefined) {
      values[key] = this.engine.dialect.supportsReturning ? result.rows[0]![key] : Number(result.insertId)
    }
    tracked.state = 'persistent'
    tracked.flushed = tracked.layout.take(values)
    tracked.insertedInTransaction = true
    this.#identityOf(table).set(values[key], row)
    this.#touched.add(row)
  }

  async #update(row: object, changed: string[]): Promise<void> {
    const tracked = this.#tracked.get(row)!
    const { table } = tracked
    const values = row as Row
    const oldKey = tracked.layout.keyOf(tracked.flushed!)
    const params = changed.map((key) => toParam(table.fields[key]!, values[key]))
    params.push(oldKey)
    const result = await this.#scope.run(statementsFor(this.engine, table).update(changed, params))
    if (TableStatements.affected(result) === 0) throw this.#stale(row, tracked, 'UPDATE', oldKey)
    const newKey = values[table.primaryKey]
    if (newKey !== oldKey) {
      this.#identityOf(table).delete(oldKey)
      this.#identityOf(table).set(newKey, row)
    }
    tracked.flushed = tracked.layout.take(values)
    this.#touched.add(row)
  }

  /**
   * The error for a row whose database row another session or process deleted, found by a refresh or by
   * a write by key that matched no row (SQLAlchemy's unit of work checks the same count). The row leaves
   * the session, so the rollback that follows a failed flush does not bring it back. MySQL counts the rows
   * an UPDATE matched, not only those it changed (the driver asks for FOUND_ROWS), so an UPDATE writing
   * the values a row already has is not taken for a deleted row.
   */
  #stale(row: object, tracked: Tracked, by: 'refresh' | 'UPDATE' | 'DELETE', key: unknown): StaleDataError {
    this.#forget(row, tracked)
    const { table } = tracked
    const which = `${table.name} with ${table.primaryKey}=${String(key)}`
    const found =
      by === 'refresh'
        ? `session.refresh(): ${which} is no longer in table "${table.tableName}": another session or process deleted it.`
        : `session.flush(): the ${by} of ${which} matched no row: another session or process deleted it. The transaction was rolled back.`
    return new StaleDataError(
      `${found} The ${table.name} has left this Session; session.get() reads the database again.`,
      table.name,
      key,
    )
  }

  async #delete(row: object): Promise<void> {
    const tracked = this.#tracked.get(row)!
    const { table } = tracked
    const key = tracked.layout.keyOf(tracked.flushed!)
    const statements = statementsFor(this.engine, table)
    // Detaching the children first makes the delete two statements. Two sessions deleting one parent would
    // lock its children's rows and then wait for each other at the parent (a deadlock on MySQL): locking
    // the parent's row first makes the second wait there, and then find the row gone.
    if (this.engine.dialect.supportsRowLocks && detachesChildren(table)) {
      const { rows } = await this.#scope.run(statements.lockByKey(key))
      if (rows.length === 0) throw this.#stale(row, tracked, 'DELETE', key)
    }
    if (table.relationships.size > 0) await this.#beforeDelete(row, tracked)
    const result = await this.#scope.run(statements.deleteByKey(key))
    if (TableStatements.affected(result) === 0) throw this.#stale(row, tracked, 'DELETE', key)
    this.#identityOf(table).delete(key)
    tracked.state = 'deleted'
    this.#touched.add(row)
  }

  // --- relationships ---------------------------------------------------------------------------

  #rank(row: object): number {
    return rankOf(this.#tracked.get(row)!.table)
  }

  /** Some pending delete is of a parent whose children the Session detaches first. */
  #detaches(): boolean {
    return this.#deletes.some((row) => detachesChildren(this.#tracked.get(row)!.table))
  }

  /**
   * Turns relationship changes into foreign key values, as SQLAlchemy's unit of work does: rows pushed to
   * or removed from a collection, and many-to-one values that were assigned. Rows reached this way are
   * added to the session (SQLAlchemy's save-update cascade), including a new child given a parent of the
   * session whose collection is not loaded. A key that waits for a new parent's generated
   * key is returned, by child, for {@link #write} to set after the parent's insert.
   */
  #syncRelationships(): Map<object, Link[]> | undefined {
    const links: Link[] = []
    // Collections first: a child pushed to team.heroes gets hero.team = team, which the second pass reads.
    for (const [row, tracked] of this.#tracked) {
      if (tracked.state === 'deleted' || tracked.table.relationships.size === 0) continue
      // A child given this parent while its collection was not loaded (hero.team = team) is in no list.
      const appended = appendedWhileUnloaded(row)
      if (appended) for (const child of appended) if (!this.#tracked.has(child)) this.add(child)
      const slots = slotsOf(row)
      if (!slots) continue
      for (const [name, slot] of slots) {
        const relationship = tracked.table.relationships.get(name)!
        if (relationship.kind !== 'many') continue
        const current = slot.current as object[]
        const before = slot.flushed as object[]
        const back = relationship.backPopulates
        for (const child of current) {
          if (before.includes(child)) continue
          if (!this.#tracked.has(child)) this.add(child)
          if (back) {
            if (slotOf(child, back.name)?.current !== row) assign(back, child, row)
          } else links.push({ child, relationship, parent: row })
        }
        for (const child of before) {
          if (current.includes(child)) continue
          if (back) {
            const childSlot = slotOf(child, back.name)
            if (!childSlot || childSlot.current === row) assign(back, child, null)
          } else links.push({ child, relationship, parent: null })
        }
      }
    }
    for (const [row, tracked] of this.#tracked) {
      if (tracked.state === 'deleted' || tracked.table.relationships.size === 0) continue
      const slots = slotsOf(row)
      if (!slots) continue
      for (const [name, slot] of slots) {
        const relationship = tracked.table.relationships.get(name)!
        if (relationship.kind !== 'one' || slot.current === slot.flushed) continue
        const parent = slot.current as object | null
        if (parent && !this.#tracked.has(parent)) this.add(parent)
        links.push({ child: row, relationship, parent })
      }
    }
    let deferred: Map<object, Link[]> | undefined
    for (const link of links) {
      if (applyLinks([link])) continue
      deferred ??= new Map()
      const list = deferred.get(link.child)
      if (list) list.push(link)
      else deferred.set(link.child, [link])
    }
    return deferred
  }

  /**
   * After a flush, what each loaded relationship holds is what the database has. A foreign key column set
   * directly (`hero.team_id = 2`) moves the row between the loaded collections and sets its many-to-one
   * to the parent in the session, or unloads it when that parent is not in the session.
   */
  #relationshipsFlushed(): void {
    for (const row of this.#touched) {
      const tracked = this.#tracked.get(row)
      if (!tracked || tracked.state === 'deleted') continue
      for (const relationship of tracked.table.relationships.values()) {
        if (relationship.kind !== 'one') continue
        const key = (row as Row)[relationship.foreignKey]
        const current = slotOf(row, relationship.name)?.current as Row | null | undefined
        if (current === undefined && (key === null || key === undefined)) continue
        if (
          current !== undefined &&
          (current === null ? key === null : current[relationship.references] === key)
        ) {
          continue
        }
        const parent =
          key === null || key === undefined
            ? null
            : relationship.references === relationship.parent.primaryKey
              ? this.#identity.get(relationship.parent)?.get(key)
              : undefined
        if (parent === undefined) {
          if (current) assign(relationship, row, null)
          unload(row, relationship.name)
        } else assign(relationship, row, parent)
      }
    }
    for (const [row, tracked] of this.#tracked) {
      if (tracked.table.relationships.size === 0) continue
      clearAppendedWhileUnloaded(row)
      const slots = slotsOf(row)
      if (!slots) continue
      for (const slot of slots.values()) {
        slot.flushed = Array.isArray(slot.current) ? [...slot.current] : slot.current
      }
    }
  }

  /**
   * Before a parent row is deleted, its children follow their foreign key's `onDelete`: with none, the
   * Session sets their key to null first (SQLModel's default); with 'set null' or 'cascade' the database
   * acts and the Session updates the children it holds; with 'restrict' the database refuses. A deleted
   * child leaves its parent's loaded collection.
   */
  async #beforeDelete(row: object, tracked: Tracked): Promise<void> {
    for (const relationship of tracked.table.relationships.values()) {
      if (relationship.kind === 'one') {
        const parent = slotOf(row, relationship.name)?.current as object | null | undefined
        const back = relationship.backPopulates
        if (!parent || !back) continue
        const collection = slotOf(parent, back.name)
        if (!collection) continue
        for (const list of [collection.current, collection.flushed] as object[][]) {
          const at = list.indexOf(row)
          if (at >= 0) list.splice(at, 1)
        }
        continue
      }
      const key = tracked.layout.valueOf(tracked.flushed!, relationship.references)
      const { onDelete, foreignKey, child } = relationship
      if (onDelete === 'restrict' || key === null || key === undefined) continue
      if (onDelete === undefined) await this.#scope.run(detachChildren(this.engine, relationship, key))
      const children = [...(this.#identity.get(child)?.values() ?? [])].filter(
        (c) => (c as Row)[foreignKey] === key,
      )
      for (const childRow of children) {
        const childTracked = this.#tracked.get(childRow)!
        if (onDelete === 'cascade') {
          this.#identityOf(child).delete(childTracked.layout.keyOf(childTracked.flushed!))
          childTracked.state = 'deleted'
        } else {
          ;(childRow as Row)[foreignKey] = null
          childTracked.flushed = childTracked.layout.with(childTracked.flushed!, foreignKey, null)
          const back = relationship.backPopulates
          if (back) setLoaded(childRow, back.name, null)
        }
        this.#touched.add(childRow)
      }
    }
  }

  /**
   * Loads `relationship` for `rows` with one query per 500 keys: the children whose foreign key is one of
   * the rows' keys, or the parents the rows' foreign keys name (those already in the session need none).
   */
  async #load(relationship: Relationship, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return
    const { foreignKey, references, name } = relationship
    const back = relationship.backPopulates
    if (relationship.kind === 'many') {
      const keys = distinctKeys(rows, references)
      const groups = new Map<unknown, object[]>()
      const statements = statementsFor(this.engine, relationship.child)
      for (const query of selectIn(this.engine, relationship.child, foreignKey, keys)) {
        for (const raw of (await this.#scope.run<unknown[]>(query)).rows) {
          const child = this.#merge(statements, raw) as Row
          const group = groups.get(child[foreignKey])
          if (group) group.push(child)
          else groups.set(child[foreignKey], [child])
        }
      }
      for (const row of rows) {
        const children = groups.get((row as Row)[references]) ?? []
        setLoaded(row, name, children)
        if (back) for (const child of children) setLoaded(child, back.name, row)
      }
      return
    }
    const parentTable = relationship.parent
    const found = new Map<unknown, object>()
    let missing = distinctKeys(rows, foreignKey)
    if (references === parentTable.primaryKey) {
      const identity = this.#identity.get(parentTable)
      missing = missing.filter((key) => {
        const known = identity?.get(key)
        if (known && !this.#deletes.includes(known)) found.set(key, known)
        return !known
      })
    }
    const statements = statementsFor(this.engine, parentTable)
    for (const query of selectIn(this.engine, parentTable, references, missing)) {
      for (const raw of (await this.#scope.run<unknown[]>(query)).rows) {
        const parent = this.#merge(statements, raw) as Row
        found.set(parent[references], parent)
      }
    }
    for (const row of rows) {
      const key = (row as Row)[foreignKey]
      setLoaded(row, name, key === null || key === undefined ? null : (found.get(key) ?? null))
    }
  }
}

/** The persisted state of a row whose deletion was committed: it cannot be added again. */
const DELETED: unique symbol = Symbol('deleted')

/**
 * The error for adding a deleted row (SQLAlchemy's "Instance has been deleted"): the object still holds
 * the key of a row that no longer exists, so neither an UPDATE nor an INSERT of it is what was meant.
 */
function deletedError(table: TableModel, row: object): SessionError {
  const key = (row as Row)[table.primaryKey]
  return new SessionError(
    'OM_ORM_DELETED',
    `session.add(): this ${table.name} with ${table.primaryKey}=${String(key)} was deleted. To insert its values again, add a new row: ${table.name}.create({ ...row }).`,
  )
}

/**
 * The error for adding a row that another open Session holds (SQLAlchemy's "Object is already attached
 * to session"): both would write it, and either one's rollback would put back values the other wrote.
 */
function attachedError(table: TableModel, row: object): SessionError {
  const key = (row as Row)[table.primaryKey]
  const which =
    key === undefined ? `new ${table.name}` : `${table.name} with ${table.primaryKey}=${String(key)}`
  return new SessionError(
    'OM_ORM_ATTACHED',
    `session.add(): this ${which} is already in another open Session. Close that Session first, or load the row in this one with session.get(${table.name}, id).`,
  )
}

/** Before a row of `table` is deleted, the Session sets its children's foreign key to null (no `onDelete`). */
function detachesChildren(table: TableModel): boolean {
  for (const relationship of table.relationships.values()) {
    if (relationship.kind === 'many' && relationship.onDelete === undefined) return true
  }
  return false
}

/** Sets each link's foreign key; false when a parent has no key yet (it is inserted in this flush). */
function applyLinks(links: readonly Link[]): boolean {
  for (const { child, relationship, parent } of links) {
    const value = parent === null ? null : (parent as Row)[relationship.references]
    if (value === undefined) return false
    ;(child as Row)[relationship.foreignKey] = value
  }
  return true
}

/** The distinct non-null values of `column` in `rows`. */
function distinctKeys(rows: readonly object[], column: string): NonNullable<unknown>[] {
  const keys = new Set<NonNullable<unknown>>()
  for (const row of rows) {
    const key = (row as Row)[column]
    if (key !== null && key !== undefined) keys.add(key)
  }
  return [...keys]
}
