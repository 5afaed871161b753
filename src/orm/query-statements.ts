/**
 * The statements of `select()` queries on one engine, one per query shape, and how their rows are read:
 * each shape is built with Kysely once (building and compiling a select takes ~20 µs), and later queries
 * of that shape only bind their values. A select object run again (built once, run per request with its
 * bind parameters) is not even walked for its shape (~5 µs): its statement and values are kept with it.
 */
import type { Compilable, CompiledQuery } from 'kysely'
import { InvalidQueryError, NotSupportedError } from '../errors.ts'
import type { Dialect } from '../engine/dialect/dialect.ts'
import type { Engine } from '../engine/engine.ts'
import { ARRAY_ROWS, bind, ONE_ARRAY, type Statement } from '../engine/statement.ts'
import { AliasedTable } from '../model/alias.ts'
import type { ValueNode } from '../model/expression.ts'
import type { FieldKind } from '../model/field.ts'
import { BoundValues, type ParamValues } from './bind-params.ts'
import { buildCount, buildQuery, subquery, unpaged, type SqlContext } from './compile.ts'
import { isEntity } from './joins.ts'
import { compiledOf, itemsOf, keepCompiled, type AnySelect } from './select.ts'
import { shapeOf } from './shape.ts'
import { bindsInOrder, perEngine, ShapeCache } from './shape-cache.ts'
import { statementsFor, type Decoder, type TableStatements } from './statements.ts'

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

/**
 * A select bound to a run's params: its statement, and for a select of items, how its rows are read.
 *
 * @example
 * const { statement, items } = queriesFor(engine).select(bySlug, { slug: 'dragons' })
 */
export interface BoundSelect {
  readonly statement: Statement
  readonly items: readonly ItemReader[]
}

/** A select's compiled SQL, and for a select of items, how its rows are read. */
interface Template {
  readonly compiled: CompiledQuery
  readonly items: readonly ItemReader[]
}

/** A select object's template, and the values it binds: its own, and slots for its bind parameters. */
interface Prepared extends Template {
  readonly values: BoundValues
}

/**
 * What one engine's statements compiled a select object to, kept with the select (`keepCompiled`): its
 * statement, and its count's. A select run by another engine keeps that one's instead.
 *
 * @example
 * compiledOf(query) // { owner: queriesFor(engine), select: { compiled, items, values }, count: undefined }
 */
export interface CompiledSelect {
  readonly owner: QueryStatements
  select: Prepared | undefined
  count: Prepared | undefined
}

/**
 * The compiled selects and counts of one engine, by shape.
 *
 * @example
 * const { statement, items } = queriesFor(engine).select(select(Hero, Team).join(Team))
 */
export class QueryStatements {
  readonly #engine: Engine
  /** What the templates are compiled with: bind parameters compile to the slots each run fills. */
  readonly #context: SqlContext
  readonly #selects = new ShapeCache<Template>()
  readonly #counts = new ShapeCache<Template>()

  constructor(engine: Engine) {
    this.#engine = engine
    this.#context = { db: engine.db, dialect: engine.dialect, params: true }
  }

  /**
   * The statement of `query` with the values `params` gives its bind parameters, and how to read each
   * selected item from its rows.
   * @throws {InvalidQueryError} for a subquery run on its own: it refers to tables it does not read; for
   * `params` that miss a bind parameter of `query`, or name one it has not.
   */
  select(query: AnySelect, params?: ParamValues): BoundSelect {
    const compiled = this.#compiledOf(query)
    let prepared = compiled.select
    if (prepared === undefined) {
      refuseCorrelated(query)
      prepared = compiled.select = this.#prepare(this.#selects, query, (context) =>
        buildQuery(query, context),
      )
    }
    return {
      statement: bind(prepared.compiled, prepared.values.bind(params), ARRAY_ROWS),
      items: prepared.items,
    }
  }

  /**
   * `SELECT count(*) FROM (<query>)`, its paging left out (see {@link buildCount}). `params` are those of
   * `query`: its paging's are checked, and not bound.
   */
  count(query: AnySelect, params?: ParamValues): Statement {
    const compiled = this.#compiledOf(query)
    let prepared = compiled.count
    if (prepared === undefined) {
      refuseCorrelated(query)
      const unpagedQuery = unpaged(query)
      const { limit, offset } = query.state
      const paging = [limit, offset].flatMap((page) => (typeof page === 'object' ? [page.name] : []))
      prepared = compiled.count = this.#prepare(
        this.#counts,
        unpagedQuery,
        (context) => buildCount(unpagedQuery, context),
        paging,
      )
    }
    return bind(prepared.compiled, prepared.values.bind(params), ONE_ARRAY)
  }

  /**
   * What these statements compiled `query` to, kept with it: a select is immutable, so what it compiles
   * to and binds never changes, and it goes with the select when that is collected. (Kept on the select
   * rather than in a WeakMap, whose entry for each select built per call would cost ~1.5 µs.)
   */
  #compiledOf(query: AnySelect): CompiledSelect {
    const kept = compiledOf(query)
    if (kept?.owner === this) return kept
    const compiled: CompiledSelect = { owner: this, select: undefined, count: undefined }
    keepCompiled(query, compiled)
    return compiled
  }

  /** `query`'s template, from the cache of its shape or built, and its values; `others` as {@link BoundValues}'. */
  #prepare(
    templates: ShapeCache<Template>,
    query: AnySelect,
    build: (context: SqlContext) => Compilable,
    others?: readonly string[],
  ): Prepared {
    const values: unknown[] = []
    const shape = shapeOf(query, values, this.#engine.dialect)
    let template = templates.get(shape)
    if (template === undefined) {
      const compiled = build(this.#context).compile()
      const items = readersOf(this.#engine, query)
      if (!bindsInOrder(compiled, values)) {
        return { compiled, items, values: new BoundValues(compiled.parameters, others) }
      }
      templates.set(shape, (template = { compiled, items }))
    }
    return { ...template, values: new BoundValues(values, others) }
  }
}

/**
 * Refuses a correlated select run on its own: it refers to a table of an enclosing query.
 *
 * @example
 * refuseCorrelated(select(count()).selectFrom(Favorite).correlate(Article)) // throws InvalidQueryError
 */
export function refuseCorrelated(query: AnySelect): void {
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
    case 'param':
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
    // The SQL made this JSON an array, which pg parses itself.
    const array = typeof value === 'string' ? parseArray(value) : (value as unknown[])
    return element === undefined ? array : array.map((item) => (item === null ? null : element(item)))
  }
}

/**
 * `json`, which only a cut can have made invalid: MariaDB's JSON_ARRAYAGG stops at `max_allowed_packet`
 * with a warning. The parser's message is not kept: it quotes the text, which holds the rows' values.
 */
function parseArray(json: string): unknown[] {
  try {
    return JSON.parse(json) // `any`: an array, as above
  } catch {
    throw new NotSupportedError(
      `arraySubquery(): the database cut an array's JSON short (${json.length} characters), so it cannot be read. MariaDB's JSON_ARRAYAGG stops at max_allowed_packet: raise it, page the subquery with limit(), or load the rows with selectinload().`,
    )
  }
}

/** The select statements of `engine`, built on first use. */
export const queriesFor = perEngine((engine) => new QueryStatements(engine))
