/**
 * What a response model nests that the returned rows' relationships hold (`TeamPublicWithHeroes.heroes`
 * for a Team row): loaded before the answer is encoded, for all its rows at once, a level at a time, as
 * SQLModel's lazy loading would read them, without its query per row.
 */
import { Model } from '../model/model.ts'
import type { TableModel } from '../model/table.ts'
import { loadMissingRelationships } from '../orm/held-rows.ts'
import { ListOf, type ResponseModel } from './response.ts'

/** How deep a response's nested models are followed: as deep as `selectinload` paths go. */
const DEPTH = 4

/** The names of a model's fields that nest a model, each with the names its nested model nests. */
type Nesting = ReadonlyMap<string, Nesting>

/**
 * Loads what `response` nests and the rows of a handler's result have not loaded, or `undefined` when
 * the response nests no model. The loader gives `undefined` when the result holds no row to load from.
 * Made once per route; the paths of each table are found once, at its first row.
 *
 * @example
 * const load = responseRelationships(TeamPublicWithHeroes)
 * await load?.(team) // team.heroes is loaded: one query, none if it was loaded already
 */
export function responseRelationships(
  response: ResponseModel,
): ((result: unknown) => Promise<void> | undefined) | undefined {
  const nesting = nestingOf(response instanceof ListOf ? response.model : response, DEPTH)
  if (nesting.size === 0) return undefined
  const pathsByTable = new Map<TableModel, string[][]>()
  const pathsOf = (table: TableModel): string[][] => {
    let paths = pathsByTable.get(table)
    if (!paths) pathsByTable.set(table, (paths = relationshipPaths(table, nesting, [])))
    return paths
  }
  return (result) => loadMissingRelationships(Array.isArray(result) ? result : [result], pathsOf)
}

function nestingOf(model: Model, depth: number): Nesting {
  const nesting = new Map<string, Nesting>()
  for (const [name, field] of Object.entries(model.fields)) {
    if (field.model instanceof Model) {
      nesting.set(name, depth > 1 ? nestingOf(field.model, depth - 1) : new Map())
    }
  }
  return nesting
}

/** The paths of `table`'s relationships that `nesting` names, from the first name to the deepest. */
function relationshipPaths(table: TableModel, nesting: Nesting, prefix: readonly string[]): string[][] {
  const paths: string[][] = []
  for (const [name, deeper] of nesting) {
    const relationship = table.relationships.get(name)
    if (!relationship) continue
    const path = [...prefix, name]
    const longer = relationshipPaths(relationship.target, deeper, path)
    paths.push(...(longer.length > 0 ? longer : [path]))
  }
  return paths
}
