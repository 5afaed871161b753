/**
 * What a 422 answer shows of the input it echoes: the value itself when it is small, as FastAPI shows it,
 * and a short excerpt of a large one, so that an error answer never repeats kilobytes the client sent (a
 * 10 KB query value that is not an integer, a megabyte string over a `maxLength`).
 */
import type { ValidationIssue } from '../model/validation-error.ts'

/** Characters of a string shown before `…`. */
const EXCERPT_STRING_LENGTH = 100
/** Items of an array, or keys of an object, shown before the rest is left out. */
const EXCERPT_ENTRIES = 20
/** Levels of nesting shown; deeper values are `'…'`. */
const EXCERPT_DEPTH = 16

/**
 * The issues with each `input` cut to an excerpt; issues whose input is already small are returned as they
 * are, so a usual 422 costs one walk over small values.
 *
 * @example
 * excerptIssues([{ type: 'int_parsing', loc: ['query', 'limit'], msg: '…', input: '9'.repeat(10_000) }])
 * // input: '9999…9999…' (100 characters and an ellipsis)
 */
export function excerptIssues(issues: readonly ValidationIssue[]): ValidationIssue[] {
  return issues.map((issue) => {
    const input = excerpt(issue.input, 0)
    return input === issue.input ? issue : { ...issue, input }
  })
}

/** The first characters of `text` and `…`, never half of a surrogate pair (an emoji cut in two). */
function shorten(text: string): string {
  const end = EXCERPT_STRING_LENGTH
  const high = text.charCodeAt(end - 1)
  return `${text.slice(0, high >= 0xd800 && high <= 0xdbff ? end - 1 : end)}…`
}

function excerpt(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length > EXCERPT_STRING_LENGTH ? shorten(value) : value
  if (typeof value !== 'object' || value === null || value instanceof Date) return value
  if (depth >= EXCERPT_DEPTH) return '…'
  if (Array.isArray(value)) {
    const items = value.length > EXCERPT_ENTRIES ? value.slice(0, EXCERPT_ENTRIES) : value
    const cut = items.map((item) => excerpt(item, depth + 1))
    return items === value && cut.every((item, index) => item === value[index]) ? value : cut
  }
  const entries = Object.entries(value)
  const kept = entries.length > EXCERPT_ENTRIES ? entries.slice(0, EXCERPT_ENTRIES) : entries
  const cut = kept.map(([key, item]) => [key, excerpt(item, depth + 1)] as const)
  const same = kept === entries && cut.every(([, item], index) => item === kept[index]![1])
  return same ? value : Object.fromEntries(cut)
}
