/**
 * The encoder's date text: the same as `toISOString()` for every date, across leap years, centuries, the
 * ends of the four-digit years and out of them, where it is `toISOString()`'s own.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isoDatetime } from '../../src/model/iso-datetime.ts'

test('isoDatetime writes what toISOString writes', () => {
  const edges = [
    0,
    -1,
    Date.UTC(1970, 0, 1, 0, 0, 0, 1),
    Date.UTC(1969, 11, 31, 23, 59, 59, 999),
    Date.UTC(2000, 1, 29, 12, 0, 0, 5),
    Date.UTC(1900, 1, 28, 23, 59, 59, 99),
    Date.UTC(2100, 2, 1),
    Date.UTC(2024, 1, 29),
    Date.UTC(2026, 11, 31, 23, 59, 59, 999),
    new Date('0000-01-01T00:00:00.000Z').getTime(),
    new Date('0000-01-01T00:00:00.000Z').getTime() - 1, // -000001-12-31T23:59:59.999Z
    new Date('0999-12-31T23:59:59.999Z').getTime(),
    new Date('9999-12-31T23:59:59.999Z').getTime(),
    new Date('9999-12-31T23:59:59.999Z').getTime() + 1, // +010000-01-01T00:00:00.000Z
    8.64e15,
    -8.64e15,
  ]
  for (const time of edges) {
    const date = new Date(time)
    assert.equal(isoDatetime(date), date.toISOString(), `time ${time}`)
  }
  // Every day of four centuries, and a spread of times of day.
  const start = Date.UTC(1800, 0, 1)
  for (let day = 0; day < 146_097; day++) {
    const date = new Date(start + day * 86_400_000 + ((day * 7_919_123) % 86_400_000))
    assert.equal(isoDatetime(date), date.toISOString())
  }
})

test('an invalid date throws as toISOString throws', () => {
  assert.throws(() => isoDatetime(new Date(Number.NaN)), RangeError)
})
