/**
 * Type tests for `select().forUpdate()` and `session.count()`: a locking select keeps its row type, its
 * options exclude each other, and a count is a number. Checked by `tsc --noEmit` only; nothing here runs.
 */
import { field, model, select, Session, table, type Select } from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const Hero = table(
  'hero',
  model('Hero', {
    id: field.integer({ primaryKey: true }),
    name: field.string(),
    age: field.integer({ nullable: true, default: null }),
  }),
)
type Hero = typeof Hero.Type

declare const session: Session

// --- forUpdate keeps the query's type and its rows' ---

const locked = select(Hero).where(Hero.c.age.gte(18)).forUpdate({ skipLocked: true })
type _locked = Expect<Equal<typeof locked, Select<typeof Hero>>>
const lockedRows = await session.exec(locked).all()
type _lockedRows = Expect<Equal<typeof lockedRows, Hero[]>>

select(Hero).forUpdate()
select(Hero).forUpdate({ noWait: true })
select(Hero).forUpdate({ skipLocked: false })
// @ts-expect-error: skipLocked and noWait exclude each other
select(Hero).forUpdate({ skipLocked: true, noWait: true })
// @ts-expect-error: not an option of forUpdate
select(Hero).forUpdate({ wait: 5 })
// @ts-expect-error: a flag, not a number
select(Hero).forUpdate({ noWait: 1 })

// --- count is a number, of a select ---

const total = await session.count(select(Hero).where(Hero.c.name.eq('Deadpond')).limit(10))
type _total = Expect<Equal<typeof total, number>>
// @ts-expect-error: a table model is not a query; count select(Hero)
await session.count(Hero)
