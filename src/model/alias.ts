/**
 * A table under another name in one query (SQL's `FROM employee AS manager`), for self-joins and for
 * joining one table twice. Its columns are the table's, referred to by the alias.
 */
import { InvalidQueryError } from '../errors.ts'
import { Column } from './column.ts'
import type { Fields } from './field.ts'
import type { Columns, TableModel } from './table.ts'

/**
 * Table model `M` under the name `A` in a query. Selected, it gives rows of `M`, held by the Session as
 * any other row of `M`.
 *
 * @example
 * const Manager = alias(Employee, 'manager')
 * const pairs = await session
 *   .exec(select(Employee, Manager).join(Manager, Employee.c.manager_id.eq(Manager.c.id)))
 *   .all() // [Employee, Employee][]
 */
export class AliasedTable<M extends TableModel = TableModel, A extends string = string> {
  readonly table: M
  readonly alias: A
  /** The table's columns, referred to by the alias: `Manager.c.name` is `manager.name`. */
  readonly c: Columns<A, FieldsOfTable<M>>

  constructor(table: M, alias: A) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(alias)) {
      throw new InvalidQueryError(
        `alias(${table.name}, ${JSON.stringify(alias)}): an alias must be letters, digits and underscores, starting with a letter or _.`,
      )
    }
    if (alias === table.tableName) {
      throw new InvalidQueryError(
        `alias(${table.name}, '${alias}'): '${alias}' is the table's own name. Give the alias another name.`,
      )
    }
    this.table = table
    this.alias = alias
    const fields: Fields = table.fields
    // Built from the same fields as the table's own `c`, which Columns<A, F> describes for the alias.
    this.c = Object.freeze(
      Object.fromEntries(Object.entries(fields).map(([key, f]) => [key, new Column(alias, key, f, this)])),
    ) as Columns<A, FieldsOfTable<M>>
    Object.freeze(this)
  }
}

type FieldsOfTable<M> = M extends TableModel<string, infer F> ? F : never

/**
 * Names table model `table` `name` in a query, so one table can be read twice: a self-join, or two joins
 * to one table.
 *
 * @example
 * const Manager = alias(Employee, 'manager')
 * select(Employee.c.name, Manager.c.name).join(Manager, Employee.c.manager_id.eq(Manager.c.id))
 */
export function alias<M extends TableModel, const A extends string>(
  table: M,
  name: string extends A ? never : A,
): AliasedTable<M, A> {
  return new AliasedTable(table, name)
}
