/**
 * A many-to-many collection's changes before a flush: the rows appended and removed become link rows to
 * insert and delete, and the partner collections that are loaded follow. The foreign keys of one-to-many
 * and many-to-one are relationship-sync.ts.
 */
import { relationshipValue } from '../model/relationship-values.ts'
import type { Relationship } from '../model/relationship.ts'
import type { LinkChanges } from './link-rows.ts'
import type { TrackedRows } from './tracked-rows.ts'

/**
 * A many-to-many's rows appended and removed since its last flush become link rows to insert and delete.
 * The partner collections that are loaded follow, as one-to-many's many-to-ones do. `add` takes in a row
 * the collection reaches (the Session's `add`).
 */
export function linkPairs(
  rows: TrackedRows,
  add: (row: object) => void,
  row: object,
  relationship: Relationship,
  inCurrent: ReadonlySet<object>,
  inBefore: ReadonlySet<object>,
  pairs: LinkChanges,
): void {
  const back = relationship.backPopulates
  for (const target of inCurrent) {
    if (inBefore.has(target)) continue
    if (!rows.has(target)) add(target)
    pairs.add(relationship, row, target)
    const partners = back && (relationshipValue(target, back.name) as object[] | undefined)
    if (partners && !partners.includes(row)) {
      partners.push(row)
      followed(rows, target)
    }
  }
  for (const target of inBefore) {
    if (inCurrent.has(target)) continue
    pairs.remove(relationship, row, target)
    const partners = back && (relationshipValue(target, back.name) as object[] | undefined)
    const at = partners ? partners.indexOf(row) : -1
    if (at >= 0) {
      partners!.splice(at, 1)
      followed(rows, target)
    }
  }
}

/** `row`'s partner collection followed a change: the flush takes what it holds as written. */
function followed(rows: TrackedRows, row: object): void {
  if (rows.has(row)) rows.related.add(row)
}
