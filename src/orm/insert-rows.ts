/**
 * `INSERT … VALUES` statements of many rows, compiled once per shape: building an insert with Kysely takes
 * ~5 µs, and much more for many rows, where binding a compiled one takes nothing. The shape is what the
 * SQL depends on (the table, the columns, which cells are `DEFAULT`, and what the caller adds, such as a
 * conflict clause); the values are bound per statement.
 */
import type { Compilable, CompiledQuery, InsertQueryBuilder } from 'kysely'
import type { Engine } from '../engine/engine.ts'
import { bind, type RowShape, type Statement } from '../engine/statement.ts'
import { bindsInOrder, perEngine, ShapeCache } from './shape-cache.ts'

/** An `INSERT … VALUES` builder of any table, which a conflict clause finishes. */
// `any`: Kysely types a builder by the database's tables; these statements name theirs by string.
export type AnyInsert = InsertQueryBuilder<any, any, any>

/**
 * What a statement adds to its `INSERT … VALUES` (a conflict clause): its part of the shape (its SQL), its
 * values, bound after the rows', and how it finishes the insert.
 *
 * @example
 * const none: InsertExtra = { key: '', parameters: [], finish: (insert) => insert }
 */
export interface InsertExtra {
  readonly key: string
  readonly parameters: readonly unknown[]
  readonly finish: (insert: AnyInsert) => AnyInsert
}

/** A row to insert, as statement parameters by column; a column it leaves out, or `undefined`, is `DEFAULT`. */
export type ParamRow = Readonly<Record<string, unknown>>

/**
 * The insert of `rows` into `tableName`, its SQL compiled once per shape on `engine`. `finish` adds to the
 * `INSERT … VALUES` what the caller's statement has beyond it (a conflict clause), `extra` says what that
 * adds to the shape (its SQL) and to the parameters (its values, in the order it binds them).
 *
 * @example
 * const statement = insertRows(engine, 'hero', [{ name: 'Deadpond', secret_name: 'Dive Wilson' }], OBJECT_ROWS)
 */
export function insertRows(
  engine: Engine,
  tableName: string,
  rows: readonly ParamRow[],
  shape: RowShape,
  extra?: InsertExtra,
): Statement {
  const columns = columnsOf(rows)
  // The shape: the columns, then per row a `?` for a value and a `D` for a DEFAULT cell.
  const parameters: unknown[] = []
  const cells: string[] = new Array(rows.length)
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!
    let cell = ''
    for (const column of columns) {
      const value = row[column]
      if (value === undefined) cell += 'D'
      else {
        parameters.push(value)
        cell += '?'
      }
    }
    cells[r] = cell
  }
  let key = `${tableName}(${columns.join(',')}) ${cells.join(' ')}`
  if (extra) {
    parameters.push(...extra.parameters)
    key += ` ${extra.key}`
  }
  return templatesOf(engine).bind(key, parameters, shape, () => {
    // Kysely writes a cell a row leaves out as DEFAULT, or as NULL on SQLite, which has no DEFAULT there
    // (an integer primary key then takes the next id).
    const insert = engine.db.insertInto(tableName).values(rows)
    return extra ? extra.finish(insert) : insert
  })
}

/**
 * The columns the rows give a value: one VALUES list names the same columns for every row, so a column
 * only some rows give is DEFAULT in the others. Rows that all give the first row's columns, as most do,
 * are not gathered into a set.
 */
function columnsOf(rows: readonly ParamRow[]): string[] {
  const first = rows[0]
  if (first === undefined) return []
  const columns = givenKeys(first)
  const likeFirst = (row: ParamRow): boolean => {
    const keys = givenKeys(row)
    return (
      keys.length === columns.length &&
      keys.every((key) => Object.hasOwn(first, key) && first[key] !== undefined)
    )
  }
  return rows.every(likeFirst) ? columns : [...new Set(rows.flatMap(givenKeys))]
}

/** The keys of `row` with a value: `undefined` is a DEFAULT cell. */
function givenKeys(row: ParamRow): string[] {
  return Object.keys(row).filter((key) => row[key] !== undefined)
}

/** The compiled inserts of one engine, by shape. */
class InsertTemplates {
  readonly #compiled = new ShapeCache<CompiledQuery>()

  /** The statement of shape `key` with `parameters` bound, compiled by `build` the first time. */
  bind(key: string, parameters: readonly unknown[], shape: RowShape, build: () => Compilable): Statement {
    let compiled = this.#compiled.get(key)
    if (compiled === undefined) {
      compiled = build().compile()
      if (!bindsInOrder(compiled, parameters)) return bind(compiled, compiled.parameters, shape)
      this.#compiled.set(key, compiled)
    }
    return bind(compiled, parameters, shape)
  }
}

const templatesOf = perEngine(() => new InsertTemplates())
