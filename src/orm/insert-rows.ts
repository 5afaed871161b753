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
  extra?: {
    readonly key: string
    readonly parameters: readonly unknown[]
    readonly finish: (insert: AnyInsert) => Compilable
  },
): Statement {
  // Every row names the same columns, as one VALUES list needs: a column some row leaves out is DEFAULT.
  const columns = [
    ...new Set(rows.flatMap((row) => Object.keys(row).filter((key) => row[key] !== undefined))),
  ]
  const parameters: unknown[] = []
  let key = `${tableName}(${columns.join(',')})`
  for (const row of rows) {
    key += ' '
    for (const column of columns) {
      if (row[column] !== undefined) {
        parameters.push(row[column])
        key += '?'
      } else key += 'D'
    }
  }
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
