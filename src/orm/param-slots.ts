/**
 * Values as statement parameters: how a field's value is bound ({@link toParam}), and the slots where a
 * `bindParam()` stands in a compiled statement, each with the check and encoding its run's value gets
 * there. compile.ts puts the slots in the SQL, shape.ts collects them in binding order, and
 * bind-params.ts fills them at each run.
 */
import { InvalidQueryError } from '../errors.ts'
import { kindCoercerFor } from '../model/coerce.ts'
import type { ConditionNode } from '../model/condition.ts'
import { qualifiedName, type ParamNode } from '../model/expression.ts'
import type { AnyField } from '../model/field.ts'
import { Invalid } from '../model/invalid.ts'
import { ParamSlot } from './bind-params.ts'
import { isPageNumber, type PageParam } from './select.ts'

/**
 * A field value as a statement parameter. JSON goes as its text on every dialect: drivers would otherwise
 * send an array as a PostgreSQL array literal or an object as a MySQL `SET` list.
 */
export function toParam(field: AnyField | undefined, value: unknown): unknown {
  return field?.kind === 'json' && value !== null && value !== undefined ? JSON.stringify(value) : value
}

/** `%`, `_` and the escape character itself match literally. */
export function likePattern(text: string, match: 'contains' | 'startsWith' | 'endsWith'): string {
  const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`)
  return match === 'contains' ? `%${escaped}%` : match === 'startsWith' ? `${escaped}%` : `%${escaped}`
}

/** A text match: its slot is the pattern of the value given, as a literal's is of its text. */
type LikeNode = Extract<ConditionNode, { kind: 'like' }>

/**
 * Whether bind parameters may stand in the statement being compiled: a select's template, run with
 * `params`, takes them; a bulk write, which binds its values itself, does not.
 */
export interface SlotContext {
  readonly params?: boolean
}

const slots = new WeakMap<ParamNode | LikeNode | PageParam, ParamSlot>()

/**
 * The slot of a bind parameter's value, one per place it stands, so that the values a select's shape
 * collects and the ones Kysely binds hold the same slots, in the same order (see `shape.ts`). Its value
 * is encoded as a literal value in that place is: as the field it is compared with encodes it.
 */
export function paramSlot(node: ParamNode, context: SlotContext): ParamSlot {
  return slotAt(node, context, () => new ParamSlot(node.name, paramEncoder(node)))
}

/**
 * How a bind parameter's value is bound. Beside a column, it is first checked and converted by the rule
 * of the column's field kind, as `Model.create` converts an input (`'16'` is 16 for an integer): each
 * database would otherwise read a value of another type its own way (MariaDB `'abc'` as 0, SQLite as text
 * matching no integer, PostgreSQL as an error). The field's declared constraints do not apply, as a bound
 * may lie beyond them, and `null` binds SQL `NULL`.
 */
function paramEncoder({ name, field, column }: ParamNode): (value: unknown) => unknown {
  if (column === undefined) return (value) => toParam(field, value)
  const coerce = kindCoercerFor(column.field)
  return (value) => {
    if (value === null) return null
    const coerced = coerce(value)
    if (!(coerced instanceof Invalid)) return toParam(field, coerced)
    throw new InvalidQueryError(
      `bindParam(${JSON.stringify(name)}): expected a value of column ${qualifiedName(column)} (${column.field.kind}), got ${typeName(value)}: ${coerced.msg}.`,
      `${name}: ${coerced.msg}`,
    )
  }
}

/** The slot of a text match's bind parameter, `text`: its value is the text, matched literally. */
export function likeSlot(node: LikeNode, text: ParamNode, context: SlotContext): ParamSlot {
  return slotAt(node, context, () => {
    return new ParamSlot(text.name, (value) => {
      if (typeof value === 'string') return likePattern(value, node.match)
      throw new InvalidQueryError(
        `${node.match}(bindParam(${JSON.stringify(text.name)})): expected a string, got ${typeName(value)}.`,
        `${text.name} must be a string`,
      )
    })
  })
}

/** The slot of a limit's or offset's bind parameter: its value is checked as `limit()` checks a number. */
export function pageSlot(page: PageParam, context: SlotContext): ParamSlot {
  return slotAt(page, context, () => {
    return new ParamSlot(page.name, (value) => {
      if (isPageNumber(value)) return value
      throw new InvalidQueryError(
        `select().${page.method}(bindParam(${JSON.stringify(page.name)})): expected a whole number >= 0, got ${typeof value === 'number' ? value : typeName(value)}.`,
        `${page.name} must be a whole number >= 0`,
      )
    })
  })
}

function slotAt(place: ParamNode | LikeNode | PageParam, context: SlotContext, make: () => ParamSlot) {
  let slot = slots.get(place)
  if (slot === undefined) slots.set(place, (slot = make()))
  if (context.params) return slot
  throw new InvalidQueryError(
    `bindParam(${JSON.stringify(slot.name)}): bind parameters are given when a select or an insert runs, as session.exec(query, { params }). update() and deleteFrom() take the values themselves.`,
  )
}

/** What an error says a refused value is: its `typeof`, but `null` for null. */
function typeName(value: unknown): string {
  return value === null ? 'null' : typeof value
}
