/**
 * What a flush compares: the rows whose every field it compares against their snapshot, seen through the
 * table's snapshot layout.
 */
import type { TestContext } from 'node:test'
import type { TableModel } from 'onemodel-ts'
import { layoutOf } from '../../src/orm/snapshot.ts'

/**
 * The `field` value of each row of `table` that flushes compare whole from now on, in order, until the
 * test ends.
 *
 * @example
 * const compared = comparedWhole(t, Hero, 'name')
 * await session.flush()
 * assert.deepEqual(compared, ['Rusty-Man'])
 */
export function comparedWhole(t: TestContext, table: TableModel, field: string): unknown[] {
  const layout = layoutOf(table)
  const compared: unknown[] = []
  const changedKeys = layout.changedKeys.bind(layout)
  t.mock.method(layout, 'changedKeys', (row: Record<string, unknown>, snapshot: readonly unknown[]) => {
    compared.push(row[field])
    return changedKeys(row, snapshot)
  })
  return compared
}
