/**
 * Type tests for `session.stream()`: it yields the rows of the select's model, typed as `exec()` types
 * them, with no generic or cast, and takes only a select. Checked by `tsc --noEmit` only; nothing here runs.
 */
import { deleteFrom, field, model, select, Session, table, update } from 'onemodel-ts'
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

// --- a for await loop reads rows of the model ---

for await (const hero of session.stream(select(Hero).where(Hero.c.age.gte(18)).orderBy(Hero.c.id))) {
  type _hero = Expect<Equal<typeof hero, Hero>>
  type _id = Expect<Equal<typeof hero.id, number>>
  type _age = Expect<Equal<typeof hero.age, number | null>>
}

// The same rows as exec() gives, and an async iterator a caller can drive and end.
const rows = session.stream(select(Hero))
const first = await rows.next()
type _first = Expect<Equal<typeof first, IteratorResult<Hero, void>>>
await rows.return()
const executed = await session.exec(select(Hero)).all()
type _executed = Expect<Equal<(typeof executed)[number], Hero>>

// --- only a select streams ---

// @ts-expect-error: a bulk update is run with exec(), not streamed
session.stream(update(Hero).where(Hero.c.id.eq(1)).values({ name: 'Deadpond' }))
// @ts-expect-error: a bulk delete neither
session.stream(deleteFrom(Hero).where(Hero.c.id.eq(1)))
// @ts-expect-error: a table model is not a query; stream select(Hero)
session.stream(Hero)
