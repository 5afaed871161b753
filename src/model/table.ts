import { ModelDefinitionError } from '../errors.ts'
import { Column } from './column.ts'
import { generatedKeyOf, type Fields } from './field.ts'
import { Model, type ValidationResult } from './model.ts'
import { ValidationError } from './validation-error.ts'
import { initNewRow, relationshipInput } from './relationship-values.ts'
import type { Relationship } from './relationship.ts'
import { observe } from './row.ts'
import { KEY_STRING_MAX_LENGTH } from './storable.ts'
import type {
  InputOf,
  NewRowOf,
  PrimaryKeyOf,
  PrimaryKeyValueOf,
  RowOf,
  SinglePrimaryKeyOf,
  ValueOf,
} from './types.ts'

/** A composite or named index of a table. Single-column indexes are declared on the field (`index: true`). */
export interface IndexDeclaration {
  columns: readonly string[]
  unique?: boolean
  /** Defaults to `ix_<table>_<col1>_<col2>` (`uq_…` when unique). */
  name?: string
}

/** Options of {@link table}. */
export interface TableOptions {
  /** Where `createAll` finds the table. Defaults to the process-wide {@link defaultMetadata}. */
  metadata?: Metadata
  /** Multi-column indexes. */
  indexes?: readonly IndexDeclaration[]
}

/** The typed column references of table `N`: `Hero.c.age`. */
export type Columns<N extends string, F extends Fields> = {
  readonly [K in keyof F & string]: Column<N, ValueOf<F[K]>>
}

/**
 * A model that is also a table (SQLModel's `table=True`). It validates like its model, and adds the table
 * name, typed column references under `c`, and the primary key. `R` holds the relationship properties its
 * rows gain from {@link relationships} (`team: Team | null`), type-only; `L` the relationships themselves,
 * under `rel`.
 */
export class TableModel<
  N extends string = string,
  F extends Fields = any,
  R = unknown,
  L extends {} = {},
> extends Model<F> {
  /** The row type, with its relationships: `typeof Hero.Type`. Type-only, `undefined` at runtime. */
  declare readonly Type: RowOf<F> & R
  /** The relationship properties of the rows. Type-only. */
  declare readonly '~relationships': R
  readonly tableName: N
  /** Column references for `where` and `orderBy`: `Hero.c.age.lt(30)`. */
  readonly c: Columns<N, F>
  /**
   * The name of the primary key field: a literal type (`'id'`), so `session.get()` knows the key's type.
   * `undefined` when the key has several fields: read {@link primaryKeys} then.
   */
  readonly primaryKey: SinglePrimaryKeyOf<F>
  /** The names of the primary key fields, in declaration order: `['id']`, or `['team_id', 'hero_id']`. */
  readonly primaryKeys: readonly PrimaryKeyOf<F>[]
  /** The key field the database assigns at insert (`'id'`), or `undefined` ({@link generatedKeyOf}). */
  readonly generatedKey: string | undefined
  readonly indexes: readonly Required<IndexDeclaration>[]
  readonly metadata: Metadata
  readonly #relationships = new Map<string, Relationship>()
  readonly #rel: Record<string, Relationship> = {}

  constructor(tableName: N, base: Model<F>, options: TableOptions = {}) {
    super(base.name, base.fields as F, base.options)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tableName)) {
      throw new ModelDefinitionError(
        `table(${JSON.stringify(tableName)}, ${base.name}): a table name must be letters, digits and underscores.`,
      )
    }
    this.tableName = tableName
    for (const [key, f] of Object.entries(base.fields as Fields)) {
      if (f.kind === 'model' || f.kind === 'list') {
        throw new ModelDefinitionError(
          `table(${JSON.stringify(tableName)}, ${base.name}): ${base.name}.${key} nests the model ${f.model!.name}, which is not a column. Nest models in output models only; store a JSON value with field.json().`,
        )
      }
    }
    // The brands that type these come from the same `primaryKey: true` options that are read here.
    this.primaryKeys = findPrimaryKeys(tableName, base) as PrimaryKeyOf<F>[]
    this.primaryKey = (
      this.primaryKeys.length === 1 ? this.primaryKeys[0] : undefined
    ) as SinglePrimaryKeyOf<F>
    this.generatedKey = generatedKeyOf(base.fields)
    this.c = Object.freeze(
      Object.fromEntries(
        Object.entries(base.fields).map(([key, f]) => [key, new Column(tableName, key, f, this)]),
      ),
    ) as Columns<N, F>
    this.indexes = (options.indexes ?? []).map((index) => checkIndex(tableName, base, index))
    this.metadata = options.metadata ?? defaultMetadata
    this.metadata.register(this)
    tablesByPrototype.set(this.rowPrototype, this)
  }

  /** The relationships declared for this table with {@link relationships}, by name. */
  get relationships(): ReadonlyMap<string, Relationship> {
    return this.#relationships
  }

  /**
   * The relationships by name, for queries: a join path (`.join(Hero.rel.team)`) and the predicates
   * `Team.rel.heroes.any(…)` and `Hero.rel.team.has(…)`.
   *
   * @example
   * select(Team).where(Team.rel.heroes.any(Hero.c.age.gt(40)))
   */
  get rel(): L {
    // `relationships()` fills the record with what L, computed from the same declarations, describes.
    return this.#rel as L
  }

  /** @internal Called by `relationships()`. */
  addRelationship(relationship: Relationship): void {
    this.#relationships.set(relationship.name, relationship)
    this.#rel[relationship.name] = relationship
  }

  /** Like `validate()`; a table's rows are observed rows, so whoever keeps them learns of their writes. */
  override safeValidate(input: unknown, loc?: readonly (string | number)[]): ValidationResult<NewRowOf<F>> {
    const result = super.safeValidate(input, loc)
    if (result.success) result.data = observe(result.data)
    return result
  }

  /**
   * Validates `input` into a new row; a new row's collections (`team.heroes`) start loaded and empty. A
   * relationship `input` gives as rows is set, as `create()` sets it; given as data (a request body), it
   * is dropped as any unknown key is, so a body never links rows the app did not link.
   */
  override validate(input: unknown): NewRowOf<F> & R {
    return this.#newRow(input, false)
  }

  /**
   * Validates typed data into a new row: `Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })`.
   * Relationships may be given too, as rows, new or loaded: `Team.create({ name, heroes: [Hero.create(…)] })`
   * sets them as assigning them after would, and `session.add(team)` then saves every row they reach.
   * @throws {OnemodelError} `OM_ORM_NOT_A_ROW` for a relationship given something else than its rows.
   */
  override create(data: CreateInputOf<F, R>): NewRowOf<F> & R {
    return this.#newRow(data, true)
  }

  /**
   * @internal The column values of `input`, validated as {@link create} validates them, defaults applied:
   * what an `INSERT` of it writes, as a plain object of the fields it sets. Not a row: nothing observes it
   * and no relationship is set, which an `insert(…).values()` built per request need not pay for. A key
   * that is no field, a relationship's too, is dropped, or refused with `extra: 'forbid'`, as `validate()`
   * of a model without relationships treats it.
   * @throws {ValidationError} with one issue per invalid field.
   */
  columnValues(input: unknown): Record<string, unknown> {
    const result = super.safeValidate(input)
    if (!result.success) throw new ValidationError(this.name, result.issues)
    const row = result.data as Record<string, unknown>
    const values: Record<string, unknown> = {}
    for (const key in this.fields) if (row[key] !== undefined) values[key] = row[key]
    return values
  }

  #newRow(input: unknown, strict: boolean): NewRowOf<F> & R {
    if (this.#relationships.size === 0) return super.validate(input) as NewRowOf<F> & R
    const related = relationshipInput(this, input, strict)
    // The relationships are not fields: an input that forbids extra keys must not see them.
    const fields = related && this.options.extra === 'forbid' ? withoutKeys(input, related) : input
    const row = super.validate(fields)
    initNewRow(this, row, related, `${this.name}.${strict ? 'create' : 'validate'}`)
    return row as NewRowOf<F> & R
  }
}

/**
 * What `create()` of a table accepts: its fields' input, and each relationship, optional, with the rows it
 * holds (`team?: Team | null`, `heroes?: Hero[]`).
 *
 * @example
 * type TeamInput = CreateInputOf<typeof Team.fields, typeof Team['~relationships']>
 * // { name: string; headquarters: string; id?: number } & { heroes?: (Hero | NewHero)[] }
 */
export type CreateInputOf<F extends Fields, R> = InputOf<F> & { [K in keyof R]?: R[K] }

/** A copy of `input`, an object since it gave `related`, without the relationships' keys. */
function withoutKeys(input: unknown, related: ReadonlyMap<Relationship, unknown>): object {
  const copy: Record<string, unknown> = { ...(input as object) }
  for (const { name } of related.keys()) delete copy[name]
  return copy
}

/**
 * What identifies a row of table `M`, as `session.get()` takes it: the key's value (`number` for
 * `Hero`), or the object of the key fields for a composite key (`{ team_id: number; hero_id: number }`).
 *
 * @example
 * const key: KeyOf<typeof HeroTeamLink> = { team_id: 1, hero_id: 2 }
 * const link = await session.get(HeroTeamLink, key)
 */
export type KeyOf<M extends TableModel> = PrimaryKeyValueOf<M['fields']>

const tablesByPrototype = new WeakMap<object, TableModel>()

/** The table model a row belongs to, or `undefined` for an object that is not a table row. */
export function tableOfRow(row: object): TableModel | undefined {
  return tablesByPrototype.get(Object.getPrototypeOf(row))
}

/**
 * Makes a model a table: `createAll` creates it, and the Session reads and writes its rows.
 * Declaration mistakes (no primary key, an index on a missing column) throw here. Several fields with
 * `primaryKey: true` make one composite key, as SQLModel's link tables declare it.
 *
 * @example
 * const Hero = table('hero', HeroBase.extend('Hero', {
 *   id: field.integer({ primaryKey: true }),
 *   secret_name: field.string(),
 * }))
 * type Hero = typeof Hero.Type
 */
export function table<const N extends string, F extends Fields>(
  tableName: N,
  model: Model<F>,
  options?: TableOptions,
): TableModel<N, F> {
  return new TableModel(tableName, model, options)
}

function findPrimaryKeys(tableName: string, model: Model): string[] {
  const keys = Object.entries(model.fields)
    .filter(([, f]) => f.isPrimaryKey)
    .map(([key]) => key)
  if (keys.length === 0) {
    throw new ModelDefinitionError(
      `table('${tableName}', ${model.name}): no primary key. Add one, for example id: field.integer({ primaryKey: true }).`,
    )
  }
  // Two keys, one an integer the database would generate and none a reference to another row: most
  // likely one surrogate id too many, since nothing generates a part of a composite key.
  const surrogate = keys.find((key) => model.fields[key]!.isGenerated)
  if (keys.length > 1 && surrogate && !keys.some((key) => model.fields[key]!.options.foreignKey)) {
    throw new ModelDefinitionError(
      `table('${tableName}', ${model.name}): two or more primary keys (${keys.join(', ')}), none of them a foreign key, and ${surrogate} is an integer the database would generate if it were the only key; nothing generates a part of a composite key. Keep 'primaryKey: true' on one field, or, for a composite key such as a link table's, declare the foreign keys it is made of (foreignKey: 'team.id').`,
    )
  }
  return keys
}

function checkIndex(tableName: string, model: Model, index: IndexDeclaration): Required<IndexDeclaration> {
  if (index.columns.length === 0) {
    throw new ModelDefinitionError(
      `table('${tableName}', ${model.name}): an index needs at least one column.`,
    )
  }
  for (const column of index.columns) {
    if (!(column in model.fields)) {
      throw new ModelDefinitionError(
        `table('${tableName}', ${model.name}): index on '${column}', which is not a field of ${model.name}. Fields: ${Object.keys(model.fields).join(', ')}.`,
      )
    }
  }
  const unique = index.unique ?? false
  // Only a hash index (PostgreSQL) or a prefix index (MySQL) holds text of any length, and neither can be
  // unique or span several columns: those indexes need strings of a bounded length.
  const longText = index.columns.find((column) => model.fields[column]!.isLongText)
  if (longText !== undefined && (unique || index.columns.length > 1)) {
    throw new ModelDefinitionError(
      `table('${tableName}', ${model.name}): ${unique ? 'a unique index' : 'an index of several columns'} on '${longText}', a string without maxLength. Index keys have a length limit (PostgreSQL about 2.7 KB, MySQL 3 KB), so declare maxLength on '${longText}' (${KEY_STRING_MAX_LENGTH} fits every database).`,
    )
  }
  const name = index.name ?? `${unique ? 'uq' : 'ix'}_${tableName}_${index.columns.join('_')}`
  return { columns: index.columns, unique, name }
}

/**
 * The set of tables `createAll` creates (SQLAlchemy's `MetaData`). Tables join {@link defaultMetadata}
 * unless given another, so a test or a second app can keep its own.
 */
export class Metadata {
  readonly #tables = new Map<string, TableModel>()

  /** The registered tables, in declaration order. */
  get tables(): readonly TableModel[] {
    return [...this.#tables.values()]
  }

  get(tableName: string): TableModel | undefined {
    return this.#tables.get(tableName)
  }

  register(model: TableModel): void {
    const existing = this.#tables.get(model.tableName)
    if (existing && existing !== model) {
      throw new ModelDefinitionError(
        `table('${model.tableName}', ${model.name}): table '${model.tableName}' is already declared by ${existing.name} in this Metadata. Pick another table name, or pass { metadata: new Metadata() } to keep separate sets.`,
      )
    }
    this.#tables.set(model.tableName, model)
  }
}

/** The metadata every table joins by default, as `SQLModel.metadata`. */
export const defaultMetadata = new Metadata()
