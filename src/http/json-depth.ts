/**
 * The nesting limit of JSON request bodies. `JSON.parse` reads any depth without recursion, but what comes
 * after it recurses: validating a `field.json()` value against its schema, echoing input in a 422 item, and
 * `JSON.stringify` of the answer, which overflows the stack (a `RangeError`) somewhere past a few thousand
 * levels. A body nested deeper than {@link MAX_JSON_DEPTH} is refused as invalid JSON before any of it runs,
 * so every later walk over request input has a bounded depth.
 */

/** How deep arrays and objects may nest in a JSON body, the body itself being level 1. */
export const MAX_JSON_DEPTH = 256

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d

/**
 * The position of the first `[` or `{` of valid JSON `text` that opens a level deeper than `limit`, or -1
 * when there is none. One pass over the characters, skipping strings, with no recursion.
 *
 * @example
 * tooDeepAt('[[1]]', 1) // 1
 * tooDeepAt('["[["]', 1) // -1
 */
export function tooDeepAt(text: string, limit = MAX_JSON_DEPTH): number {
  // Each level takes two characters, so a short text cannot be too deep: most bodies are not scanned.
  if (text.length <= 2 * limit) return -1
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === BACKSLASH) i++
      else if (c === QUOTE) inString = false
    } else if (c === QUOTE) inString = true
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > limit) return i
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--
  }
  return -1
}
