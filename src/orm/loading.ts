import type { Engine } from '../engine/engine.ts'
import { andThen, type PromiseOrValue } from '../engine/promise-or-value.ts'
import type { Statement } from '../engine/statement.ts'
import type { Relationship } from '../model/relationship.ts'
import { observe } from '../model/row.ts'
import { TableModel } from '../model/table.ts'
import type { ConnectionScope } from './connection-scope.ts'
import { RelationshipLoader } from './relationship-loading.ts'
import { selectByKeys } from './relationships.ts'
import type { BoundSelect, ItemReader } from './query-statements.ts'
import type { Selection } from './select-types.ts'
import type { LoadOption } from './load-option.ts'
import type { Select } from './select.ts'
import type { TableStatements } from './statements.ts'
import { statementsFor } from './statements.ts'
import { RowState } from './row-state.ts'
import { staleError } from './session-errors.ts'
import type { TrackedRows } from './tracked-rows.ts'

type Row = Record<string, unknown>

/**
 * Rows a stream reads at a time: a FETCH on PostgreSQL. Large enough that the round trips cost little
 * beside the rows, small enough that a chunk of wide rows stays a few megabytes.
 */
const STREAM_CHUNK_SIZE = 1000

/**
 * How database rows become the Session's objects: a row read is merged into the identity map (the object
 * already held, or a new tracked one); the results of selects of several items and of streams are read;
 * relationships are loaded for many rows at once (by a {@link RelationshipLoader}); and rows are read
 * again after a rollback.
 *
 * @example
 * const loader = new Loader(engine, scope, rows)
 * const heroes = raws.map((raw) => loader.merge(statementsFor(engine, Hero), raw))
 * await loader.load(Hero.relationships.get('team')!, heroes)
 */
export class Loader {
  readonly #engine: Engine
  readonly #scope: ConnectionScope
  readonly #rows: TrackedRows
  #relationshipsMade: RelationshipLoader | undefined

  constructor(engine: Engine, scope: ConnectionScope, rows: TrackedRows) {
    this.#engine = engine
    this.#scope = scope
    this.#rows = rows
  }

  /** The loader of relationships, made at the first load: most requests load none. */
  get #relationships(): RelationshipLoader {
    return (this.#relationshipsMade ??= new RelationshipLoader(
      this.#engine,
      this.#scope,
      this.#rows,
      (statements, raw) => this.merge(statements, raw),
    ))
  }

  /** The row of `table` whose key fields have the values `key`, in key order, or `undefined`. */
  byKey(table: TableModel, key: readonly unknown[]): PromiseOrValue<object | undefined> {
    const statements = statementsFor(this.#engine, table)
    return andThen(this.#scope.run<unknown[]>(statements.selectByKey(key)), ({ rows }) =>
      rows.length === 0 ? undefined : this.merge(statements, rows[0]!),
    )
  }

  /** The rows `query` selects, its statement bound as `bound`, with the relationships its options load. */
  select<M extends TableModel>(
    query: Select<M, string, string, string>,
    { statement }: BoundSelect,
  ): PromiseOrValue<M['Type'][]> {
    const statements = statementsFor(this.#engine, query.selection)
    return andThen(this.#scope.run<unknown[]>(statement), ({ rows }) => {
      const merged = rows.map((raw) => this.merge(statements, raw) as M['Type'])
      if (query.state.options.length === 0) return merged
      return andThen(
        this.loadOptions(query.selection, query.state.options, merged, 'select().options'),
        () => merged,
      )
    })
  }

  /**
   * The result rows of a select of several items, or of columns and expressions: a tuple per row (rows of
   * tables merged as {@link select}'s are, `null` for a left join that found none), or the value itself
   * for one item.
   */
  items({ statement, items }: BoundSelect): PromiseOrValue<unknown[]> {
    return andThen(this.#scope.run<unknown[]>(statement), ({ rows }) => {
      const results = new Array<unknown>(rows.length)
      // Each table's rows by key, found once for all the rows (nothing below awaits, so none is cleared).
      const held = items.map((item) => this.#heldOf(item))
      for (let i = 0; i < rows.length; i++) {
        const raw = rows[i]!
        if (items.length === 1) results[i] = this.#read(items[0]!, raw, held[0]!, true)
        else {
          const tuple = new Array<unknown>(items.length)
          for (let j = 0; j < items.length; j++) tuple[j] = this.#read(items[j]!, raw, held[j]!, true)
          results[i] = tuple
        }
      }
      return results
    })
  }

  /** The rows the Session holds of `item`'s table, by key; none for a value. */
  #heldOf(item: ItemReader): ReadonlyMap<unknown, object> {
    return item.kind === 'entity' ? this.#rows.identity.of(item.statements.table) : NONE_HELD
  }

  /** One item of a result row; a table's row is kept by the Session with `keep`, else {@link detached}. */
  #read(
    item: ItemReader,
    raw: readonly unknown[],
    byKey: ReadonlyMap<unknown, object>,
    keep: boolean,
  ): unknown {
    if (item.kind === 'value') {
      const value = raw[item.index]
      return value === null || value === undefined || item.decode === undefined ? value : item.decode(value)
    }
    const { statements, start } = item
    // A key field is never null in a row of the table: null there is a left join that found none.
    if (raw[item.key] === null || raw[item.key] === undefined) return null
    // A row held already (the team of many heroes) needs no copy of its columns.
    const held = byKey.get(statements.layout.keyAt(raw, start))
    if (held) return held
    const state = readRow(statements, raw.slice(start, start + item.width))
    if (keep) this.#keep(state)
    else state.state = 'persistent'
    return state.row
  }

  /**
   * The result rows of `query`, read a chunk at a time as they are asked for (see `Session.stream`): rows
   * of tables are the ones the Session holds, or else {@link detached} ones; a select of several items
   * gives tuples, as {@link items} does.
   */
  streamSelect(
    query: Select<Selection, string, string, string>,
    { statement, items }: BoundSelect,
  ): AsyncGenerator<Iterable<unknown>> {
    if (query.selection instanceof TableModel) {
      const statements = statementsFor(this.#engine, query.selection)
      return this.stream(statement, (raw) => this.detached(statements, raw))
    }
    // Found per row: the Session may be cleared between the chunks of a stream.
    const read = (item: ItemReader, raw: readonly unknown[]) =>
      this.#read(item, raw, this.#heldOf(item), false)
    if (items.length === 1) return this.stream(statement, (raw) => read(items[0]!, raw))
    return this.stream(statement, (raw) => items.map((item) => read(item, raw)))
  }

  /**
   * The rows of `statement`, read as arrays, a chunk at a time: memory holds one chunk, whatever the
   * result's size. Each chunk is an iterable that makes each row a value with `decode` as it is reached,
   * so a row is decoded when its turn comes, after what was done with the rows before it. Chunks, not
   * rows, are awaited: an await per row would double the time of a large stream.
   */
  async *stream<T>(
    statement: Statement,
    decode: (raw: readonly unknown[]) => T,
  ): AsyncGenerator<Iterable<T>> {
    for await (const { rows } of this.#scope.stream<unknown[]>(statement, STREAM_CHUNK_SIZE)) {
      yield decoded(rows, decode)
    }
  }

  /**
   * The object for a database row the Session does not keep: the one it holds, or else a new row, as
   * {@link merge} makes it, persistent with the values read as its committed ones, but in no Session (as
   * a row of a closed one is), so nothing holds it once its reader lets it go. `session.add(row)` takes it
   * in, and the next flush writes what changed since it was read.
   */
  detached(statements: TableStatements, raw: readonly unknown[]): object {
    const existing = this.#rows.identity.get(statements.table, statements.layout.keyOf(raw))
    if (existing) return existing
    const state = readRow(statements, raw)
    state.state = 'persistent'
    return state.row
  }

  /** The count a select's count `statement` answers (see `QueryStatements.count`). */
  async count(statement: Statement): Promise<number> {
    const { rows } = await this.#scope.run<unknown[]>(statement)
    // PostgreSQL's count(*) is a bigint, which its driver gives as a string.
    return Number(rows[0]![0])
  }

  /** Loads the relationship paths `options` name for `rows` of `table` (see {@link RelationshipLoader}). */
  loadOptions(
    table: TableModel,
    options: readonly LoadOption[],
    rows: readonly object[],
    method: string,
  ): Promise<void> {
    return this.#relationships.loadOptions(table, options, rows, method)
  }

  /** Loads what `paths` reach from `rows` of `table` and is not loaded yet (see {@link RelationshipLoader}). */
  loadMissing(
    table: TableModel,
    paths: readonly (readonly string[])[],
    rows: readonly object[],
    method: string,
  ): Promise<void> {
    return this.#relationships.loadMissing(table, paths, rows, method)
  }

  /** Loads `relationship` for `rows`, one query per 500 keys (see {@link RelationshipLoader}). */
  load(relationship: Relationship, rows: readonly object[]): Promise<void> {
    return this.#relationships.load(relationship, rows)
  }

  /** The object for a database row: the one already in the session, or a new tracked one. */
  merge(statements: TableStatements, raw: readonly unknown[]): object {
    const existing = this.#rows.identity.get(statements.table, statements.layout.keyOf(raw))
    if (existing) return existing
    const state = readRow(statements, raw)
    this.#keep(state)
    return state.row
  }

  /** The Session holds the row just read from now on. */
  #keep(state: RowState): void {
    this.#rows.track(state, state.committed!)
    if (this.#scope.inTransaction) this.#rows.readInTransaction.add(state.row)
  }

  /**
   * Reads the columns of `row`, persistent and tracked by `tracked`, again. Inside a transaction the values
   * are not committed yet: a rollback reads them again.
   * @throws {StaleDataError} when the database no longer has it; the row then leaves the session.
   */
  async refresh(row: object, tracked: RowState): Promise<void> {
    const statements = statementsFor(this.#engine, tracked.table)
    const key = tracked.layout.keyParams(tracked.flushed!)
    const { rows } = await this.#scope.run<unknown[]>(statements.selectByKey(key))
    if (rows.length === 0) {
      this.#rows.forget(row)
      throw staleError(tracked.table, 'refresh', key)
    }
    Object.assign(row, statements.hydrate(rows[0]!))
    tracked.flushed = tracked.layout.take(row as Row)
    // The row holds what the database has: its writes above are no change to flush.
    this.#rows.changed.delete(row)
    if (this.#scope.inTransaction) this.#rows.readInTransaction.add(row)
    else tracked.committed = tracked.flushed
  }

  /**
   * Reads `rows` again after a rollback: their values, what dirty checking compares against and what they
   * carry to a later session. A row no longer in the database leaves the session; when they cannot be
   * read (a lost connection), they all leave it, with no committed state, rather than keep values the
   * database may not have.
   */
  async reload(rows: readonly object[]): Promise<void> {
    const byTable = new Map<TableModel, Map<unknown, object>>()
    for (const row of rows) {
      const { table, layout } = this.#rows.get(row)!
      let byKey = byTable.get(table)
      if (!byKey) byTable.set(table, (byKey = new Map()))
      byKey.set(layout.identityOfParams(layout.keyParamsOfRow(row as Row)), row)
    }
    try {
      for (const [table, byKey] of byTable) await this.#reloadTable(table, byKey)
    } catch {
      // Not rethrown: the rollback itself succeeded, and a failed flush rethrows its own error after it.
    }
    for (const byKey of byTable.values()) {
      for (const row of byKey.values()) {
        const state = this.#rows.get(row)!
        this.#rows.forget(row)
        state.committed = undefined
      }
    }
  }

  /** Reads the rows of `table` in `byKey` again, removing from it each one found. */
  async #reloadTable(table: TableModel, byKey: Map<unknown, object>): Promise<void> {
    const statements = statementsFor(this.#engine, table)
    const { layout } = statements
    const keys = [...byKey.values()].map((row) => layout.keyParamsOfRow(row as Row))
    for (const query of selectByKeys(this.#engine, table, keys)) {
      for (const raw of (await this.#scope.run<unknown[]>(query)).rows) {
        const values = statements.hydrate(raw)
        const identity = layout.identityOfParams(layout.keyParamsOfRow(values))
        const row = byKey.get(identity)!
        byKey.delete(identity)
        Object.assign(row, values)
        const tracked = this.#rows.get(row)!
        tracked.committed = statements.rawIsSnapshot ? raw : tracked.layout.take(values)
        tracked.flushed = tracked.committed
        this.#rows.changed.delete(row) // as after a refresh
      }
    }
  }
}

function* decoded<T>(rows: readonly unknown[][], decode: (raw: readonly unknown[]) => T): Generator<T> {
  for (const raw of rows) yield decode(raw)
}

const NONE_HELD: ReadonlyMap<unknown, object> = new Map()

/** A new row of `raw`'s values, observed by its new state, which holds them as its committed values. */
function readRow(statements: TableStatements, raw: readonly unknown[]): RowState {
  const values = statements.hydrate(raw)
  const row = observe(values)
  // Given to the values, whose slots the row's are: reaching them through the row costs more.
  const state = RowState.attach(row, values, statements.table, statements.layout)
  state.committed = statements.rawIsSnapshot ? raw : statements.layout.take(values)
  return state
}
