/**
 * The statements of `select()` queries on one engine, one per query shape, and how their rows are read:
 * each shape is built with Kysely once (building and compiling a select takes ~20 µs), and later queries
 * of that shape only bind their values.
 */
import type { Compilable, CompiledQuery } from 'kysely'
import { InvalidQueryError } from '../errors.ts'
import type { Dialect } from '../engine/dialect/dialect.ts'
import type { Engine } from '../engine/engine.ts'
import { ARRAY_ROWS, bind, ONE_ARRAY, type RowShape, type Statement } from '../engine/statement.ts'
import { AliasedTable } from '../model/alias.ts'
import type { ValueNode } from '../model/expression.ts'
import type { FieldKind } from '../model/field.ts'
import { buildCount, buildQuery, subquery, unpaged, type SqlContext } from './compile.ts'
import { isEntity } from './joins.ts'
import { itemsOf, type AnySelect } from './select.ts'
import { shapeOf } from './shape.ts'
import { sameValues, statementsFor, type Decoder, type TableStatements } from './statements.ts'

/**
 * How one selected item is read from a result row (an array): a table's rows from `width` columns at
 * `start`, null where its key is (a left join that found none); a value from the column at `index`.
 */
export type ItemReader =
  | {
      readonly kind: 'entity'
      readonly statements: TableStatements
      readonly start: number
      readonly width: number
      /** Where the table's (first) primary key field is in the row: null there when a left join found none. */
      readonly key: number
    }
  | { readonly kind: 'value'; readonly index: number; readonly decode: Decoder | undefined }

/** A select's compiled SQL, and for a select of items, how its rows are read. */
interface Template {
  readonly compiled: CompiledQuery
  readonly items: readonly ItemReader[]
}

/** Shapes kept per engine: an `in` list makes one shape per length, so the cache must be bounded. */
const MAX_SHAPES = 1000

/**
 * The compiled selects and counts of one engine, by shape.
 *
 * @example
 * const { statement, items } = queriesFor(engine).select(select(Hero, Team).join(Team))
 */
export class QueryStatements {
  readonly #engine: Engine
  readonly #selects = new Map<string, Template>()
  readonly #counts = new Map<string, Template>()

  constructor(engine: Engine) {
    this.#engine = engine
  }

  /**
   * The statement of `query`, and how to read each selected item from its rows.
   * @throws {InvalidQueryError} for a subquery run on its own: it refers to tables it does not read.
   */
  select(query: AnySelect): { statement: Statement; items: readonly ItemReader[] } {
    refuseCorrelated(query)
    return this.#cached(this.#selects, query, (context) => buildQuery(query, context), ARRAY_ROWS)
  }

  /** `SELECT count(*) FROM (<query>)`, its paging left out (see {@link buildCount}). */
  count(query: AnySelect): Statement {
    refuseCorrelated(query)
    const unpagedQuery = unpaged(query)
    return this.#cached(this.#counts, unpagedQuery, (context) => buildCount(unpagedQuery, context), ONE_ARRAY)
      .statement
  }

  #cached(
    templates: Map<string, Template>,
    query: AnySelect,
    build: (context: SqlContext) => Compilable,
    rows: RowShape,
  ): { statement: Statement; items: readonly ItemReader[] } {
    const parameters: unknown[] = []
    const shape = shapeOf(query, parameters, this.#engine.dialect)
    let template = templates.get(shape)
    if (template === undefined) {
      const compiled = build(this.#engine).compile()
      const items = readersOf(this.#engine, query)
      // The cache relies on Kysely binding the values in the order shapeOf visits them. Checked once per
      // shape; a shape where the two differ (or a plugin that adds bound values) is compiled every time.
      if (!sameValues(compiled.parameters, parameters)) {
        return { statement: bind(compiled, compiled.parameters, rows), items }
      }
      if (templates.size >= MAX_SHAPES) templates.delete(templates.keys().next().value!)
      templates.set(shape, (template = { compiled, items }))
    }
    return { statement: bind(template.compiled, parameters, rows), items: template.items }
  }
}

function refuseCorrelated(query: AnySelect): void {
  const [outer] = query.state.correlated
  if (outer === undefined) return
  throw new InvalidQueryError(
    `select(…).correlate(${outer instanceof AliasedTable ? `alias(${outer.table.name}, '${outer.alias}')` : outer.name}): a correlated select refers to a table of an enclosing query, so it runs only inside one: exists(query), column.in(query) or query.scalarSubquery().`,
  )
}

/** How each item of `query` is read from its rows, whose columns follow the items in order. */
function readersOf(engine: Engine, query: AnySelect): ItemReader[] {
  const readers: ItemReader[] = []
  let column = 0
  for (const item of itemsOf(query)) {
    if (isEntity(item)) {
      const statements = statementsFor(engine, item instanceof AliasedTable ? item.table : item)
      const width = statements.layout.keys.length
      readers.push({
        kind: 'entity',
        statements,
        start: column,
        width,
        key: column + statements.layout.keyIndex,
      })
      column += width
    } else {
      readers.push({ kind: 'value', index: column, decode: decoderOf(item.node, engine.dialect) })
      column += 1
    }
  }
  return readers
}

/** A number the driver may give as text: PostgreSQL's bigint and numeric, MySQL's decimal. */
const toNumber: Decoder = (value) => (typeof value === 'number' ? value : Number(value))

/**
 * How a value of `node` the driver returns becomes its JavaScript value; `columnDecoder` says it for a
 * column's kind (the dialect's `jsonArrayElement` within an array subquery's JSON).
 */
function decoderOf(
  node: ValueNode,
  dialect: Dialect,
  columnDecoder: (kind: FieldKind) => Decoder | undefined = dialect.decoder,
): Decoder | undefined {
  switch (node.kind) {
    case 'column':
      return columnDecoder(node.column.field.kind)
    case 'value':
      return undefined
    case 'aggregate':
      if (node.fn === 'count' || node.fn === 'sum' || node.fn === 'avg') return toNumber
      return node.argument && decoderOf(node.argument, dialect, columnDecoder)
    case 'subquery': {
      const [item] = itemsOf(subquery(node.query))
      if (isEntity(item)) return undefined
      if (!node.array) return decoderOf(item!.node, dialect, columnDecoder)
      return arrayDecoder(decoderOf(item!.node, dialect, dialect.jsonArrayElement))
    }
  }
}

/** An array subquery's JSON (text, except from pg, which parses it) as an array of decoded elements. */
function arrayDecoder(element: Decoder | undefined): Decoder {
  return (value) => {
    // JSON.parse gives `any`: the SQL made this JSON an array.
    const array: unknown[] = typeof value === 'string' ? JSON.parse(value) : value
    return element === undefined ? array : array.map((item) => (item === null ? null : element(item)))
  }
}

const cache = new WeakMap<Engine, QueryStatements>()

/** The select statements of `engine`, built on first use. */
export function queriesFor(engine: Engine): QueryStatements {
  let queries = cache.get(engine)
  if (!queries) cache.set(engine, (queries = new QueryStatements(engine)))
  return queries
}
