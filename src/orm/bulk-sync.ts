import type { QueryResult } from 'kysely'
import type { Engine } from '../engine/engine.ts'
import { andThen, type PromiseOrValue } from '../engine/promise-or-value.ts'
import { ARRAY_ROWS, OBJECT_ROWS, type Statement } from '../engine/statement.ts'
import type { TableModel } from '../model/table.ts'
import type { ParamValues } from './bind-params.ts'
import { Delete, type BulkWrite, type ReturningResult, type WriteResult } from './bulk-write.ts'
import type { ConnectionScope } from './connection-scope.ts'
import type { Loader } from './loading.ts'
import { selectByKeys } from './relationships.ts'
import { statementsFor } from './statements.ts'
import type { TrackedRows } from './tracked-rows.ts'

/**
 * The statement of a bulk write, with `params` for an insert's bind parameters, its rows read as
 * {@link runBulkWrite} reads them. Made before the Session's autoflush, so a bad run writes nothing.
 *
 * @example
 * const statement = bulkWriteStatement(engine, insert(Hero).values({ name: bindParam('name') }), { name: 'Deadpond' })
 * @throws {InvalidQueryError} for `params` that miss a bind parameter or name another one.
 * @throws {ValidationError} for an insert's row that its parameters' values make invalid.
 */
export function bulkWriteStatement(engine: Engine, query: BulkWrite, params?: ParamValues | null): Statement {
  return query.statement(engine, query.returnsRows ? ARRAY_ROWS : OBJECT_ROWS, params)
}

/**
 * Runs a bulk write's `statement` ({@link bulkWriteStatement}) through a Session's connection scope, then
 * brings the rows the Session holds of its table in line with the database ({@link synchronizeHeld}), and
 * answers the count, with the rows for `returning()`: updated and inserted rows are the Session's own
 * objects, deleted rows plain copies no Session holds.
 *
 * @example
 * const write = update(Hero).values({ age: 18 })
 * const { affected } = await runBulkWrite(engine, scope, rows, loader, write, bulkWriteStatement(engine, write))
 */
export function runBulkWrite(
  engine: Engine,
  scope: ConnectionScope,
  rows: TrackedRows,
  loader: Loader,
  query: BulkWrite,
  statement: Statement,
): PromiseOrValue<WriteResult | ReturningResult<object>> {
  return andThen(scope.run<unknown[]>(statement), (result) => {
    const answer = () => answerOf(engine, loader, query, result)
    if (!query.changesExistingRows) return answer()
    return andThen(synchronizeHeld(engine, scope, rows, query.model), answer)
  })
}

/** The count a bulk write answers, with the rows for `returning()`. */
function answerOf(
  engine: Engine,
  loader: Loader,
  query: BulkWrite,
  result: QueryResult<unknown[]>,
): WriteResult | ReturningResult<object> {
  if (!query.returnsRows) return { affected: Number(result.numAffectedRows ?? 0n) }
  const statements = statementsFor(engine, query.model)
  const written = result.rows.map((raw) =>
    query instanceof Delete ? statements.hydrate(raw) : loader.merge(statements, raw),
  )
  return { affected: written.length, rows: written }
}

/**
 * Brings the rows a Session holds of `table` in line with the database after a bulk `UPDATE` or `DELETE`
 * (SQLAlchemy's `synchronize_session='fetch'`): they are read again by key, in the same transaction, one
 * query per 500 rows. A row found takes the database's values as its flushed state (nothing to write at the
 * next flush); a row not found was deleted, and leaves the identity map as a flushed delete does.
 *
 * Reading the held rows by key, rather than evaluating the conditions in memory or fetching the keys the
 * statement matched, gives the right answer on every dialect, RETURNING or not, and for every condition,
 * at the cost of one read when the Session holds rows of that table, none when it holds none.
 *
 * @example
 * await scope.run(statement)
 * await synchronizeHeld(engine, scope, rows, Hero)
 */
export async function synchronizeHeld(
  engine: Engine,
  scope: ConnectionScope,
  rows: TrackedRows,
  table: TableModel,
): Promise<void> {
  const byKey = new Map<unknown, object>()
  const keys: unknown[][] = []
  for (const row of rows.identity.rowsOf(table)) {
    const state = rows.get(row)
    if (state?.state !== 'persistent') continue
    byKey.set(state.layout.keyOf(state.flushed!), row)
    keys.push(state.layout.keyParams(state.flushed!))
  }
  if (byKey.size === 0) return
  const statements = statementsFor(engine, table)
  for (const query of selectByKeys(engine, table, keys)) {
    for (const raw of (await scope.run<unknown[]>(query)).rows) {
      const values = statements.hydrate(raw)
      const flushed = statements.layout.take(values)
      const identity = statements.layout.keyOf(flushed)
      const row = byKey.get(identity)!
      byKey.delete(identity)
      Object.assign(row, values)
      const state = rows.get(row)!
      state.flushed = flushed
      // The row holds what the database has: its writes above are no change to flush.
      rows.changed.delete(row)
      if (scope.inTransaction) rows.readInTransaction.add(row)
      else state.committed = state.flushed
    }
  }
  for (const row of byKey.values()) deleted(rows, row, scope.inTransaction)
}

/**
 * `row` was deleted by a bulk DELETE: inside a transaction, as a flushed delete is (the commit forgets it,
 * a rollback brings it back); in autocommit, deleted for good.
 */
function deleted(rows: TrackedRows, row: object, inTransaction: boolean): void {
  const state = rows.get(row)!
  rows.identity.delete(state.table, state.layout.keyOf(state.flushed!), row)
  rows.deletes.delete(row)
  rows.changed.delete(row)
  if (inTransaction) {
    state.state = 'deleted'
    rows.touched.add(row)
  } else {
    rows.forget(row)
    state.state = 'deleted'
    state.deletedForGood = true
  }
}
