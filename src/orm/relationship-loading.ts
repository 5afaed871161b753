/**
 * Loading relationships for many rows at once (SQLAlchemy's `selectinload`): one query per 500 keys for
 * the children of many parents or the parents of many children, never one per row.
 */
import type { Engine } from '../engine/engine.ts'
import type { Statement } from '../engine/statement.ts'
import { relationshipValue } from '../model/relationship-values.ts'
import type { Relationship } from '../model/relationship.ts'
import type { TableModel } from '../model/table.ts'
import type { ConnectionScope } from './connection-scope.ts'
import { relationshipOf, type LoadOption } from './load-option.ts'
import { selectIn, selectLinked } from './relationships.ts'
import { statementsFor, type TableStatements } from './statements.ts'
import type { TrackedRows } from './tracked-rows.ts'

type Row = Record<string, unknown>

/**
 * Loads relationships of rows the Session holds. The rows it reads are merged by `merge` (the Loader's),
 * so a row read twice is one object.
 *
 * @example
 * const relationships = new RelationshipLoader(engine, scope, rows, (s, raw) => loader.merge(s, raw))
 * await relationships.load(Hero.relationships.get('team')!, heroes)
 */
export class RelationshipLoader {
  readonly #engine: Engine
  readonly #scope: ConnectionScope
  readonly #rows: TrackedRows
  readonly #merge: (statements: TableStatements, raw: readonly unknown[]) => object

  constructor(
    engine: Engine,
    scope: ConnectionScope,
    rows: TrackedRows,
    merge: (statements: TableStatements, raw: readonly unknown[]) => object,
  ) {
    this.#engine = engine
    this.#scope = scope
    this.#rows = rows
    this.#merge = merge
  }

  /**
   * Loads the relationship paths `options` name for `rows` of `table`, a level at a time: each
   * relationship of a level with one query (per 500 keys) for all the rows the previous level reached,
   * counted once each. Paths sharing a prefix load it once. The first level is loaded for every row, as
   * the query asked; deeper, rows whose relationship is already loaded (or set) keep it, and cost no
   * query. `method` names the caller in errors.
   */
  async loadOptions(
    table: TableModel,
    options: readonly LoadOption[],
    rows: readonly object[],
    method: string,
  ): Promise<void> {
    const tree = pathTree(options.map((option) => option.path))
    await this.#loadTree(table, tree, rows, method, true)
  }

  /**
   * Loads what `paths` reach from `rows` of `table` and is not loaded yet, a level at a time as
   * {@link loadOptions} does: a relationship already loaded (or set) at any level is kept.
   */
  async loadMissing(
    table: TableModel,
    paths: readonly (readonly string[])[],
    rows: readonly object[],
    method: string,
  ): Promise<void> {
    await this.#loadTree(table, pathTree(paths), rows, method, false)
  }

  async #loadTree(
    table: TableModel,
    tree: PathTree,
    rows: readonly object[],
    method: string,
    reload: boolean,
  ): Promise<void> {
    for (const [name, deeper] of tree) {
      const relationship = relationshipOf(table, name, method)
      await this.load(relationship, reload ? rows : rows.filter((row) => this.#unloaded(row, name)))
      if (deeper.size > 0)
        await this.#loadTree(relationship.target, deeper, reached(rows, name), method, false)
    }
  }

  /** `row` is held, and its relationship `name` neither loaded nor set. */
  #unloaded(row: object, name: string): boolean {
    return relationshipValue(row, name) === undefined && this.#rows.has(row)
  }

  /**
   * Loads `relationship` for `rows` with one query per 500 keys: the children whose foreign key is one of
   * the rows' keys, or the parents the rows' foreign keys name (those already in the session need none).
   */
  async load(relationship: Relationship, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) return
    if (relationship.link) await this.#loadLinked(relationship, rows)
    else if (relationship.kind === 'many') await this.#loadChildren(relationship, rows)
    else await this.#loadParents(relationship, rows)
  }

  /** A many-to-many: the target rows each row is paired with, read with the owner key of each pair. */
  async #loadLinked(relationship: Relationship, rows: readonly object[]): Promise<void> {
    const statements = statementsFor(this.#engine, relationship.target)
    const width = statements.layout.keys.length
    const keys = distinctKeys(rows, relationship.references)
    const groups = await this.#readGrouped(selectLinked(this.#engine, relationship, keys), (raw) => [
      raw[width],
      this.#merge(statements, raw.slice(0, width)),
    ])
    for (const row of rows) {
      this.#rows.setLoaded(row, relationship.name, groups.get((row as Row)[relationship.references]) ?? [])
    }
  }

  async #loadChildren(relationship: Relationship, rows: readonly object[]): Promise<void> {
    const { foreignKey, references, name, child } = relationship
    const back = relationship.backPopulates
    const statements = statementsFor(this.#engine, child)
    const keys = distinctKeys(rows, references)
    const groups = await this.#readGrouped(
      selectIn(this.#engine, child, foreignKey, keys, relationship.orderBy),
      (raw) => {
        const row = this.#merge(statements, raw) as Row
        return [row[foreignKey], row]
      },
    )
    for (const row of rows) {
      const children = groups.get((row as Row)[references]) ?? []
      this.#rows.setLoaded(row, name, children)
      if (back) for (const child of children) this.#rows.setLoaded(child, back.name, row)
    }
  }

  /** Runs `queries` and groups the rows `read` makes of their results by the key it gives, in order. */
  async #readGrouped(
    queries: readonly Statement[],
    read: (raw: readonly unknown[]) => [key: unknown, row: object],
  ): Promise<Map<unknown, object[]>> {
    const groups = new Map<unknown, object[]>()
    for (const query of queries) {
      for (const raw of (await this.#scope.run<unknown[]>(query)).rows) {
        const [key, row] = read(raw)
        const group = groups.get(key)
        if (group) group.push(row)
        else groups.set(key, [row])
      }
    }
    return groups
  }

  async #loadParents(relationship: Relationship, rows: readonly object[]): Promise<void> {
    const { foreignKey, references, name } = relationship
    const parentTable = relationship.parent
    const found = new Map<unknown, object>()
    let missing = distinctKeys(rows, foreignKey)
    if (references === parentTable.primaryKey) {
      missing = missing.filter((key) => {
        const known = this.#rows.identity.get(parentTable, key)
        if (known && !this.#rows.isDeleted(known)) found.set(key, known)
        return !known
      })
    }
    const statements = statementsFor(this.#engine, parentTable)
    for (const query of selectIn(this.#engine, parentTable, references, missing)) {
      for (const raw of (await this.#scope.run<unknown[]>(query)).rows) {
        const parent = this.#merge(statements, raw) as Row
        found.set(parent[references], parent)
      }
    }
    for (const row of rows) {
      const key = (row as Row)[foreignKey]
      this.#rows.setLoaded(row, name, key === null || key === undefined ? null : (found.get(key) ?? null))
    }
  }
}

/** Relationship names, each with the names to load after it: the paths of several options, merged. */
type PathTree = Map<string, PathTree>

function pathTree(paths: readonly (readonly string[])[]): PathTree {
  const root: PathTree = new Map()
  for (const path of paths) {
    let level = root
    for (const name of path) {
      let next = level.get(name)
      if (!next) level.set(name, (next = new Map()))
      level = next
    }
  }
  return root
}

/** The rows that relationship `name` of `rows` holds, each once. */
function reached(rows: readonly object[], name: string): object[] {
  const found = new Set<object>()
  for (const row of rows) {
    const value = relationshipValue(row, name) as object | readonly object[] | null
    if (Array.isArray(value)) for (const item of value) found.add(item)
    else if (value) found.add(value)
  }
  return [...found]
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
