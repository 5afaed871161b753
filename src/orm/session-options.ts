/** The options a Session takes: its own when it is made, and those of a query it runs. */
import type { TableModel } from '../model/table.ts'
import type { ParamValues } from './bind-params.ts'
import type { IsolationLevel } from './connection-scope.ts'
import type { LoadOption, RelationshipPath } from './load-option.ts'

/** Options of a `Session`. */
export interface SessionOptions {
  /** Flush pending changes before each query, so queries see them (SQLAlchemy's default); default `true`. */
  autoflush?: boolean
  /**
   * Where the Session's reads go: `'primary'` (the default), or `'replica'`, the engine's read replicas,
   * for reads that may be a little stale (up to `replicaLag.max`). Only reads outside a transaction go
   * there, and only until the Session first writes or begins a transaction: from then on it reads from the
   * primary, so it always reads what it wrote. Without replicas, `'replica'` reads from the primary.
   *
   * @example
   * await using session = new Session(engine, { reads: 'replica' })
   * const heroes = await session.exec(select(Hero).limit(100)).all() // from a replica
   */
  reads?: 'primary' | 'replica'
  /**
   * The isolation level of every transaction the Session opens: `begin()`, `transaction()` and the one a
   * flush opens (SQLAlchemy's `isolation_level` execution option). The database's own default when left
   * out: `read committed` on PostgreSQL, `repeatable read` on MySQL and MariaDB. SQLite's transactions are
   * serializable whatever the level asked, which every level allows. A commit with one statement to write
   * and no transaction open then opens one too, where it would otherwise run it by itself at the
   * database's default level. Statements run outside a transaction (reads, and `update()` or `deleteFrom()`
   * passed to `exec()`) run by themselves at that default level: open one first to run them at this level.
   * A conflict at `repeatable read` or `serializable` rolls the transaction back with a
   * `SerializationError` (`OM_ORM_SERIALIZATION`): run it again.
   *
   * @example
   * await using session = new Session(engine, { isolationLevel: 'serializable' })
   * await session.transaction(async () => {
   *   const total = await session.exec(select(sum(Account.c.balance))).one()
   *   if (total >= amount) session.add(Withdrawal.create({ amount }))
   * })
   */
  isolationLevel?: IsolationLevel
}

/**
 * Options of running a select (`session.exec(query, options)`, `session.count(…)`, `session.stream(…)`)
 * or an insert built with bind parameters (`session.exec(insert, options)`).
 *
 * @example
 * const bySlug = select(Article).where(Article.c.slug.eq(bindParam('slug')))
 * const article = await session.exec(bySlug, { params: { slug: 'dragons' } }).first()
 */
export interface ExecOptions {
  /**
   * The value of each `bindParam()` of the select or insert, by name (SQLModel's `params=`). In a select a
   * value is encoded as a literal value in its place would be, and `null` binds SQL `NULL`; an insert's row
   * is validated with its values, as `Model.create()` validates one. Every parameter needs a value, and no
   * other name may be given: either is an `InvalidQueryError`.
   */
  readonly params?: ParamValues
}

/** Options of `session.get()`. */
export interface GetOptions<M extends TableModel> {
  /** Relationships to load with the row: `{ options: [selectinload('team')] }`, or a path of them. */
  options?: readonly LoadOption<RelationshipPath<M>>[]
}
