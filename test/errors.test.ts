/** The error registry and docs/reference/errors.md agree: one row per code, the same meaning, a fix. */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, test } from 'node:test'
import * as onemodel from 'onemodel-ts'
import * as client from 'onemodel-ts/client'
import { ERROR_CODES, OnemodelError } from 'onemodel-ts'

const root = resolve(import.meta.dirname, '..')
const doc = readFileSync(join(root, 'docs/reference/errors.md'), 'utf8')

interface Row {
  code: string
  className: string
  meaning: string
  fix: string
}

const rows: Row[] = doc
  .split('\n')
  .filter((line) => /^\| `OM_/.test(line))
  .map((line) => {
    const [code, className, meaning, fix] = line
      .slice(1, -1)
      .split(' | ')
      .map((cell) => cell.trim())
    return {
      code: code!.replaceAll('`', ''),
      className: className!.replaceAll('`', ''),
      meaning: meaning!,
      fix: fix!,
    }
  })

/** Every `src/**.ts` file's text, to find where each code is thrown. */
function sources(dir = join(root, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [readFileSync(join(dir, entry.name), 'utf8')]
        : [],
  )
}

describe('error registry', () => {
  test('every code in ERROR_CODES has exactly one row in docs/reference/errors.md', () => {
    const documented = rows.map((row) => row.code)
    for (const code of Object.keys(ERROR_CODES)) {
      assert.equal(
        documented.filter((c) => c === code).length,
        1,
        `${code} needs one row in docs/reference/errors.md`,
      )
    }
  })

  test('every documented code exists in ERROR_CODES', () => {
    for (const row of rows) {
      assert.ok(
        row.code in ERROR_CODES,
        `docs/reference/errors.md documents ${row.code}, which ERROR_CODES lacks`,
      )
    }
  })

  test('each row repeats the registry meaning word for word and says how to fix it', () => {
    for (const row of rows) {
      assert.equal(
        row.meaning,
        ERROR_CODES[row.code as onemodel.ErrorCode],
        `${row.code}: the meaning drifted`,
      )
      assert.ok(row.fix.length > 20, `${row.code}: the Fix column must say what to do`)
    }
  })

  test('each row names an error class exported by onemodel-ts or onemodel-ts/client', () => {
    for (const row of rows) {
      const exported = ({ ...onemodel, ...client } as Record<string, unknown>)[row.className]
      assert.ok(
        typeof exported === 'function' &&
          (exported === OnemodelError || exported.prototype instanceof OnemodelError),
        `${row.code}: ${row.className} is not an exported OnemodelError class`,
      )
    }
  })

  test('every code is used somewhere in src, so none is dead', () => {
    const text = sources()
      .map((source) => source.replace(/export const ERROR_CODES = \{[\s\S]*?\} as const/, ''))
      .join('\n')
    for (const code of Object.keys(ERROR_CODES)) {
      assert.ok(text.includes(`'${code}'`), `${code} is registered but nothing in src throws it`)
    }
  })

  test('codes follow OM_<AREA>_<WHAT>', () => {
    for (const code of Object.keys(ERROR_CODES)) assert.match(code, /^OM_[A-Z]+_[A-Z_]+$/)
  })
})
