/**
 * Type tests for update(), deleteFrom() and insert(): a wrong column, a wrong value type or a column of a
 * table that is not written does not compile, and session.exec() answers a WriteResult. Checked by
 * `tsc --noEmit` only; nothing here runs.
 */
import {
  bindParam,
  deleteFrom,
  field,
  insert,
  model,
  select,
  Session,
  table,
  update,
  type ReturningResult,
  type WriteResult,
} from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const Team = table(
  'team',
  model('Team', { id: field.integer({ primaryKey: true }), name: field.string({ unique: true }) }),
)
const Hero = table(
  'hero',
  model('Hero', {
    id: field.integer({ primaryKey: true }),
    name: field.string({ unique: true }),
    age: field.integer({ nullable: true, default: null }),
  }),
)

declare const session: Session

// --- session.exec() of a write answers how many rows ---

const updated = session.exec(update(Hero).where(Hero.c.age.lt(18)).values({ age: 18 }))
type _Updated = Expect<Equal<typeof updated, Promise<WriteResult>>>
const deleted = session.exec(deleteFrom(Hero).where(Hero.c.name.eq('Deadpond')))
type _Deleted = Expect<Equal<typeof deleted, Promise<WriteResult>>>
const upserted = session.exec(
  insert(Hero).values({ name: 'Deadpond' }).onConflict({ target: 'name' }).doNothing(),
)
type _Upserted = Expect<Equal<typeof upserted, Promise<WriteResult>>>

// --- returning() answers the rows, typed as the model's rows ---

const returned = await session.exec(update(Hero).values({ age: 1 }).returning())
type _Returned = Expect<Equal<typeof returned, ReturningResult<typeof Hero.Type>>>
const gone = await session.exec(deleteFrom(Hero).where(Hero.c.id.eq(1)).returning())
type _GoneAge = Expect<Equal<(typeof gone.rows)[number]['age'], number | null>>
// @ts-expect-error: without returning(), there are no rows
void (await session.exec(deleteFrom(Hero))).rows

// --- update(): values and conditions are checked ---

update(Hero).values({ age: null, name: 'Rusty-Man' })
// @ts-expect-error: Hero has no column 'power'
update(Hero).values({ power: 1 })
// @ts-expect-error: age is a number
update(Hero).values({ age: 'old' })
// @ts-expect-error: a condition on Team's column in a write of Hero
update(Hero).where(Team.c.name.eq('Preventers'))
// @ts-expect-error: a condition on Team's column in a write of Hero
deleteFrom(Hero).where(Team.c.id.eq(1))

// --- insert(): rows are the model's input, conflict targets and updates its columns ---

insert(Hero).values([{ name: 'Deadpond' }, { name: 'Rusty-Man', age: 48 }])
// @ts-expect-error: name is required
insert(Hero).values({ age: 48 })
// @ts-expect-error: age is a number
insert(Hero).values({ name: 'Deadpond', age: 'old' })
// @ts-expect-error: Hero has no column 'power'
insert(Hero).values({ name: 'Deadpond' }).onConflict({ target: 'power' })
// @ts-expect-error: Hero has no column 'power'
insert(Hero).values({ name: 'Deadpond' }).onConflict({ target: 'name' }).doUpdate(['power'])
// @ts-expect-error: age is a number
insert(Hero).values({ name: 'Deadpond' }).onConflict({ target: 'name' }).doUpdate({ age: 'old' })

// --- insert() with bind parameters: a parameter takes its column's type, and runs with params ---

const byName = insert(Hero).values({ name: bindParam('name'), age: bindParam('age') })
const ran = session.exec(byName, { params: { name: 'Deadpond', age: null } })
type _Ran = Expect<Equal<typeof ran, Promise<WriteResult>>>
insert(Hero).values({ name: bindParam<string>('name') })
// @ts-expect-error: name is a string, not a number
insert(Hero).values({ name: bindParam<number>('name') })
// @ts-expect-error: a column is no value (only bindParam() stands for one)
insert(Hero).values({ name: Hero.c.name })
// @ts-expect-error: name is still required
insert(Hero).values({ age: bindParam('age') })

// --- insert().fromSelect(): one selected item per column, each of the column's type ---

insert(Team).fromSelect(['name'], select(Hero.c.name))
insert(Hero).fromSelect(['name', 'age'], select(Team.c.name, Hero.c.age).join(Team))
// @ts-expect-error: a nullable value for a column that is not nullable
insert(Team).fromSelect(['name'], select(Hero.c.age))
// @ts-expect-error: a number for a string column
insert(Team).fromSelect(['name'], select(Hero.c.id))
// @ts-expect-error: one column, two items
insert(Team).fromSelect(['name'], select(Hero.c.name, Hero.c.name))
// @ts-expect-error: 'motto' is no column of Team
insert(Team).fromSelect(['motto'], select(Hero.c.name))
const fromSelected = session.exec(insert(Team).fromSelect(['name'], select(Hero.c.name)).returning())
type _FromSelected = Expect<Equal<typeof fromSelected, Promise<ReturningResult<typeof Team.Type>>>>
