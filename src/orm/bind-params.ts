/**
 * Bind parameters at run time: the places in a compiled select's bound values that `bindParam()` holds,
 * and how a run's `params` fill them. The SQL text and every other value are the template's, so a select
 * built once runs with new values without being walked or compiled again.
 */
import { InvalidQueryError } from '../errors.ts'

/**
 * The values a run gives a select's bind parameters, by name (SQLModel's `params=`).
 *
 * @example
 * const params: ParamValues = { slug: 'how-to-train-your-dragon', viewer: null }
 */
export type ParamValues = Readonly<Record<string, unknown>>

/**
 * The place of one bind parameter among a statement's bound values: it stands there in the template, and
 * a run puts its value there, encoded as a literal value in its place is.
 *
 * @example
 * new ParamSlot('limit', (value) => value).encode(20) // 20
 */
export class ParamSlot {
  readonly name: string
  readonly encode: (value: unknown) => unknown

  constructor(name: string, encode: (value: unknown) => unknown) {
    this.name = name
    this.encode = encode
  }
}

/**
 * A compiled select's bound values, with a {@link ParamSlot} where each bind parameter goes, and the
 * parameters a run must give: those of its slots, and `others` (a count leaves out its select's paging, but
 * is run with the same params).
 *
 * @example
 * const values = new BoundValues([new ParamSlot('slug', (v) => v), 1])
 * values.bind({ slug: 'dragons' }) // ['dragons', 1]
 */
export class BoundValues {
  readonly #values: readonly unknown[]
  readonly #slots: readonly { readonly index: number; readonly slot: ParamSlot }[]
  readonly #names: ReadonlySet<string>
  /** What the statement is called in an error: `The select`, `insert(Team).fromSelect()`. */
  readonly #statement: string

  /** `values` is handed over: it is frozen, not copied. */
  constructor(values: readonly unknown[], others: readonly string[] = NONE, statement = 'The select') {
    const slots: { index: number; slot: ParamSlot }[] = []
    for (let index = 0; index < values.length; index++) {
      const slot = values[index]
      if (slot instanceof ParamSlot) slots.push({ index, slot })
    }
    // Frozen: a select without bind parameters hands these same values to every run's statement.
    this.#values = Object.freeze(values)
    this.#slots = slots
    this.#statement = statement
    this.#names =
      slots.length === 0 && others.length === 0
        ? NO_NAMES
        : new Set([...others, ...slots.map(({ slot }) => slot.name)])
  }

  /**
   * The values to bind in a run given `params`: the template's own when it has no bind parameter. `null`,
   * which JavaScript may pass, gives no parameter, as `undefined` does.
   * @throws {InvalidQueryError} naming the parameters missing from `params`, or those it has and the
   * statement does not.
   */
  bind(params: ParamValues | null | undefined): readonly unknown[] {
    const supplied = params ?? undefined
    if (!paramsFit(this.#names, supplied)) throw paramsMismatch(this.#names, supplied, this.#statement)
    if (supplied === undefined || this.#slots.length === 0) return this.#values
    const values = [...this.#values]
    for (const { index, slot } of this.#slots) values[index] = slot.encode(supplied[slot.name])
    return values
  }
}

/**
 * `params` has a value for every one of `names`, and no other: its own keys, as the error names them.
 * `null` and `undefined` give no parameter.
 *
 * @example
 * paramsFit(new Set(['slug']), { slug: 'dragons' }) // true
 */
export function paramsFit(names: ReadonlySet<string>, params: ParamValues | null | undefined): boolean {
  if (params === undefined || params === null) return names.size === 0
  for (const name of names) if (!given(params, name)) return false
  for (const name of Object.keys(params)) if (!names.has(name)) return false
  return true
}

/**
 * The error for `params` that do not fit `names` ({@link paramsFit}): the parameters missing, the names
 * unknown, and those `statement` (`'The select'`, `'insert(Hero)'`) has.
 *
 * @example
 * throw paramsMismatch(new Set(['slug']), {}, 'The select') // No value for the bind parameter "slug": …
 */
export function paramsMismatch(
  names: ReadonlySet<string>,
  params: ParamValues | null | undefined,
  statement: string,
): InvalidQueryError {
  const supplied = params ?? undefined
  const missing = [...names].filter((name) => supplied === undefined || !given(supplied, name))
  const unknown = Object.keys(supplied ?? {}).filter((name) => !names.has(name))
  const declared =
    names.size === 0 ? `${statement} has no bind parameter.` : `${statement}'s parameters: ${list(names)}.`
  const problems: string[] = []
  if (missing.length > 0) {
    problems.push(
      `No value for the bind parameter${missing.length > 1 ? 's' : ''} ${list(missing)}: pass ${missing.length > 1 ? 'them' : 'it'} in params, as session.exec(query, { params: { ${missing[0]}: … } }); null binds SQL NULL.`,
    )
  }
  if (unknown.length > 0) {
    problems.push(`Unknown bind parameter${unknown.length > 1 ? 's' : ''} ${list(unknown)} in params.`)
  }
  return new InvalidQueryError(`${problems.join(' ')} ${declared}`)
}

/** `params` has a value for `name`, of its own: `bindParam('constructor')` is not given by every object. */
function given(params: ParamValues, name: string): boolean {
  return Object.hasOwn(params, name) && params[name] !== undefined
}

const NONE: readonly string[] = []
/** No bind parameter: what a statement without one accepts. */
export const NO_NAMES: ReadonlySet<string> = new Set()

function list(names: Iterable<string>): string {
  return [...names].map((name) => JSON.stringify(name)).join(', ')
}
