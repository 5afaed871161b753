/**
 * Type tests for the model layer: row, insert and update shapes are inferred from one declaration, and
 * wrong fields or values do not compile. Checked by `tsc --noEmit` only; nothing here runs.
 */
import { field, model, table, type InputOf, type Persisted, type RowOf, type ValueOf } from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const HeroBase = model('HeroBase', {
  name: field.string({ index: true }),
  age: field.integer({ nullable: true, default: null, index: true }),
})
const Hero = table(
  'hero',
  HeroBase.extend('Hero', {
    id: field.integer({ primaryKey: true }),
    secret_name: field.string(),
  }),
)
const HeroCreate = HeroBase.extend('HeroCreate', { secret_name: field.string() })
const HeroUpdate = HeroCreate.partial('HeroUpdate')
const HeroPublic = HeroBase.extend('HeroPublic', { id: field.integer() })

// --- Row shapes ---

// The row: every field present; the generated id is a number once persisted.
type _row = Expect<
  Equal<typeof Hero.Type, { name: string; age: number | null; id: number; secret_name: string }>
>
// What create() accepts: fields with a default and the generated key may be left out.
type _input = Expect<
  Equal<typeof Hero.Input, { name: string; secret_name: string; age?: number | null; id?: number }>
>
// The update shape: every field optional, none widened to null.
type _update = Expect<
  Equal<typeof HeroUpdate.Type, { name?: string; age?: number | null; secret_name?: string }>
>
type _updateInput = Expect<Equal<typeof HeroUpdate.Input, typeof HeroUpdate.Type>>
type _public = Expect<Equal<typeof HeroPublic.Type, { name: string; age: number | null; id: number }>>
// A created row's generated key is unknown until the flush, and its type says so.
type _create = Expect<
  Equal<
    ReturnType<typeof Hero.create>,
    {
      name: string
      age: number | null
      secret_name: string
      id: number | undefined
      readonly '~unflushed': 'id'
    }
  >
>
type _validateTable = Expect<Equal<ReturnType<typeof Hero.validate>, ReturnType<typeof Hero.create>>>
// @ts-expect-error the id of a row that was never flushed may be undefined
const unflushedId: number = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }).id
// A key with a default is set by create(), so it stays required.
const Token = table('token', model('Token', { id: field.string({ primaryKey: true, default: 'x' }) }))
type _defaultKey = Expect<Equal<ReturnType<typeof Token.create>, { id: string }>>
type _validate = Expect<Equal<ReturnType<typeof HeroCreate.validate>, typeof HeroCreate.Type>>
// What session.refresh() gives back: the same row with its key known.
type _persisted = Expect<Equal<Persisted<ReturnType<typeof Hero.create>>, typeof Hero.Type>>

// --- Field kinds and options ---

const Kinds = model('Kinds', {
  s: field.string(),
  i: field.integer(),
  n: field.number(),
  b: field.boolean(),
  dt: field.datetime(),
  d: field.date(),
  u: field.uuid(),
  e: field.enum(['hearts', 'spades']),
  j: field.json<{ tags: string[] }>(),
  requiredNullable: field.string({ nullable: true }),
  withDefault: field.boolean({ default: true }),
  withFactory: field.datetime({ defaultFactory: () => new Date() }),
  jsonDefault: field.json<string[]>({ default: [] }),
  uuidKey: field.uuid({ primaryKey: true }),
})
type _kinds = Expect<
  Equal<
    typeof Kinds.Type,
    {
      s: string
      i: number
      n: number
      b: boolean
      dt: Date
      d: string
      u: string
      e: 'hearts' | 'spades'
      j: { tags: string[] }
      requiredNullable: string | null
      withDefault: boolean
      withFactory: Date
      jsonDefault: string[]
      uuidKey: string
    }
  >
>
// Nullable is not optional: `str | None` without a default is still required, as in pydantic.
type _kindsInput = Expect<
  Equal<
    keyof { [K in keyof typeof Kinds.Input as {} extends Pick<typeof Kinds.Input, K> ? K : never]: 1 },
    'withDefault' | 'withFactory' | 'jsonDefault'
  >
>
// Only an integer key is assigned by the database: a uuid or string key without a default must be given,
// as validation requires it at run time.
const Mission = table(
  'mission',
  model('Mission', { code: field.uuid({ primaryKey: true }), title: field.string() }),
)
// @ts-expect-error code is required: nothing assigns a uuid key without a default
Mission.create({ title: 'Rescue' })
Mission.create({ code: '0b4a6a0e-4bd4-4f5e-9b5a-6d0c2b2f5d61', title: 'Rescue' })
type _helpers = Expect<Equal<RowOf<typeof HeroPublic.fields>, typeof HeroPublic.Type>>
type _inputHelper = Expect<Equal<InputOf<typeof Hero.fields>, typeof Hero.Input>>
type _valueOf = Expect<Equal<ValueOf<typeof Hero.fields.age>, number | null>>

// --- Derivation ---

const HeroName = HeroCreate.pick('HeroName', 'name')
type _pick = Expect<Equal<typeof HeroName.Type, { name: string }>>
const HeroNoSecret = HeroCreate.omit('HeroNoSecret', 'secret_name')
type _omit = Expect<Equal<typeof HeroNoSecret.Type, { name: string; age: number | null }>>
const Replaced = HeroCreate.extend('Replaced', { age: field.string() })
type _replaced = Expect<Equal<typeof Replaced.Type, { name: string; secret_name: string; age: string }>>
const dumped = HeroCreate.dump(HeroCreate.create({ name: 'a', secret_name: 'b' }), {
  exclude: ['secret_name'],
})
type _dump = Expect<Equal<typeof dumped, { name?: string; age?: number | null }>>

// --- What must not compile ---

// @ts-expect-error name must be a string
Hero.create({ name: 1, secret_name: 'Dive Wilson' })
// @ts-expect-error secret_name is required
Hero.create({ name: 'Deadpond' })
// @ts-expect-error power is not a field of Hero
Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson', power: 'regeneration' })
// @ts-expect-error age is a number or null, not text
Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson', age: '30' })
// @ts-expect-error a non-nullable field does not accept null
Hero.create({ name: null, secret_name: 'Dive Wilson' })
const Card = model('Card', { suit: field.enum(['hearts', 'spades']) })
Card.create({ suit: 'hearts' })
// @ts-expect-error an enum field accepts only its values
Card.create({ suit: 'clubs' })
// @ts-expect-error the update shape does not accept null for a non-nullable field
HeroUpdate.create({ name: null })
// @ts-expect-error pick() takes field names only
HeroCreate.pick('X', 'power')
// @ts-expect-error omit() takes field names only
HeroCreate.omit('X', 'power')
// @ts-expect-error Hero.update() takes fields of Hero with their types
Hero.update(Hero.create({ name: 'a', secret_name: 'b' }), { age: 'old' })
// @ts-expect-error a default must have the field's type
field.integer({ default: 'none' })
// @ts-expect-error numeric bounds belong to numbers
field.string({ ge: 1 })
