/**
 * Type tests for the HTTP layer: a handler's arguments are inferred from its declared parameters, body
 * model and dependencies without generics, and a handler whose result does not fit its response model does
 * not compile. Checked by `tsc --noEmit` only; nothing here runs.
 */
import {
  body,
  cookie,
  createApp,
  createEngine,
  depends,
  field,
  header,
  HTTPError,
  list,
  model,
  path,
  query,
  select,
  Session,
  table,
  type Args,
  type Dependency,
  type Param,
} from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const Hero = table(
  'hero',
  model('Hero', {
    id: field.integer({ primaryKey: true }),
    name: field.string(),
    secret_name: field.string({ secret: true }),
    age: field.integer({ nullable: true, default: null }),
  }),
)
type Hero = typeof Hero.Type
const HeroCreate = Hero.omit('HeroCreate', 'id')
const HeroPublic = Hero.omit('HeroPublic', 'secret_name')
const TeamPublic = model('TeamPublic', { id: field.integer(), name: field.string() })
const TeamWithHeroes = TeamPublic.extend('TeamWithHeroes', {
  heroes: field.list(HeroPublic, { default: [] }),
})

const engine = createEngine('sqlite:///:memory:')
const app = createApp()

// --- Parameters: each builder and option gives the handler its value type ---

app.get(
  '/items/{item_id}',
  {
    params: {
      item_id: path.integer(),
      slug: path.string({ alias: 'item_id' }),
      offset: query.integer({ default: 0, ge: 0 }),
      limit: query.integer({ optional: true }),
      ratio: query.number({ nullable: true, default: null }),
      q: query.string({ optional: true, minLength: 3 }),
      flag: query.boolean({ default: false }),
      at: query.datetime(),
      day: query.date(),
      uid: query.uuid(),
      color: query.enum(['red', 'green']),
      maybe_color: query.enum(['red', 'green'], { optional: true }),
      tag: query.list(field.string()),
      ids: query.list(field.integer(), { default: [] }),
      maybe_tags: query.list(field.string(), { optional: true }),
      user_agent: header.string(),
      x_token: header.string({ alias: 'X-Token', optional: true }),
      retries: header.integer({ default: 3 }),
      session_id: cookie.string({ optional: true }),
      dark: cookie.boolean({ default: false }),
    },
  },
  (args) => {
    type _item_id = Expect<Equal<typeof args.item_id, number>>
    type _slug = Expect<Equal<typeof args.slug, string>>
    type _offset = Expect<Equal<typeof args.offset, number>>
    type _limit = Expect<Equal<typeof args.limit, number | undefined>>
    type _ratio = Expect<Equal<typeof args.ratio, number | null>>
    type _q = Expect<Equal<typeof args.q, string | undefined>>
    type _flag = Expect<Equal<typeof args.flag, boolean>>
    type _at = Expect<Equal<typeof args.at, Date>>
    type _day = Expect<Equal<typeof args.day, string>>
    type _uid = Expect<Equal<typeof args.uid, string>>
    type _color = Expect<Equal<typeof args.color, 'red' | 'green'>>
    type _maybe_color = Expect<Equal<typeof args.maybe_color, 'red' | 'green' | undefined>>
    type _tag = Expect<Equal<typeof args.tag, string[]>>
    type _ids = Expect<Equal<typeof args.ids, number[]>>
    type _maybe_tags = Expect<Equal<typeof args.maybe_tags, string[] | undefined>>
    type _user_agent = Expect<Equal<typeof args.user_agent, string>>
    type _x_token = Expect<Equal<typeof args.x_token, string | undefined>>
    type _retries = Expect<Equal<typeof args.retries, number>>
    type _session_id = Expect<Equal<typeof args.session_id, string | undefined>>
    type _dark = Expect<Equal<typeof args.dark, boolean>>
    // @ts-expect-error a name that was not declared is not an argument
    args.nope
    // @ts-expect-error an optional value may be undefined
    args.limit.toFixed()
    return null
  },
)

// The handler's argument object is exactly the declared names.
const declared = { hero_id: path.integer(), q: query.string({ optional: true }) }
type _args = Expect<Equal<Args<typeof declared>, { hero_id: number; q: string | undefined }>>
type _param = Expect<Equal<typeof declared.hero_id, Param<number, 'path'>>>

// A route without params gets an empty object.
app.get('/ping', {}, (args) => {
  type _empty = Expect<Equal<typeof args, {}>>
  return 'pong'
})

// Wrong options do not compile.
// @ts-expect-error a default must have the parameter's type
query.integer({ default: 'zero' })
// @ts-expect-error numeric bounds belong to numbers
query.string({ ge: 1 })
// @ts-expect-error an enum default must be one of its values
query.enum(['red', 'green'], { default: 'blue' })
// @ts-expect-error a list default is a list of the item type
query.list(field.integer(), { default: ['a'] })

// --- The body: the model's row type ---

app.post('/heroes', { params: { hero: body(HeroCreate) } }, ({ hero }) => {
  type _hero = Expect<Equal<typeof hero, typeof HeroCreate.Type>>
  type _shape = Expect<Equal<typeof hero, { name: string; secret_name: string; age: number | null }>>
  return Hero.validate(hero)
})

app.post('/maybe', { params: { hero: body(HeroCreate, { optional: true }) } }, ({ hero }) => {
  type _hero = Expect<Equal<typeof hero, typeof HeroCreate.Type | undefined>>
  return hero?.name ?? null
})

// --- Dependencies: the value they return or yield ---

const getSession = depends(async function* getSession() {
  await using session = new Session(engine)
  yield session
})
type _getSession = Expect<Equal<typeof getSession, Dependency<Session, {}>>>

const syncSettings = depends(function* settings() {
  yield { debug: true }
})
const count = depends(() => 42)
const asyncName = depends(async () => 'deadpond')
const pagination = depends(
  { skip: query.integer({ default: 0 }), limit: query.integer({ le: 100 }) },
  (p) => {
    type _p = Expect<Equal<typeof p, { skip: number; limit: number }>>
    return { ...p, end: p.skip + p.limit }
  },
)
// A sub-dependency's value reaches the dependency that names it.
const currentHero = depends(
  { session: getSession, hero_id: path.integer() },
  async ({ session, hero_id }) => {
    type _session = Expect<Equal<typeof session, Session>>
    return (await session.get(Hero, hero_id)) ?? HTTPError.raise(404, 'Hero not found')
  },
)

app.get(
  '/heroes/{hero_id}',
  {
    params: { hero: currentHero, session: getSession, settings: syncSettings, count, asyncName, pagination },
    response: HeroPublic,
  },
  ({ hero, session, settings, count, asyncName, pagination }) => {
    type _hero = Expect<Equal<typeof hero, Hero>>
    type _session = Expect<Equal<typeof session, Session>>
    type _settings = Expect<Equal<typeof settings, { debug: boolean }>>
    type _count = Expect<Equal<typeof count, number>>
    type _asyncName = Expect<Equal<typeof asyncName, string>>
    type _pagination = Expect<Equal<typeof pagination, { skip: number; limit: number; end: number }>>
    return hero
  },
)

// Overrides take a function or a dependency.
app.dependencyOverrides.set(getSession, async function* testSession() {
  yield new Session(engine)
})
app.dependencyOverrides.set(
  count,
  depends(() => 1),
)

// depends.using(): the value is the resource, made sync or async, with parameters or none.
const usedSession = depends.using(() => new Session(engine))
type _usedSession = Expect<Equal<typeof usedSession, Dependency<Session, {}>>>
const tenantSession = depends.using({ tenant: header.string() }, async ({ tenant }) => {
  type _tenant = Expect<Equal<typeof tenant, string>>
  return new Session(engine)
})
type _tenantSession = Expect<Equal<(typeof tenantSession)['~value'], Session>>
const syncResource = depends.using(() => ({ path: '/tmp/x', [Symbol.dispose]() {} }))
app.get('/used', { params: { session: usedSession, file: syncResource } }, ({ session, file }) => {
  type _session = Expect<Equal<typeof session, Session>>
  type _file = Expect<Equal<typeof file.path, string>>
  return 'ok'
})
// What `using` cannot dispose of is no resource.
// @ts-expect-error: a plain object has neither [Symbol.asyncDispose] nor [Symbol.dispose]
depends.using(() => ({ name: 'plain' }))
app.dependencyOverrides.set(
  usedSession,
  depends.using(() => new Session(engine)),
)

// --- Response models: the handler must return what the model needs ---

// A row with more fields than the model is fine: the model drops them.
app.get(
  '/heroes/{hero_id}/public',
  { params: { hero_id: path.integer() }, response: HeroPublic },
  ({ hero_id }) => {
    const row: Hero = { id: hero_id, name: 'Deadpond', secret_name: 'Dive Wilson', age: null }
    return row
  },
)

app.get('/complete', { response: HeroPublic }, () => ({ id: 1, name: 'Deadpond', age: null }))

// The seed's flow: a created row, added, committed and refreshed, is returned as HeroPublic, no cast needed.
app.post(
  '/heroes/',
  { params: { hero: body(HeroCreate), session: getSession }, response: HeroPublic },
  async ({ hero, session }) => {
    const dbHero = Hero.validate(hero)
    type _unflushed = Expect<Equal<typeof dbHero.id, number | undefined>>
    session.add(dbHero)
    await session.commit()
    await session.refresh(dbHero)
    return dbHero
  },
)
app.post(
  '/heroes/bulk',
  { params: { session: getSession }, response: list(HeroPublic) },
  async ({ session }) => {
    const heroes = [Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })]
    session.addAll(heroes)
    await session.commit()
    return heroes
  },
)
// refresh() gives the row back with its key known.
app.post('/heroes/id', { params: { session: getSession } }, async ({ session }) => {
  const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
  session.add(hero)
  await session.commit()
  const saved = await session.refresh(hero)
  const id: number = saved.id
  return { id }
})

// @ts-expect-error only a created row may lack its key; an object without an id is not a HeroPublic
app.get('/no-id', { response: HeroPublic }, () => ({ id: undefined, name: 'Deadpond', age: null }))

// @ts-expect-error a created row still needs the model's other fields
app.get('/new-incomplete', { response: TeamWithHeroes }, () => Hero.create({ name: 'x', secret_name: 'y' }))

// @ts-expect-error age is missing from the result, and HeroPublic requires it
app.get('/incomplete', { response: HeroPublic }, () => ({ id: 1, name: 'Deadpond' }))

// @ts-expect-error id must be a number
app.get('/wrong-type', { response: HeroPublic }, () => ({ id: '1', name: 'Deadpond', age: null }))

// @ts-expect-error an async handler is checked the same way
app.get('/async-incomplete', { response: HeroPublic }, async () => ({ id: 1, age: 3 }))

// A list model takes an array of rows.
app.get('/heroes', { params: { session: getSession }, response: list(HeroPublic) }, async ({ session }) =>
  session.exec(select(Hero)).all(),
)
app.get('/heroes-literal', { response: list(HeroPublic) }, () => [{ id: 1, name: 'Deadpond', age: null }])

// @ts-expect-error a list model does not take a single object
app.get('/not-a-list', { response: list(HeroPublic) }, () => ({ id: 1, name: 'Deadpond', age: null }))

// @ts-expect-error every item needs the model's fields
app.get('/bad-items', { response: list(HeroPublic) }, () => [{ id: 1, name: 'Deadpond' }])

// Nested models: the nested list is checked too.
app.get('/team', { response: TeamWithHeroes }, () => ({ id: 1, name: 'Preventers', heroes: [] }))

const badHeroes = [{ id: 1, age: 3 }]
// @ts-expect-error a nested hero needs its name
app.get('/bad-team', { response: TeamWithHeroes }, () => ({ id: 1, name: 'Teams', heroes: badHeroes }))

// Without a response model, anything goes.
app.get('/anything', {}, () => ({ whatever: [1, 'two'] }))

// Overrides give a value of the dependency's type.
app.dependencyOverrides.set(getSession, async function* () {
  await using session = new Session(engine)
  yield session
})
// @ts-expect-error a number cannot stand in for a Session
app.dependencyOverrides.set(getSession, () => 42)
