/** The errors a Session throws for misuse and for rows deleted elsewhere: one wording, whichever part finds them. */
import { InvalidQueryError, SessionError, StaleDataError } from '../errors.ts'
import { tableOfRow, type TableModel } from '../model/table.ts'
import type { SelectState } from './select.ts'
import { layoutOf } from './snapshot.ts'

type Row = Record<string, unknown>

/** The table of `row`, or an `OM_ORM_NOT_A_ROW` error for `session.<method>()`. */
export function tableOf(row: object, method: string): TableModel {
  const table = typeof row === 'object' && row !== null ? tableOfRow(row) : undefined
  if (!table) {
    throw new SessionError(
      'OM_ORM_NOT_A_ROW',
      `session.${method}(): the object is not a row of a table model. Create rows with Hero.create({...}) or Hero.validate(data), where Hero = table('hero', …).`,
    )
  }
  return table
}

export function closedError(method: string): SessionError {
  return new SessionError(
    'OM_ORM_SESSION_CLOSED',
    `session.${method}(): the Session is closed. Create a new Session(engine).`,
  )
}

/** A row that is not persistent in the Session, for `session.<method>()`. */
export function notPersistentError(table: TableModel, method: string, alternative: string): SessionError {
  return new SessionError(
    'OM_ORM_DETACHED',
    `session.${method}(): this ${table.name} is not persistent in the Session. Add it and commit (or flush) first${alternative}.`,
  )
}

export function notInSessionError(table: TableModel): SessionError {
  return new SessionError(
    'OM_ORM_DETACHED',
    `session.delete(): this ${table.name} is not in the Session. Load it with session.get(${table.name}, id) or add it first.`,
  )
}

/** `id=1`, or `team_id=1, hero_id=2` for a composite key: a key's values in key order, as messages show them. */
function keyText(table: TableModel, params: readonly unknown[]): string {
  return table.primaryKeys.map((key, i) => `${key}=${String(params[i])}`).join(', ')
}

/**
 * What a key given as `params`, its values in key order, is to a caller: the value of a single key, the
 * object of the key fields for a composite key (as `session.get()` takes it).
 */
function keyValue(table: TableModel, params: readonly unknown[]): unknown {
  if (table.primaryKey !== undefined) return params[0]
  return Object.fromEntries(table.primaryKeys.map((key, i) => [key, params[i]]))
}

/**
 * The values of a composite key given to `session.get()` as the object of its fields, in key order.
 * @throws {InvalidQueryError} for anything but an object with every key field, and only those.
 */
export function compositeKeyParams(table: TableModel, key: unknown): unknown[] {
  const given = typeof key === 'object' && key !== null && !Array.isArray(key) ? Object.keys(key) : undefined
  const missing = table.primaryKeys.filter((field) => given?.includes(field) !== true)
  const extra = given?.filter((field) => !table.primaryKeys.includes(field)) ?? []
  const nullish = table.primaryKeys.filter((field) => (key as Row | undefined)?.[field] == null)
  if (given === undefined || missing.length > 0 || extra.length > 0 || nullish.length > 0) {
    const example = `{ ${table.primaryKeys.map((field) => `${field}: …`).join(', ')} }`
    const problem =
      given === undefined
        ? `got ${Array.isArray(key) ? 'an array' : String(key)}`
        : missing.length > 0
          ? `${missing.join(', ')} missing`
          : extra.length > 0
            ? `${extra.join(', ')} not part of the key`
            : `${nullish.join(', ')} null or undefined`
    throw new InvalidQueryError(
      `session.get(${table.name}, key): the primary key of ${table.name} has several fields (${table.primaryKeys.join(', ')}), so the key is an object of all of them: ${problem}. Pass ${example}.`,
    )
  }
  return table.primaryKeys.map((field) => (key as Row)[field])
}

/** A second object for a key the Session already holds. */
export function copyError(table: TableModel, row: object): SessionError {
  return new SessionError(
    'OM_ORM_DETACHED',
    `session.add(): another ${table.name} with ${keyText(table, layoutOf(table).keyParamsOfRow(row as Row))} is already in this Session. Change that object instead of adding a copy.`,
  )
}

/**
 * The error for adding a deleted row (SQLAlchemy's "Instance has been deleted"): the object still holds
 * the key of a row that no longer exists, so neither an UPDATE nor an INSERT of it is what was meant.
 */
export function deletedError(table: TableModel, row: object): SessionError {
  return new SessionError(
    'OM_ORM_DELETED',
    `session.add(): this ${table.name} with ${keyText(table, layoutOf(table).keyParamsOfRow(row as Row))} was deleted. To insert its values again, add a new row: ${table.name}.create({ ...row }).`,
  )
}

/**
 * The error for adding a row that another open Session holds (SQLAlchemy's "Object is already attached
 * to session"): both would write it, and either one's rollback would put back values the other wrote.
 */
export function attachedError(table: TableModel, row: object): SessionError {
  const generated = table.generatedKey
  const which =
    generated !== undefined && (row as Row)[generated] === undefined
      ? `new ${table.name}`
      : `${table.name} with ${keyText(table, layoutOf(table).keyParamsOfRow(row as Row))}`
  return new SessionError(
    'OM_ORM_ATTACHED',
    `session.add(): this ${which} is already in another open Session. Close that Session first, or load the row in this one with session.get(${table.name}, id).`,
  )
}

export function transactionOpenError(): SessionError {
  return new SessionError(
    'OM_ORM_TRANSACTION',
    'session.begin(): a transaction is already open. Commit or roll it back first.',
  )
}

/**
 * The error for a row whose database row another session or process deleted, found by a refresh or by
 * a write by key that matched no row (SQLAlchemy's unit of work checks the same count). The caller makes
 * the row leave the session, so the rollback that follows a failed flush does not bring it back. MySQL
 * counts the rows an UPDATE matched, not only those it changed (the driver asks for FOUND_ROWS), so an
 * UPDATE writing the values a row already has is not taken for a deleted row.
 */
export function staleError(
  table: TableModel,
  by: 'refresh' | 'UPDATE' | 'DELETE',
  params: readonly unknown[],
): StaleDataError {
  const key = keyValue(table, params)
  const which = `${table.name} with ${keyText(table, params)}`
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

/**
 * The error for using the Session while a stream reads in its transaction: the stream holds the
 * transaction's connection, which runs one statement at a time, until its loop ends.
 */
export function streamOpenError(method: string): SessionError {
  return new SessionError(
    'OM_ORM_STREAM_OPEN',
    `session.${method}(): a session.stream() is still reading in this Session's transaction, on its connection. Finish or break out of its for await loop first. To write while streaming, stream outside a transaction: the stream then reads on a connection of its own and the Session stays free.`,
  )
}

/**
 * Why `query` cannot be streamed, if it cannot: `selectinload` loads a relationship for all the rows at
 * once, which a stream never holds, and `forUpdate()` would hold the Session's transaction, and the rows'
 * locks, for as long as the loop runs.
 */
export function unstreamableError(query: { readonly state: SelectState }): InvalidQueryError | undefined {
  const [load] = query.state.options
  if (load) {
    return new InvalidQueryError(
      `session.stream(): selectinload(${load.path.map((name) => `'${name}'`).join(', ')}) loads relationships for all the rows at once, and a stream never holds them all. Load them for each row with session.load(row, '${load.path[0]}'), or read the rows with session.exec() in pages (limit and offset).`,
    )
  }
  if (query.state.lock) {
    return new InvalidQueryError(
      'session.stream(): forUpdate() would hold its row locks, and the transaction, for as long as the loop runs. Lock the rows with session.exec() a page (limit) at a time, committing after each.',
    )
  }
  return undefined
}

/**
 * A row reached its insert without key field `key`, which the database does not generate: neither given,
 * nor taken from the row its relationship refers to.
 */
export function missingKeyError(table: TableModel, key: string): SessionError {
  const relationship = [...table.relationships.values()].find(
    (candidate) => candidate.kind === 'one' && candidate.foreignKey === key,
  )
  const fix = relationship
    ? `Give it (${table.name}.create({ ${key}: … })), or set ${relationship}, whose foreign key it is (${table.name}.create({ ${relationship.name}: ${relationship.target.name.toLowerCase()} })), before the flush.`
    : `Give it: ${table.name}.create({ ${key}: … }).`
  return new SessionError(
    'OM_ORM_KEY_MISSING',
    `${table.name}.${key} is part of the primary key and has no value at the flush. ${fix}`,
  )
}
