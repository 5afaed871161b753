/**
 * Type tests for `engine.db` typed by the engine's tables: a raw Kysely query is checked against the same
 * models as the Session's, and its rows have the types the drivers return. Checked by `tsc --noEmit` only;
 * nothing here runs.
 */
import {
  createAll,
  createEngine,
  field,
  model,
  Session,
  table,
  type DatabaseOf,
  type Engine,
  type EngineOptions,
  type TableModel,
} from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const Team = table('team', model('Team', { id: field.integer({ primaryKey: true }), name: field.string() }))
const Hero = table(
  'hero',
  model('Hero', {
    id: field.integer({ primaryKey: true }),
    name: field.string(),
    age: field.integer({ nullable: true, default: null }),
    score: field.number({ default: 0 }),
    born: field.datetime({ nullable: true, default: null }),
    day: field.date({ nullable: true, default: null }),
    active: field.boolean({ default: true }),
    power: field.enum(['fly', 'swim'], { default: 'fly' }),
    tags: field.json<string[]>({ default: [] }),
    extra: field.json<{ level: number }>({ nullable: true, default: null }),
    team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
  }),
)
const Mission = table(
  'mission',
  model('Mission', { code: field.uuid({ primaryKey: true }), title: field.string() }),
)

const engine = createEngine('sqlite://', { tables: [Hero, Team, Mission] })
type _engine = Expect<Equal<typeof engine, Engine<DatabaseOf<typeof Hero | typeof Team | typeof Mission>>>>

// --- A select's rows are inferred, as the drivers return them ---

async function selects() {
  const names = await engine.db.selectFrom('hero').select(['id', 'name']).where('age', '>', 30).execute()
  type _names = Expect<Equal<typeof names, { id: number; name: string }[]>>

  // Nothing decodes a raw query's values: SQLite and MySQL return booleans as 0/1, SQLite returns
  // datetimes as ISO text, SQLite and MariaDB return JSON as text.
  const row = await engine.db.selectFrom('hero').selectAll().executeTakeFirstOrThrow()
  type _row = Expect<
    Equal<
      typeof row,
      {
        id: number
        name: string
        age: number | null
        score: number
        born: Date | string | null
        day: string | null
        active: boolean | number
        power: 'fly' | 'swim'
        tags: string[] | string
        extra: { level: number } | string | null
        team_id: number | null
      }
    >
  >

  const joined = await engine.db
    .selectFrom('hero')
    .innerJoin('team', 'team.id', 'hero.team_id')
    .select(['hero.name as hero', 'team.name as team'])
    .execute()
  type _joined = Expect<Equal<typeof joined, { hero: string; team: string }[]>>

  const mission = await engine.db.selectFrom('mission').select('code').executeTakeFirst()
  type _mission = Expect<Equal<typeof mission, { code: string } | undefined>>
}

// --- Inserts and updates take what every driver writes the same way ---

async function writes() {
  // A typed engine is an engine: createAll and the Session take it.
  await createAll(engine)
  new Session(engine)
  // The generated key and the nullable columns may be left out; a JSON value is written as its text.
  await engine.db
    .insertInto('hero')
    .values({ name: 'Deadpond', score: 0, active: true, power: 'fly', tags: JSON.stringify(['red']) })
    .execute()
  await engine.db.insertInto('team').values({ id: 1, name: 'Preventers' }).execute()
  await engine.db.updateTable('hero').set({ born: new Date(), extra: null }).where('id', '=', 1).execute()
  // A uuid key has no generated value: it is given.
  await engine.db.insertInto('mission').values({ code: crypto.randomUUID(), title: 'Rescue' }).execute()
}

// --- What must not compile ---

function mistakes() {
  // @ts-expect-error there is no table "heroes"
  engine.db.selectFrom('heroes')
  // @ts-expect-error hero has no column "power_level"
  engine.db.selectFrom('hero').select(['id', 'power_level'])
  // @ts-expect-error age is compared with numbers, not text
  engine.db.selectFrom('hero').selectAll().where('age', '>', '30')
  // @ts-expect-error "title" is a column of mission, not of hero
  engine.db.selectFrom('hero').select('title')
  const insertHero = engine.db.insertInto('hero')
  // @ts-expect-error name is required
  insertHero.values({ score: 0, active: true, power: 'fly', tags: '[]' })
  // @ts-expect-error a field's default is applied by validate(), not by the database: score must be given
  insertHero.values({ name: 'Deadpond', active: true, power: 'fly', tags: '[]' })
  // @ts-expect-error a JSON column takes JSON text, which every driver writes the same way
  engine.db.updateTable('hero').set({ tags: ['red'] })
  // @ts-expect-error power is one of its enum's values
  engine.db.updateTable('hero').set({ power: 'run' })
  // @ts-expect-error a uuid key is not generated, so an insert gives it
  engine.db.insertInto('mission').values({ title: 'Rescue' })
}

// --- An engine given no tables keeps the untyped Kysely instance migrations and raw SQL use ---

const untyped = createEngine('sqlite://', { echo: true })
type _untyped = Expect<Equal<typeof untyped, Engine>>
untyped.db.selectFrom('any_table').select('any_column')
// Options passed on as an EngineOptions leave the tables unknown, so db stays untyped too.
declare const passedOn: EngineOptions
const passed = createEngine('sqlite://', passedOn)
type _passed = Expect<Equal<typeof passed, Engine>>
// An array of known tables, not only a tuple, types db.
const tables = [Hero, Team]
const fromArray = createEngine('sqlite://', { tables })
type _fromArray = Expect<Equal<typeof fromArray, Engine<DatabaseOf<typeof Hero | typeof Team>>>>
const fromObject = createEngine({ url: 'sqlite://', tables: [Team] })
type _fromObject = Expect<Equal<typeof fromObject, Engine<DatabaseOf<typeof Team>>>>

// A table whose name is not a literal type, or whose fields are `any`, is left out, rather than typing every
// name or column `any`.
declare const anyTable: TableModel
const widened = createEngine('sqlite://', { tables: [Team, anyTable] })
type _widened = Expect<Equal<keyof DatabaseOf<typeof Team | TableModel>, 'team'>>
type _anyFields = Expect<Equal<keyof DatabaseOf<typeof Team | TableModel<'villain'>>, 'team'>>
// @ts-expect-error 'villain' is no table of the engine, even though a table of unknown name was given
widened.db.selectFrom('villain')
