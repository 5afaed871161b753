/**
 * Relations in create() and cascading saves: `Team.create({ heroes: [Hero.create(…)] })` and
 * `Hero.create({ team: Team.create(…) })` set the relationship as assigning it would, and one flush saves
 * every row it reaches, parents first whatever the order of adding, keys taken from the parents' inserts.
 * Counted from the echoed SQL on every dialect, over three levels: country → team → hero.
 */
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import {
  createAll,
  createEngine,
  field,
  Metadata,
  model,
  OnemodelError,
  relationships,
  select,
  Session,
  table,
} from 'onemodel-ts'
import { DIALECTS, type DialectUnderTest } from '../support/dialects.ts'
import { recordSql } from '../support/heroes.ts'
import { statement } from '../support/teams.ts'

function declareLeague() {
  const metadata = new Metadata()
  const id = () => field.integer({ primaryKey: true })
  const parentKey = (reference: string) =>
    field.integer({ nullable: true, default: null, foreignKey: reference })
  return relationships(
    {
      Country: table('country', model('Country', { id: id(), name: field.string() }), { metadata }),
      Team: table(
        'team',
        model('Team', {
          id: id(),
          name: field.string(),
          headquarters: field.string(),
          country_id: parentKey('country.id'),
        }),
        { metadata },
      ),
      Hero: table(
        'hero',
        model('Hero', {
          id: id(),
          name: field.string(),
          secret_name: field.string(),
          team_id: parentKey('team.id'),
        }),
        { metadata },
      ),
    },
    ({ one, many }) => ({
      Country: { teams: many('Team', { backPopulates: 'country' }) },
      Team: {
        country: one('Country', { backPopulates: 'teams' }),
        heroes: many('Hero', { backPopulates: 'team' }),
      },
      Hero: { team: one('Team', { backPopulates: 'heroes' }) },
    }),
  )
}

async function leagueDatabase(t: TestContext, dialect: DialectUnderTest) {
  const models = declareLeague()
  const recorded = recordSql()
  const engine = createEngine(await dialect.isolatedUrl(), recorded.options)
  t.after(() => engine.dispose())
  await createAll(engine, { metadata: models.Team.metadata })
  recorded.log.length = 0
  return { ...models, engine, log: recorded.log }
}

/** The tables the recorded statements insert into, in order. */
const inserts = (log: readonly string[]) =>
  log.map(statement).flatMap((line) => /^insert into "(\w+)"/.exec(line)?.[1] ?? [])

/** The recorded statements that write, without the transaction's. */
const writes = (log: readonly string[]) =>
  log.map(statement).filter((line) => /^(insert|update|delete)/.test(line))

describe('create() with relationships', () => {
  const { Team, Hero } = declareLeague()

  test('a team created with heroes holds them, and each hero refers to it', () => {
    const deadpond = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
    const rusty = Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp' })
    const given = [deadpond, rusty]
    const team = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower', heroes: given })
    assert.deepEqual(team.heroes, [deadpond, rusty])
    assert.notEqual(team.heroes, given, "the team's collection is its own array")
    assert.equal(deadpond.team, team)
    assert.equal(rusty.team, team)
  })

  test('a hero created with a team joins its collection, and leaves it for another team', () => {
    const preventers = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })
    const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson', team: preventers })
    assert.deepEqual(preventers.heroes, [hero])
    const zForce = Team.create({ name: 'Z-Force', headquarters: "Sister Margaret's Bar", heroes: [hero] })
    assert.equal(hero.team, zForce)
    assert.deepEqual(preventers.heroes, [], 'the hero left the team it had')
  })

  test('a plain object is refused, naming the model, the relationship and the fix', () => {
    const plain = { name: 'Deadpond', secret_name: 'Dive Wilson' }
    assert.throws(
      // A caller without types, or one that casts, can still pass one.
      () => Team.create({ name: 'Preventers', headquarters: 'Sharp Tower', heroes: [plain as never] }),
      (error: unknown) =>
        error instanceof OnemodelError &&
        error.code === 'OM_ORM_NOT_A_ROW' &&
        error.message.includes('Team.create({ heroes })') &&
        error.message.includes('a plain object at heroes[0]') &&
        error.message.includes('Hero.create({...})') &&
        !error.message.includes('Dive Wilson'),
    )
    assert.throws(
      () =>
        Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson', team: { name: 'Preventers' } as never }),
      /Hero\.create\(\{ team \}\): expected a Team row or null, got a plain object\. Create one with Team\.create/,
    )
    const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
    assert.throws(() => Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp', team: hero as never }), {
      message: /expected a Team row or null, got a Hero\./,
    })
  })

  test('validate() sets a relationship given as rows, and drops one given as data', () => {
    const team = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })
    const hero = Hero.validate({ name: 'Deadpond', secret_name: 'Dive Wilson', team })
    assert.equal(hero.team, team)
    assert.deepEqual(team.heroes, [hero])
    // A request body is data: it cannot link rows, whatever keys it has.
    const body = { name: 'Preventers', headquarters: 'Sharp Tower', heroes: [{ name: 'Deadpond' }] }
    assert.deepEqual(Team.validate(body).heroes, [])
    const fromBody = Hero.validate(
      JSON.parse('{"name":"Deadpond","secret_name":"Dive Wilson","team":{"id":1}}'),
    )
    assert.equal(fromBody.team, null)
    assert.equal(fromBody.team_id, null)
    // A row's relationships are its own: a copy made from it takes its columns only.
    const copy = Hero.validate(hero)
    assert.equal(copy.team, null)
    assert.deepEqual(team.heroes, [hero])
  })

  test('validate() of a row built from a model without relationships is unchanged', () => {
    const HeroCreate = model('HeroCreate', { name: field.string(), secret_name: field.string() })
    const body = HeroCreate.validate({ name: 'Deadpond', secret_name: 'Dive Wilson', team: { id: 1 } })
    const hero = Hero.validate(body)
    assert.deepEqual(
      { ...hero },
      { id: undefined, name: 'Deadpond', secret_name: 'Dive Wilson', team_id: null },
    )
    assert.equal(hero.team, null)
  })

  test('a table that forbids extra keys still takes its relationships', () => {
    const metadata = new Metadata()
    const { Owner, Pet } = relationships(
      {
        Owner: table(
          'owner',
          model('Owner', { id: field.integer({ primaryKey: true }) }, { extra: 'forbid' }),
          {
            metadata,
          },
        ),
        Pet: table(
          'pet',
          model('Pet', {
            id: field.integer({ primaryKey: true }),
            owner_id: field.integer({ nullable: true, default: null, foreignKey: 'owner.id' }),
          }),
          { metadata },
        ),
      },
      ({ many }) => ({ Owner: { pets: many('Pet') } }),
    )
    const pet = Pet.create({})
    assert.deepEqual(Owner.create({ pets: [pet] }).pets, [pet])
    assert.throws(() => Owner.validate({ pets: [{}] }), { name: 'ValidationError', message: /pets/ })
  })
})

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: cascading saves`, () => {
    test('a team added with new heroes is saved in one flush, the team first', async (t) => {
      const { engine, Team, Hero, log } = await leagueDatabase(t, dialect)
      const team = Team.create({
        name: 'Preventers',
        headquarters: 'Sharp Tower',
        heroes: [
          Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }),
          Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp' }),
        ],
      })
      await using session = new Session(engine)
      session.add(team)
      await session.commit()
      assert.deepEqual(inserts(log), ['team', 'hero', 'hero'])
      assert.equal(writes(log).length, 3, 'no UPDATE: each hero is inserted with its key')
      assert.deepEqual(
        team.heroes.map((hero) => hero.team_id),
        [team.id, team.id],
      )
      await using reader = new Session(engine)
      const saved = await reader
        .exec(select(Hero).where(Hero.c.team_id.eq(team.id!)).orderBy(Hero.c.id))
        .all()
      assert.deepEqual(
        saved.map((hero) => hero.name),
        ['Deadpond', 'Rusty-Man'],
      )
    })

    test('a hero added with a new team inserts the team first', async (t) => {
      const { engine, Team, Hero, log } = await leagueDatabase(t, dialect)
      const hero = Hero.create({
        name: 'Deadpond',
        secret_name: 'Dive Wilson',
        team: Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' }),
      })
      await using session = new Session(engine)
      session.add(hero)
      await session.commit()
      assert.deepEqual(inserts(log), ['team', 'hero'])
      assert.equal(writes(log).length, 2)
      assert.equal(hero.team_id, hero.team!.id)
    })

    test("adding one hero saves its new team and the team's other new heroes", async (t) => {
      const { engine, Team, Hero, log } = await leagueDatabase(t, dialect)
      const wakaland = Team.create({
        name: 'Wakaland',
        headquarters: 'Wakaland Capital City',
        heroes: [
          Hero.create({ name: 'Black Lion', secret_name: 'Trevor Challa' }),
          Hero.create({ name: 'Princess Sure-E', secret_name: 'Sure-E' }),
        ],
      })
      const tarantula = Hero.create({ name: 'Tarantula', secret_name: 'Natalia Roman-on', team: wakaland })
      await using session = new Session(engine)
      session.add(tarantula)
      await session.commit()
      assert.deepEqual(inserts(log), ['team', 'hero', 'hero', 'hero'])
      assert.equal(writes(log).length, 4)
      assert.deepEqual(
        wakaland.heroes.map((hero) => hero.team_id),
        [wakaland.id, wakaland.id, wakaland.id],
      )
    })

    test('three levels added deepest first are inserted parents first, each key from its parent', async (t) => {
      const { engine, Country, Team, Hero, log } = await leagueDatabase(t, dialect)
      const country = Country.create({ name: 'Wakanda' })
      const team = Team.create({ name: 'Avengers', headquarters: 'Stark Tower', country })
      const heroes = [
        Hero.create({ name: 'Black Panther', secret_name: "T'Challa", team }),
        Hero.create({ name: 'Shuri', secret_name: 'Shuri', team }),
      ]
      await using session = new Session(engine)
      session.addAll([...heroes, team, country])
      await session.commit()
      assert.deepEqual(inserts(log), ['country', 'team', 'hero', 'hero'])
      assert.equal(writes(log).length, 4, 'every key is known at its insert: no UPDATE follows')
      assert.equal(team.country_id, country.id)
      assert.deepEqual(
        heroes.map((hero) => hero.team_id),
        [team.id, team.id],
      )
    })

    test('adding only the top of three levels saves the rows below it', async (t) => {
      const { engine, Country, Team, Hero, log } = await leagueDatabase(t, dialect)
      const country = Country.create({
        name: 'Wakanda',
        teams: [
          Team.create({
            name: 'Avengers',
            headquarters: 'Stark Tower',
            heroes: [Hero.create({ name: 'Black Panther', secret_name: "T'Challa" })],
          }),
          Team.create({ name: 'Dora Milaje', headquarters: 'Golden City' }),
        ],
      })
      await using session = new Session(engine)
      session.add(country)
      await session.commit()
      assert.deepEqual(inserts(log), ['country', 'team', 'team', 'hero'])
      await using reader = new Session(engine)
      const rows = await reader
        .exec(select(Hero, Team, Country).join(Hero.rel.team).join(Team.rel.country))
        .all()
      assert.deepEqual(
        rows.map(([hero, team, saved]) => [hero.name, team.name, saved.name]),
        [['Black Panther', 'Avengers', 'Wakanda']],
      )
    })

    test('a new hero created with a loaded team is one INSERT with its key', async (t) => {
      const { engine, Team, Hero, log } = await leagueDatabase(t, dialect)
      await using session = new Session(engine)
      session.add(Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' }))
      await session.commit()
      const team = (await session.get(Team, 1))!
      log.length = 0
      const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson', team })
      session.add(hero)
      await session.commit()
      assert.equal(writes(log).length, 1)
      assert.match(writes(log)[0]!, /^insert into "hero" .*"team_id"/)
      assert.equal(hero.team_id, 1)
    })
  })
}
