/**
 * Reads the `CREATE TABLE` text SQLite keeps in `sqlite_master`, the only place that remembers constraint
 * names, and edits it for the table-rebuild recipe. A small scanner, not a SQL parser: it splits the
 * definition list at top-level commas, respecting parentheses, quotes and comments.
 */

/** A `CREATE TABLE` statement cut into the text before the definitions, the definitions, and the rest. */
export interface CreateTableParts {
  /** `CREATE TABLE "hero" (` */
  readonly head: string
  /** Column definitions and table constraints, trimmed, in order. */
  readonly items: readonly string[]
  /** `)` and any table options (`WITHOUT ROWID`, `STRICT`). */
  readonly tail: string
}

export function splitCreateTable(text: string): CreateTableParts {
  const open = findOpenParen(text)
  const items: string[] = []
  let depth = 0
  let start = open + 1
  for (let i = open + 1; i < text.length; i++) {
    const ch = text[i]!
    if (ch === "'" || ch === '"' || ch === '`' || ch === '[') {
      i = skipQuoted(text, i)
    } else if (ch === '-' && text[i + 1] === '-') {
      i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i)
    } else if (ch === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i) === -1 ? text.length : text.indexOf('*/', i) + 1
    } else if (ch === '(') depth++
    else if (ch === ')') {
      if (depth === 0) {
        items.push(text.slice(start, i).trim())
        return {
          head: text.slice(0, open + 1),
          items: items.filter((item) => item !== ''),
          tail: text.slice(i),
        }
      }
      depth--
    } else if (ch === ',' && depth === 0) {
      items.push(text.slice(start, i).trim())
      start = i + 1
    }
  }
  throw new Error(`Cannot read the column list of: ${text}`)
}

/** The `(` that opens the definition list: the first one outside the (possibly quoted) table name. */
function findOpenParen(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (ch === "'" || ch === '"' || ch === '`' || ch === '[') i = skipQuoted(text, i)
    else if (ch === '(') return i
  }
  throw new Error(`Not a CREATE TABLE statement: ${text}`)
}

/** The index of the character that closes the quoted text starting at `start`. */
function skipQuoted(text: string, start: number): number {
  const close = text[start] === '[' ? ']' : text[start]!
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === close) {
      // A doubled quote is an escaped quote inside the text.
      if (close !== ']' && text[i + 1] === close) i++
      else return i
    }
  }
  return text.length
}

const CONSTRAINT_START = /^(constraint|primary\s+key|unique|check|foreign\s+key)\b/i

/** The item is a table constraint, not a column definition. */
export function isTableConstraint(item: string): boolean {
  return CONSTRAINT_START.test(item)
}

const IDENTIFIER = /^\s*("(?:[^"]|"")*"|`[^`]*`|\[[^\]]*\]|[^\s(,]+)/

/** The first identifier of the text, unquoted, and the text after it. */
export function readIdentifier(text: string): { name: string; rest: string } {
  const match = IDENTIFIER.exec(text)
  if (!match) return { name: '', rest: text }
  const raw = match[1]!
  const name =
    raw.startsWith('"') || raw.startsWith('`') || raw.startsWith('[')
      ? raw.slice(1, -1).replaceAll('""', '"')
      : raw
  return { name, rest: text.slice(match[0].length) }
}

/** The name of a `constraint "name" …` item, or `undefined` for an unnamed constraint. */
export function constraintName(item: string): string | undefined {
  if (!/^constraint\b/i.test(item)) return undefined
  return readIdentifier(item.slice('constraint'.length)).name
}

/** The comma-separated identifiers inside the first parentheses of the text: `unique ("a", "b")` → `['a', 'b']`. */
export function parenthesizedNames(text: string): string[] {
  const match = /\(([^)]*)\)/.exec(text)
  if (!match) return []
  return match[1]!.split(',').map((part) => readIdentifier(part).name)
}

/** A double-quoted SQLite identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/**
 * A column definition with a new type and/or nullability; every other clause (primary key, default,
 * collate, references, check) is kept as written.
 */
export function alterColumnDefinition(item: string, change: { type?: string; nullable?: boolean }): string {
  const { name, rest } = readIdentifier(item)
  // The type is every word before the first column constraint keyword.
  const constraintAt = rest.search(
    /\b(constraint|primary|not|null|unique|check|default|collate|references|generated|as)\b/i,
  )
  let type = (constraintAt === -1 ? rest : rest.slice(0, constraintAt)).trim()
  let clauses = (constraintAt === -1 ? '' : rest.slice(constraintAt)).trim()
  if (change.type !== undefined) type = change.type
  if (change.nullable !== undefined) {
    clauses = clauses
      .replace(/\bnot\s+null\b(\s+on\s+conflict\s+\w+)?/gi, '')
      .replace(/(?<!\bdefault\s+)\bnull\b/gi, '')
      .replace(/\s+/g, ' ')
      .trim()
    if (!change.nullable) clauses = clauses === '' ? 'not null' : `not null ${clauses}`
  }
  return [quoteIdentifier(name), type, clauses].filter((part) => part !== '').join(' ')
}
