/** An assertion of what error a call refuses with, for `assert.throws()` and `assert.rejects()`. */
import assert from 'node:assert/strict'

/**
 * A check that the error is a `type` whose message has every one of `parts`.
 *
 * @example
 * await assert.rejects(session.exec(query), refused(InvalidQueryError, '"name"'))
 */
export function refused(type: abstract new (...args: never[]) => Error, ...parts: string[]) {
  return (error: unknown): true => {
    assert.ok(error instanceof type, String(error))
    for (const part of parts) assert.ok(error.message.includes(part), `${error.message} names ${part}`)
    return true
  }
}
