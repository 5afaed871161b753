/**
 * The encoder's date text: the same as `toISOString()` for every date, across leap years, centuries, the
 * ends of the four-digit years and out of them, where it is `toISOString()`'s own. And SQLite's reader of
 * that text: the same dates as `new Date(text)`.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isoDatetime, parseIsoDatetime } from '../../src/model/iso-datetime.ts'

// First in the file: the readers' caches are empty yet.
test('empty text read first, and an invalid date written first, are invalid as new Date has them', () => {
  assert.ok(Number.isNaN(parseIsoDatetime('').getTime()))
  assert.throws(() => isoDatetime(new Date(Number.NaN)), RangeError)
})

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

test('a date written twice, or changed in place between, is written as it is now', () => {
  const date = new Date(Date.UTC(2026, 11, 5, 7, 33))
  assert.equal(isoDatetime(date), '2026-12-05T07:33:00.000Z')
  assert.equal(isoDatetime(new Date(date)), '2026-12-05T07:33:00.000Z')
  date.setUTCFullYear(2027)
  assert.equal(isoDatetime(date), '2027-12-05T07:33:00.000Z')
  assert.equal(isoDatetime(new Date(Date.UTC(2026, 11, 5, 7, 33))), '2026-12-05T07:33:00.000Z')
  assert.equal(isoDatetime(new Date(0)), '1970-01-01T00:00:00.000Z')
  assert.throws(() => isoDatetime(new Date(Number.NaN)), RangeError)
  assert.equal(isoDatetime(new Date(0)), '1970-01-01T00:00:00.000Z')
})

test('an invalid date throws as toISOString throws', () => {
  assert.throws(() => isoDatetime(new Date(Number.NaN)), RangeError)
})

test('parseIsoDatetime reads what new Date reads, in the canonical form and in every other', () => {
  const texts = [
    '2026-12-05T07:33:00.000Z',
    '1970-01-01T00:00:00.000Z',
    '1969-12-31T23:59:59.999Z',
    '2024-02-29T12:00:00.005Z',
    '2023-02-29T00:00:00.000Z', // no such day: both roll over to March 1st
    '2024-02-31T00:00:00.000Z',
    '2024-04-31T00:00:00.000Z',
    '2024-01-32T00:00:00.000Z',
    '2024-00-10T00:00:00.000Z',
    '2024-13-10T00:00:00.000Z',
    '2024-01-01T24:00:00.000Z',
    '2024-01-01T23:60:00.000Z',
    '2024-01-01T23:59:60.000Z',
    '0099-06-01T00:00:00.000Z', // Date.UTC would read 1999
    '0100-06-01T00:00:00.000Z',
    '9999-12-31T23:59:59.999Z',
    '2024-01-01T00:00:00.000+', // not the canonical form: new Date's answer
    '2024-01-01 00:00:00.000Z',
    '2024-01-01T00:00:00.00AZ',
    '2024-01-01T00:00:00Z',
    '2024-01-01T00:00:00.000+02:00',
    '+010000-01-01T00:00:00.000Z',
    '-000001-12-31T23:59:59.999Z',
    'not a date at all, 24 ch',
    '',
  ]
  for (const text of texts) {
    assert.equal(parseIsoDatetime(text).getTime(), new Date(text).getTime(), text)
  }
  // Every day of four centuries, at a spread of times of day.
  const start = Date.UTC(1800, 0, 1)
  for (let day = 0; day < 146_097; day++) {
    const text = new Date(start + day * 86_400_000 + ((day * 7_919_123) % 86_400_000)).toISOString()
    assert.equal(parseIsoDatetime(text).getTime(), new Date(text).getTime(), text)
  }
})

test('parseIsoDatetime reads one text twice into two dates, each of its own', () => {
  const text = '2026-12-05T07:33:00.000Z'
  const first = parseIsoDatetime(text)
  const second = parseIsoDatetime(`2026-12-05T07:33:00.000${'Z'}`)
  assert.notEqual(first, second)
  first.setUTCFullYear(2000)
  assert.equal(second.toISOString(), text)
  assert.equal(parseIsoDatetime(text).toISOString(), text)
  assert.equal(parseIsoDatetime('not a date at all, 24 ch').getTime(), Number.NaN)
  assert.equal(parseIsoDatetime(text).toISOString(), text)
})
