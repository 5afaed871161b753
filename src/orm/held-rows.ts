/**
 * Loading for rows a Session handed out (an HTTP response's nested relationships): each row leads to the
 * open Session that holds it, which loads what is missing for all its rows at once, a level at a time.
 */
import type { TableModel } from '../model/table.ts'
import { RowState } from './row-state.ts'
import { TrackedRows } from './tracked-rows.ts'

/** Loads what `paths` reach from `rows` of `table` and is not loaded yet, with one Session. */
export type LoadMissing = (
  table: TableModel,
  paths: readonly (readonly string[])[],
  rows: readonly object[],
) => Promise<void>

/**
 * Loads the relationship paths `pathsOf` gives for each row's table, where they are not loaded yet: with
 * the Session that holds the row, one query per level (per 500 keys) for all the rows of that Session and
 * table. A value that is not a row, or a row no open Session holds, is left as it is (reading a
 * relationship it lacks then throws `RelationshipNotLoadedError`, which says how to load it). `undefined`
 * when no value is such a row, which is every answer built of plain objects: nothing to wait for.
 *
 * @example
 * await loadMissingRelationships(teams, (table) => (table === Team ? [['heroes']] : []))
 * teams[0].heroes // loaded, with one query for all the teams
 */
export function loadMissingRelationships(
  values: readonly unknown[],
  pathsOf: (table: TableModel) => readonly (readonly string[])[],
): Promise<void> | undefined {
  let groups: Map<LoadMissing, Map<TableModel, object[]>> | undefined
  for (const value of values) {
    if (typeof value !== 'object' || value === null) continue
    const held = TrackedRows.holding(value)
    const load = held?.loadMissing
    if (!load) continue
    const { table } = RowState.find(value)!
    groups ??= new Map()
    let byTable = groups.get(load)
    if (!byTable) groups.set(load, (byTable = new Map()))
    const rows = byTable.get(table)
    if (rows) rows.push(value)
    else byTable.set(table, [value])
  }
  return groups && loadGroups(groups, pathsOf)
}

async function loadGroups(
  groups: Map<LoadMissing, Map<TableModel, object[]>>,
  pathsOf: (table: TableModel) => readonly (readonly string[])[],
): Promise<void> {
  for (const [load, byTable] of groups) {
    for (const [table, rows] of byTable) {
      const paths = pathsOf(table)
      if (paths.length > 0) await load(table, paths, rows)
    }
  }
}
