/**
 * Type tests for bind parameters: `bindParam()` takes its value type from where it stands (the column it is
 * compared with, a text match, a limit), or from its type argument; one of another type does not compile
 * there, nor does it in an `in()` list, and `session.exec()`, `count()` and `stream()` take `params`.
 * Checked by `tsc --noEmit` only; nothing here runs.
 */
import { bindParam, field, model, select, Session, table, type Expression } from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const Hero = table(
  'hero',
  model('Hero', {
    id: field.integer({ primaryKey: true }),
    name: field.string(),
    age: field.integer({ nullable: true, default: null }),
    tags: field.json<string[]>({ default: [] }),
  }),
)
declare const session: Session

// Alone, its value is unknown; where it stands, it takes the type there: an Expression<never, unknown>
// would not compile as the other side of a string column, so these compile only because it is inferred.
const byName = bindParam('name')
type _untyped = Expect<Equal<typeof byName, Expression<never, unknown>>>
// @ts-expect-error an unknown value is no string
Hero.c.name.eq(byName)
Hero.c.name.eq(bindParam('name'))
Hero.c.age.lt(bindParam('age'))
Hero.c.tags.eq(bindParam('tags'))
const limit: Expression<never, number> = bindParam('limit')
select(Hero).limit(limit)

// Given: a type argument of another type than the column's does not compile.
Hero.c.age.gte(bindParam<number>('age'))
// @ts-expect-error a number parameter compared with a string column
Hero.c.name.eq(bindParam<number>('name'))
// @ts-expect-error a string parameter as a limit
select(Hero).limit(bindParam<string>('limit'))
// @ts-expect-error a string parameter compared with a number column
Hero.c.age.gt(bindParam<string>('age'))
// @ts-expect-error a bind parameter in an in() list: the list's length is part of the SQL
Hero.c.id.in([bindParam<number>('id')])
// @ts-expect-error nor the list itself
Hero.c.id.in(bindParam<number[]>('ids'))

// A text match, a limit and an offset take one too.
const page = select(Hero)
  .where(Hero.c.name.contains(bindParam('text')))
  .orderBy(Hero.c.id)
  .limit(bindParam('limit'))
  .offset(bindParam('offset'))

export async function run() {
  const heroes = await session.exec(page, { params: { text: 'Man', limit: 10, offset: 0 } }).all()
  type _rows = Expect<Equal<typeof heroes, (typeof Hero.Type)[]>>
  const total: number = await session.count(page, { params: { text: 'Man', limit: 10, offset: 0 } })
  for await (const hero of session.stream(page, { params: { text: 'Man', limit: 10, offset: 0 } })) {
    type _streamed = Expect<Equal<typeof hero, typeof Hero.Type>>
  }
  // @ts-expect-error params are an object of values by name
  session.exec(page, { params: ['Man', 10, 0] })
  return total
}
