/**
 * A user's module that exports one of every kind of value onemodel's API returns, each with its type
 * inferred. test/package.test.ts compiles it against the installed package with `declaration: true`: a type
 * the package does not export makes that fail with TS2742 ("cannot be named without a reference to …").
 * Only compiled, never run.
 */
import {
  and,
  backgroundTasks,
  apiKeyCookie,
  apiKeyHeader,
  apiKeyQuery,
  file,
  files,
  form,
  httpBasic,
  httpBearer,
  oauth2PasswordBearer,
  oauth2PasswordRequestForm,
  body,
  col,
  cookie,
  createApp,
  createRouter,
  createEngine,
  createMigrator,
  defineConfig,
  depends,
  field,
  header,
  HTTPError,
  list,
  Metadata,
  model,
  not,
  or,
  path,
  query,
  relationships,
  security,
  securityScopes,
  select,
  selectinload,
  update,
  deleteFrom,
  insert,
  Session,
  table,
  type Fields,
  type Model,
  type NumberFieldOptions,
  type Select,
  type TableModel,
} from 'onemodel-ts'
import { createClient, ClientError } from 'onemodel-ts/client'

// Fields of every kind, declared apart from their model.
export const id = field.integer({ primaryKey: true })
export const code = field.uuid({ primaryKey: true, default: '00000000-0000-0000-0000-000000000000' })
export const name = field.string({ index: true, maxLength: 100 })
export const age = field.integer({ nullable: true, default: null, ge: 0 })
export const score = field.number({ default: 0 })
export const active = field.boolean({ default: true })
export const born = field.datetime({ nullable: true, default: null })
export const day = field.date()
export const tags = field.json<string[]>({ default: [] })
export const extra = field.json<Record<string, number>>({ nullable: true })
export const power = field.enum(['fly', 'swim'], { default: 'fly' })

// Models, tables, relationships and derived models.
export const metadata = new Metadata()
export const TeamBase = model('TeamBase', { name, headquarters: field.string() })
export const HeroBase = model('HeroBase', {
  name,
  age,
  secret_name: field.string({ secret: true }),
  team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
})
export const { Team, Hero } = relationships(
  {
    Team: table('team', TeamBase.extend('Team', { id }), { metadata }),
    Hero: table('hero', HeroBase.extend('Hero', { id }), { metadata }),
  },
  ({ one, many }) => ({
    Team: { heroes: many('Hero', { backPopulates: 'team' }) },
    Hero: { team: one('Team', { backPopulates: 'heroes' }) },
  }),
)
export type Hero = typeof Hero.Type
export const Item = table('item', model('Item', { code, power, tags, extra, score, active, born, day }), {
  metadata,
})
export const HeroCreate = HeroBase.omit('HeroCreate', 'team_id')
export const HeroUpdate = HeroCreate.partial('HeroUpdate')
export const HeroName = HeroBase.pick('HeroName', 'name')
export const HeroPublic = HeroBase.omit('HeroPublic', 'secret_name').extend('HeroPublic', {
  id: field.integer(),
})
export const TeamPublic = TeamBase.extend('TeamPublic', { id: field.integer() })
export const TeamWithHeroes = TeamPublic.extend('TeamWithHeroes', {
  heroes: field.list(HeroPublic, { default: [] }),
})
export const HeroWithTeam = HeroPublic.extend('HeroWithTeam', {
  team: field.model(TeamPublic, { nullable: true, default: null }),
})

// Rows and validation results.
export const newHero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
export const validated = HeroCreate.validate({ name: 'Deadpond', secret_name: 'Dive Wilson' })
export const checked = HeroUpdate.safeValidate({ age: 30 })
export const changes = HeroUpdate.dump(checked.success ? checked.data : {}, { excludeUnset: true })

// Conditions, selects and results.
export const young = Hero.c.age.lt(30)
export const named = and(Hero.c.name.eq('Deadpond'), or(young, not(Hero.c.age.isNull())))
export const byName = col(Hero.c.name).desc()
export const youngHeroes = select(Hero).where(named).orderBy(byName).limit(10).offset(0)
export const teamsWithHeroes = select(Team).options(selectinload('heroes'))
export const loadTeam = selectinload('team')
export const engine = createEngine('sqlite://')
export const session = new Session(engine)
export const pending = session.exec(youngHeroes)
export const result = await pending
export const heroes = await session.exec(youngHeroes).all()
export const hero = await session.get(Hero, 1, { options: [loadTeam] })
// Bulk writes and upserts.
export const ageAll = update(Hero).where(young).values({ age: 30 })
export const removeYoung = deleteFrom(Hero).where(young).returning()
export const upsertTeam = insert(Team)
  .values({ name: 'Z-Force', headquarters: 'Bar' })
  .onConflict({ target: 'name' })
export const written = await session.exec(ageAll)
export const removed = await session.exec(removeYoung)
export const upserted = await session.exec(upsertTeam.doUpdate(['headquarters']))
// An engine typed by its tables, and a raw Kysely query checked against them.
export const typedEngine = createEngine('sqlite://', { tables: [Hero, Team, Item] })
export const heroNames = typedEngine.db.selectFrom('hero').select(['id', 'name']).where('age', '>', 30)

// HTTP: parameters, dependencies, response models and the app.
export const getSession = depends(async function* getSession() {
  await using session = new Session(engine)
  yield session
})
export const answer = depends(() => 42)
export const currentUser = depends(
  { token: header.string({ alias: 'X-Token' }), session: getSession },
  async ({ token }) => token,
)
export const limit = query.integer({ default: 100, le: 100 })
export const tagFilter = query.list(field.string(), { default: [] })
export const heroId = path.integer()
export const theme = cookie.string({ optional: true })
export const heroBody = body(HeroCreate)
export const heroList = list(HeroPublic)
export const app = createApp({ title: 'Heroes', lifespan: { startup: () => undefined } })
app.get(
  '/heroes/{hero_id}',
  { params: { hero_id: heroId, user: currentUser, session: getSession }, response: HeroPublic },
  async ({ hero_id, session }) =>
    (await session.get(Hero, hero_id)) ?? HTTPError.raise(404, 'Hero not found'),
)
app.get(
  '/heroes/',
  { params: { limit, tags: tagFilter, session: getSession }, response: heroList },
  ({ limit, session }) => session.exec(select(Hero).limit(limit)).all(),
)
export const oauth2Scheme = oauth2PasswordBearer({ tokenUrl: 'token' })
export const optionalBearer = httpBearer({ autoError: false })
export const basicAuth = httpBasic({ realm: 'heroes' })
export const keyInHeader = apiKeyHeader({ name: 'X-API-Key' })
export const keyInQuery = apiKeyQuery({ name: 'api_key' })
export const keyInCookie = apiKeyCookie({ name: 'session' })
export const loginForm = oauth2PasswordRequestForm
export const nameField = form.string({ minLength: 1 })
export const heroForm = form.model(HeroCreate)
export const upload = file({ optional: true, maxSize: 1024 })
export const uploads = files()
export const forms = form
app.post(
  '/heroes/{hero_id}/avatar',
  { params: { hero_id: heroId, avatar: upload, token: oauth2Scheme } },
  ({ avatar }) => ({ size: avatar?.size ?? 0 }),
)
export const notFound = new HTTPError(404, 'Hero not found')
export const overrides = app.dependencyOverrides
export const background = backgroundTasks
export const scopedUser = security(
  depends({ scopes: securityScopes, token: oauth2Scheme }, ({ scopes, token }) => ({ token, scopes })),
  { scopes: ['me'] },
)
export const withMiddleware = app.middleware(async (_request, next) => void (await next()))
export const withHandler = app.exceptionHandler(HTTPError, (error) => ({ status: error.status }))
export const corsApp = createApp({ cors: { allowOrigins: ['*'] } })

// An app declared in a chain, and the typed client of its type.
export const chained = createApp()
  .get('/heroes/{hero_id}', { params: { hero_id: heroId }, response: HeroPublic }, () => ({
    id: 1,
    name: 'x',
    age: null,
    team_id: null,
  }))
  .include(createRouter({ prefix: '/teams' }).get('/', { response: list(HeroPublic) }, () => []))
export const client = createClient<typeof chained>('http://127.0.0.1:8000')
export const clientError = ClientError

// Migrations and the command's configuration.
export const migrator = createMigrator(engine, { folder: 'migrations', metadata })
export const config = defineConfig({ models: './models.ts' })

// The builders themselves and generic helpers over them, whose types are the builders' signatures.
export const fields = field
export const paths = path
export const queries = query
export const dialect = engine.dialect
export function idField<const O extends NumberFieldOptions>(options: O) {
  return field.integer(options)
}
export function partialOf<F extends Fields>(model: Model<F>) {
  return model.partial('Partial')
}
export function whereOf<M extends TableModel>(query: Select<M>) {
  return query.where.bind(query)
}
