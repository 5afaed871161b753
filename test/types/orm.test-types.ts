/**
 * Type tests for columns, select() and the Session: results are typed rows without explicit generics, and
 * a wrong column, value or table does not compile. Checked by `tsc --noEmit` only; nothing here runs.
 */
import {
  and,
  col,
  createEngine,
  field,
  model,
  not,
  or,
  select,
  Session,
  table,
  type Condition,
  type PrimaryKeyOf,
  type Result,
} from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const Team = table('team', model('Team', { id: field.integer({ primaryKey: true }), name: field.string() }))
const Hero = table(
  'hero',
  model('Hero', {
    id: field.integer({ primaryKey: true }),
    name: field.string(),
    secret_name: field.string(),
    age: field.integer({ nullable: true, default: null }),
    born: field.datetime({ nullable: true, default: null }),
    active: field.boolean({ default: true }),
    team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
  }),
)
type Hero = typeof Hero.Type

declare const session: Session

// --- Results are typed rows ---

async function results() {
  const all = await session.exec(select(Hero).where(Hero.c.age.lt(30))).all()
  type _all = Expect<Equal<typeof all, Hero[]>>
  const first = await session.exec(select(Hero)).first()
  type _first = Expect<Equal<typeof first, Hero | undefined>>
  const one = await session.exec(select(Hero)).one()
  type _one = Expect<Equal<typeof one, Hero>>
  const result = await session.exec(select(Team))
  type _result = Expect<Equal<typeof result, Result<typeof Team.Type>>>
  for (const team of result) {
    type _row = Expect<Equal<typeof team, typeof Team.Type>>
  }
  const got = await session.get(Hero, 1)
  type _get = Expect<Equal<typeof got, Hero | undefined>>
  // @ts-expect-error the primary key of Hero is a number
  await session.get(Hero, '1')
  type _key = Expect<Equal<typeof Hero.primaryKey, 'id'>>

  const Mission = table(
    'mission',
    model('Mission', { code: field.uuid({ primaryKey: true }), title: field.string() }),
  )
  type _uuidKey = Expect<Equal<PrimaryKeyOf<typeof Mission.fields>, 'code'>>
  const mission = await session.get(Mission, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')
  type _mission = Expect<Equal<typeof mission, typeof Mission.Type | undefined>>
  // @ts-expect-error the primary key of Mission is a uuid string
  await session.get(Mission, 1)
}

// --- Columns accept values of their own type ---

const conditions: Condition<'hero'>[] = [
  Hero.c.age.lt(30),
  Hero.c.age.eq(null),
  Hero.c.age.ne(null),
  Hero.c.name.eq('Deadpond'),
  col(Hero.c.name).contains('Man'),
  Hero.c.name.startsWith('Spider'),
  Hero.c.name.endsWith('pond'),
  col(Hero.c.id).in([1, 2]),
  Hero.c.id.notIn([3]),
  Hero.c.born.gte(new Date()),
  Hero.c.active.eq(true),
  Hero.c.team_id.isNull(),
  and(Hero.c.age.gte(18), or(Hero.c.age.lte(50), not(Hero.c.name.eq('Deadpond')))),
]
select(Hero)
  .where(...conditions)
  .orderBy(Hero.c.age, Hero.c.name.desc())
  .limit(10)
  .offset(0)

// @ts-expect-error age is compared with numbers, not text
Hero.c.age.lt('30')
// @ts-expect-error lt(null) has no meaning; use isNull()
Hero.c.age.lt(null)
// @ts-expect-error name is not nullable, so eq(null) is a mistake
Hero.c.name.eq(null)
// @ts-expect-error in() takes values of the column's type
Hero.c.id.in([1, '2'])
// @ts-expect-error contains() is for text columns
Hero.c.age.contains('3')
// @ts-expect-error born is compared with Dates
Hero.c.born.gt('2020-01-01')
// @ts-expect-error Hero has no column "power"
Hero.c.power
// @ts-expect-error a condition on team does not belong in a select of hero
select(Hero).where(Team.c.name.eq('Preventers'))
// @ts-expect-error nor does a team column in its orderBy
select(Hero).orderBy(Team.c.name)
// @ts-expect-error limit takes a number
select(Hero).limit('10')
// @ts-expect-error and() may mix tables, but the result then does not fit a select of hero alone
select(Hero).where(and(Hero.c.age.lt(30), Team.c.name.eq('Preventers')))
// @ts-expect-error select() takes a table model, not a data model
select(model('HeroCreate', { name: field.string() }))
// @ts-expect-error exec() takes a select
session.exec(Hero)

// --- Engines and sessions ---

const engine = createEngine('sqlite:///heroes.db', {
  echo: true,
  sqlite: { journalMode: 'wal', busyTimeout: 1000 },
})
new Session(engine, { autoflush: false })
// @ts-expect-error journalMode takes SQLite's modes
createEngine('sqlite:///heroes.db', { sqlite: { journalMode: 'fast' } })
