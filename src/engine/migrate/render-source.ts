/**
 * The layout and literals of generated migration source: calls chained and wrapped as Prettier would, so the
 * files pass a format check, and values written as JavaScript literals.
 */
import type { FillValue } from '../schema.ts'

/** `name` as a double-quoted SQL identifier, for the constraint clauses a SQLite rebuild takes as text. */
export function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/**
 * `  await db.schema.a().b().execute()` (or `db.a()…`), laid out as Prettier would (the files then pass a
 * format check): one line per call when the line is too long or a call takes a function.
 */
export function chain(calls: readonly string[], receiver: 'db.schema' | 'db' = 'db.schema'): string {
  const all = [...calls, 'execute()']
  const oneLine = `  await ${receiver}.${all.join('.')}`
  if (oneLine.length <= WIDTH && !(all.length > 2 && all.some((call) => call.includes('=>')))) return oneLine
  return [`  await ${receiver}`, ...all.map((call) => fitCall(`    .${call}`))].join('\n')
}

/** The line width of the project's Prettier configuration, which generated files follow. */
export const WIDTH = 110

/** A call whose last argument is an arrow function, with the arrow's body on its own line when too long. */
function fitCall(line: string): string {
  if (line.length <= WIDTH) return line
  const arrow = /^(\s*)(.*, \(\w+\) =>) (.*)\)$/.exec(line)
  if (!arrow) return line
  const [, indent, head, body] = arrow as unknown as [string, string, string, string]
  return `${indent}${head}\n${indent}  ${body},\n${indent})`
}

/** `    key: [a, b],` on one line, or one item per line when too long. */
export function fitList(indent: string, key: string, items: readonly string[]): string {
  const oneLine = `${indent}${key}: [${items.join(', ')}],`
  if (oneLine.length <= WIDTH) return oneLine
  return [`${indent}${key}: [`, ...items.map((item) => `${indent}  ${item},`), `${indent}],`].join('\n')
}

/** `text` as a single-quoted JavaScript string literal, with every character that needs it escaped. */
export function stringLiteral(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'")}'`
}

/** A fill value as JavaScript source: `'none'`, `1`, `true`, `10n`. */
export function valueLiteral(value: FillValue): string {
  switch (typeof value) {
    case 'string':
      return stringLiteral(value)
    case 'bigint':
      return `${value}n`
    default:
      return String(value)
  }
}

/** `['a', 'b']`: a list of string literals. */
export function strings(texts: readonly string[]): string {
  return `[${texts.map(stringLiteral).join(', ')}]`
}

/** `name` as an object key: bare when it is an identifier, quoted otherwise. */
export function key(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : stringLiteral(name)
}

/** Comment lines wrapped at about 100 characters, list items indented under their dash. */
export function wrapComment(lines: readonly string[]): string[] {
  const out: string[] = []
  for (const line of lines) {
    const indent = line.startsWith('- ') ? '  ' : ''
    let rest = line
    while (rest.length > 100) {
      const cut = rest.lastIndexOf(' ', 100)
      if (cut <= indent.length) break
      out.push(rest.slice(0, cut))
      rest = indent + rest.slice(cut + 1)
    }
    out.push(rest)
  }
  return out
}
