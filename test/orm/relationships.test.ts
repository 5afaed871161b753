/**
 * Relationships (seed 003's "Relationships — one-to-many") on every dialect: linking from either side,
 * batched loading counted in executed statements, the error for a relationship read before it is loaded,
 * what deleting a parent does to its children for each onDelete, foreign key enforcement, and the
 * declaration checks.
 */
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import {
  createAll,
  createEngine,
  field,
  IntegrityError,
  Metadata,
  model,
  ModelDefinitionError,
  OnemodelError,
  RelationshipDefinitionError,
  RelationshipNotLoadedError,
  relationships,
  select,
  selectinload,
  Session,
  table,
} from 'onemodel-ts'
import { DIALECTS, type DialectUnderTest } from '../support/dialects.ts'
import { recordSql } from '../support/heroes.ts'

type OnDelete = 'cascade' | 'set null' | 'restrict' | undefined

/** Team and Hero of the seed, in their own Metadata, with the foreign key's onDelete as given. */
function declareTeams(onDelete: OnDelete = undefined) {
  const metadata = new Metadata()
  const teamId =
    onDelete === undefined
      ? field.integer({ nullable: true, default: null, foreignKey: 'team.id' })
      : field.integer({ nullable: true, default: null, foreignKey: 'team.id', onDelete })
  return relationships(
    {
      Team: table(
        'team',
        model('Team', {
          id: field.integer({ primaryKey: true }),
          name: field.string(),
          headquarters: field.string(),
        }),
        { metadata },
      ),
      Hero: table(
        'hero',
        model('Hero', {
          id: field.integer({ primaryKey: true }),
          name: field.string(),
          secret_name: field.string(),
          age: field.integer({ nullable: true, default: null }),
          team_id: teamId,
        }),
        { metadata },
      ),
    },
    ({ one, many }) => ({
      Team: { heroes: many('Hero', { backPopulates: 'team' }) },
      Hero: { team: one('Team', { backPopulates: 'heroes' }) },
    }),
  )
}

/** A fresh database of `dialect` with the two tables; its engine is disposed when test `t` ends. */
async function teamsDatabase(t: TestContext, dialect: DialectUnderTest, onDelete: OnDelete = undefined) {
  const models = declareTeams(onDelete)
  const recorded = recordSql()
  const engine = createEngine(await dialect.isolatedUrl(), recorded.options)
  t.after(() => engine.dispose())
  await createAll(engine, { metadata: models.Team.metadata })
  recorded.log.length = 0
  return { ...models, engine, log: recorded.log }
}

type Db = Awaited<ReturnType<typeof teamsDatabase>>

/** Two teams and three heroes: Deadpond and Rusty-Man in Preventers, Spider-Boy in Z-Force. */
async function seed(db: Db): Promise<void> {
  const { engine, Team, Hero, log } = db
  await using session = new Session(engine)
  const preventers = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })
  const zForce = Team.create({ name: 'Z-Force', headquarters: "Sister Margaret's Bar" })
  session.addAll([preventers, zForce])
  await session.commit()
  session.addAll([
    Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson', team_id: preventers.id }),
    Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48, team_id: preventers.id }),
    Hero.create({ name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16, team_id: zForce.id }),
  ])
  await session.commit()
  log.length = 0
}

/** The hero table as `name → team_id`, read with a fresh session. */
async function teamIds(db: Db): Promise<Record<string, number | null>> {
  await using session = new Session(db.engine)
  const heroes = await session.exec(select(db.Hero).orderBy(db.Hero.c.id)).all()
  return Object.fromEntries(heroes.map((hero) => [hero.name, hero.team_id]))
}

const selects = (log: readonly string[]) => log.filter((line) => /^select/i.test(line))
/** An echoed statement without its ` -- 2 parameters` note. */
const statement = (line: string) => line.replace(/ -- \d+ parameters?$/, '')

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: relationships`, () => {
    test("the seed: a team's heroes, loaded with the team, print Preventers ['Rusty-Man']", async (t) => {
      const { engine, Team, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const preventers = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })
      session.add(preventers)
      await session.commit()
      const team = await session.refresh(preventers)
      const hero = Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp', team_id: team.id })
      session.add(hero)
      await session.commit()
      await session.refresh(hero)

      await using reader = new Session(engine)
      const teamDb = await reader.get(Team, team.id, { options: [selectinload('heroes')] })
      assert.deepEqual([teamDb!.name, teamDb!.heroes.map((h) => h.name)], ['Preventers', ['Rusty-Man']])
    })

    test('hero.team = team links both new rows: the team is inserted first, and both sides agree', async (t) => {
      const db = await teamsDatabase(t, dialect)
      const { engine, Team, Hero, log } = db
      await using session = new Session(engine)
      const team = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })
      const hero = Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp' })
      assert.equal(hero.team, null, 'a new hero without team_id has no team')
      assert.deepEqual(team.heroes, [], "a new team's collection is loaded and empty")
      hero.team = team
      assert.deepEqual(team.heroes, [hero], 'the loaded collection follows at once')
      session.add(hero) // the team comes with it (save-update cascade)
      await session.commit()
      assert.equal(typeof team.id, 'number')
      assert.equal(hero.team_id, team.id)
      assert.equal(hero.team, team)
      assert.deepEqual(team.heroes, [hero])
      assert.deepEqual(
        log.filter((line) => /^insert/i.test(line)).map((line) => line.split(' ')[2]),
        ['"team"', '"hero"'],
      )
      assert.deepEqual(await teamIds(db), { 'Rusty-Man': team.id })
    })

    test('team.heroes.push(hero) links from the collection side, on commit', async (t) => {
      const db = await teamsDatabase(t, dialect)
      await seed(db)
      const { engine, Team, Hero } = db
      await using session = new Session(engine)
      const team = Team.create({ name: 'Wakaland', headquarters: 'Wakaland Capital City' })
      const hero = Hero.create({ name: 'Black Lion', secret_name: 'Trevor Challa', age: 35 })
      team.heroes.push(hero)
      session.add(team)
      await session.commit()
      assert.equal(hero.team_id, team.id)
      assert.equal(hero.team, team, 'the other side is set by the flush')

      // A loaded team gains a persistent hero: Spider-Boy moves from Z-Force to Preventers.
      const preventers = (await session
        .exec(select(Team).where(Team.c.name.eq('Preventers')).options(selectinload('heroes')))
        .one())!
      const spiderBoy = (await session.exec(select(Hero).where(Hero.c.name.eq('Spider-Boy'))).one())!
      preventers.heroes.push(spiderBoy)
      await session.commit()
      assert.equal(spiderBoy.team_id, preventers.id)
      assert.equal(spiderBoy.team, preventers)
      assert.deepEqual(await teamIds(db), {
        Deadpond: preventers.id,
        'Rusty-Man': preventers.id,
        'Spider-Boy': preventers.id,
        'Black Lion': team.id,
      })
    })

    test('moving a hero between loaded teams and removing one from a collection', async (t) => {
      const db = await teamsDatabase(t, dialect)
      await seed(db)
      const { engine, Team } = db
      await using session = new Session(engine)
      const [preventers, zForce] = await session
        .exec(select(Team).orderBy(Team.c.id).options(selectinload('heroes')))
        .all()
      const rusty = preventers!.heroes.find((h) => h.name === 'Rusty-Man')!
      rusty.team = zForce!
      assert.deepEqual(
        preventers!.heroes.map((h) => h.name),
        ['Deadpond'],
      )
      assert.deepEqual(
        zForce!.heroes.map((h) => h.name),
        ['Spider-Boy', 'Rusty-Man'],
      )
      await session.commit()
      assert.equal(rusty.team_id, zForce!.id)

      const deadpond = preventers!.heroes[0]!
      preventers!.heroes.splice(0, 1)
      await session.commit()
      assert.equal(deadpond.team_id, null)
      assert.equal(deadpond.team, null)
      assert.deepEqual(await teamIds(db), {
        Deadpond: null,
        'Rusty-Man': zForce!.id,
        'Spider-Boy': zForce!.id,
      })
    })

    test('a foreign key set directly moves the row between the loaded sides at flush', async (t) => {
      const db = await teamsDatabase(t, dialect)
      const { engine, Team, Hero, log } = db
      await using session = new Session(engine)
      const team = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })
      session.add(team)
      await session.commit()
      const hero = Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp', team_id: team.id })
      session.add(hero)
      await session.commit()
      log.length = 0
      assert.equal(hero.team, team, 'the team is in the session: no query')
      assert.deepEqual(team.heroes, [hero])
      hero.team_id = null
      await session.commit()
      assert.equal(hero.team, null)
      assert.deepEqual(team.heroes, [])
      assert.deepEqual(selects(log), [])
    })

    test('selectinload loads a collection for every row with one more query, never one per row', async (t) => {
      const db = await teamsDatabase(t, dialect)
      await seed(db)
      const { engine, Team, Hero, log } = db
      await using session = new Session(engine)
      const teams = await session.exec(select(Team).orderBy(Team.c.id).options(selectinload('heroes'))).all()
      assert.equal(selects(log).length, 2, log.join('\n'))
      assert.match(
        statement(selects(log)[1]!),
        /^select "hero"\."id", .*"hero"\."team_id" from "hero" where "hero"\."team_id" in \(\?, \?\) order by "hero"\."id" asc$/,
      )
      assert.deepEqual(
        teams.map((team) => [team.name, team.heroes.map((hero) => hero.name)]),
        [
          ['Preventers', ['Deadpond', 'Rusty-Man']],
          ['Z-Force', ['Spider-Boy']],
        ],
      )
      assert.equal(teams[0]!.heroes[0]!.team, teams[0], 'the back side is set from the same rows')

      log.length = 0
      await using other = new Session(engine)
      const heroes = await other.exec(select(Hero).options(selectinload('team'))).all()
      assert.equal(selects(log).length, 2, 'heroes, then their two teams in one query')
      assert.deepEqual(
        heroes.map((hero) => hero.team?.name),
        ['Preventers', 'Preventers', 'Z-Force'],
      )
      assert.equal(heroes[0]!.team, heroes[1]!.team, 'one object per team (identity map)')

      log.length = 0
      await other.exec(select(Hero).options(selectinload('team'))).all()
      assert.equal(selects(log).length, 1, 'teams already in the session need no query')
    })

    test('reading a relationship that is not loaded throws, saying how to load it', async (t) => {
      const db = await teamsDatabase(t, dialect)
      await seed(db)
      const { engine, Team, Hero, log } = db
      await using session = new Session(engine)
      const team = (await session.exec(select(Team).orderBy(Team.c.id)).first())!
      assert.throws(
        () => team.heroes,
        (error: unknown) =>
          error instanceof RelationshipNotLoadedError &&
          error.code === 'OM_ORM_RELATIONSHIP_NOT_LOADED' &&
          error.message.includes("select(Team).options(selectinload('heroes'))") &&
          error.message.includes("session.load(row, 'heroes')"),
      )
      log.length = 0
      const heroes = await session.load(team, 'heroes')
      assert.deepEqual(
        heroes.map((h) => h.name),
        ['Deadpond', 'Rusty-Man'],
      )
      assert.equal(team.heroes, heroes)
      assert.equal(selects(log).length, 1)

      const hero = (await session.exec(select(Hero).where(Hero.c.name.eq('Spider-Boy'))).one())!
      assert.throws(() => hero.team, RelationshipNotLoadedError)
      assert.equal((await session.load(hero, 'team'))!.name, 'Z-Force')
      hero.team_id = null
      await session.commit()
      await using fresh = new Session(engine)
      const unteamed = await fresh.get(Hero, hero.id)
      assert.equal(unteamed!.team, null, 'a null foreign key reads as null without loading')
      await assert.rejects(fresh.load(unteamed!, 'name'), /Hero has no relationship 'name'/)
      assert.throws(() => select(Hero).options(selectinload('powers' as never)), OnemodelError)
    })

    test('deleting a team with no onDelete sets its heroes’ team_id to null first (SQLModel’s default)', async (t) => {
      const db = await teamsDatabase(t, dialect)
      await seed(db)
      const { engine, Team, Hero, log } = db
      await using session = new Session(engine)
      const deadpond = (await session.exec(select(Hero).orderBy(Hero.c.id)).first())!
      const preventers = (await session.get(Team, deadpond.team_id!))!
      await session.delete(preventers)
      await session.commit()
      assert.deepEqual(log.filter((line) => !/^select/i.test(line)).map(statement), [
        'update "hero" set "team_id" = ? where "team_id" = ?',
        'delete from "team" where "id" = ?',
      ])
      assert.equal(deadpond.team_id, null, 'the hero in the session follows')
      assert.equal(deadpond.team, null)
      assert.deepEqual(await teamIds(db), { Deadpond: null, 'Rusty-Man': null, 'Spider-Boy': 2 })
    })

    test("onDelete 'set null', 'cascade' and 'restrict' are the database's", async (t) => {
      for (const onDelete of ['set null', 'cascade', 'restrict'] as const) {
        const db = await teamsDatabase(t, dialect, onDelete)
        await seed(db)
        const { engine, Team, Hero, log } = db
        await using session = new Session(engine)
        const rusty = (await session.exec(select(Hero).where(Hero.c.name.eq('Rusty-Man'))).one())!
        const preventers = (await session.get(Team, rusty.team_id!))!
        await session.delete(preventers)
        if (onDelete === 'restrict') {
          await assert.rejects(
            session.commit(),
            (error: unknown) => error instanceof IntegrityError && error.constraint === 'foreign_key',
          )
          assert.equal((await session.get(Team, preventers.id))!.name, 'Preventers', 'the session is usable')
          assert.deepEqual(await teamIds(db), { Deadpond: 1, 'Rusty-Man': 1, 'Spider-Boy': 2 })
          continue
        }
        await session.commit()
        assert.equal(
          log.filter((line) => /^update/i.test(line)).length,
          0,
          `${onDelete}: the database acts, not the Session`,
        )
        if (onDelete === 'set null') {
          assert.equal(rusty.team_id, null)
          assert.deepEqual(await teamIds(db), { Deadpond: null, 'Rusty-Man': null, 'Spider-Boy': 2 })
        } else {
          assert.equal(await session.get(Hero, rusty.id), undefined, 'cascade: gone from the session too')
          assert.deepEqual(await teamIds(db), { 'Spider-Boy': 2 })
        }
      }
    })

    test('a team_id naming no team is an IntegrityError, and the session stays usable', async (t) => {
      const db = await teamsDatabase(t, dialect)
      await seed(db)
      const { engine, Hero } = db
      await using session = new Session(engine)
      session.add(Hero.create({ name: 'Tarantula', secret_name: 'Natalia Roman-on', team_id: 999 }))
      await assert.rejects(
        session.commit(),
        (error: unknown) => error instanceof IntegrityError && error.constraint === 'foreign_key',
      )
      assert.equal((await session.exec(select(Hero)).all()).length, 3)
    })
  })
}

describe('relationship declarations', () => {
  const Base = (
    metadata: Metadata,
    teamId = field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
  ) => ({
    Team: table('team', model('Team', { id: field.integer({ primaryKey: true }), name: field.string() }), {
      metadata,
    }),
    Hero: table(
      'hero',
      model('Hero', { id: field.integer({ primaryKey: true }), name: field.string(), team_id: teamId }),
      { metadata },
    ),
  })

  function rejects(declare: () => unknown, sides: [string, string], message: RegExp): void {
    assert.throws(declare, (error: unknown) => {
      assert.ok(error instanceof RelationshipDefinitionError, String(error))
      assert.ok(error instanceof ModelDefinitionError)
      assert.equal(error.code, 'OM_MODEL_DEFINITION')
      assert.deepEqual(error.sides, sides)
      assert.match(error.message, message)
      return true
    })
  }

  test('a backPopulates partner that is missing names both sides', () => {
    rejects(
      () =>
        relationships(Base(new Metadata()), ({ one }) => ({
          Hero: { team: one('Team', { backPopulates: 'heroes' }) },
        })),
      ['Hero.team', 'Team.heroes'],
      /^Hero\.team: backPopulates 'heroes', but Team has no relationship 'heroes'\. Declare Team: \{ heroes: many\('Hero', \{ backPopulates: 'team' \}\) \}\.$/,
    )
  })

  test('a misspelled backPopulates is answered with the relationship meant, not a second one to declare', () => {
    rejects(
      () =>
        relationships(Base(new Metadata()), ({ one, many }) => ({
          Hero: { team: one('Team', { backPopulates: 'teams' }) },
          Team: { heroes: many('Hero', { backPopulates: 'team' }) },
        })),
      ['Hero.team', 'Team.teams'],
      /^Hero\.team: backPopulates 'teams', but Team has no relationship 'teams'\. Did you mean 'heroes'\? Team's relationships to Hero: heroes\.$/,
    )
  })

  test('a partner that does not point back names both sides', () => {
    rejects(
      () =>
        relationships(Base(new Metadata()), ({ one, many }) => ({
          Team: { heroes: many('Hero', { backPopulates: 'squad' }) },
          Hero: { team: one('Team', { backPopulates: 'heroes' }) },
        })),
      ['Team.heroes', 'Hero.squad'],
      /backPopulates 'squad', but Hero has no relationship 'squad'/,
    )
    rejects(
      () =>
        relationships(Base(new Metadata()), ({ one, many }) => ({
          Team: { heroes: many('Hero') },
          Hero: { team: one('Team', { backPopulates: 'heroes' }) },
        })),
      ['Hero.team', 'Team.heroes'],
      /^Hero\.team: backPopulates 'heroes', but Team\.heroes does not point back \(it has no backPopulates\)\. Give Team\.heroes \{ backPopulates: 'team' \}\.$/,
    )
  })

  test('a foreign key naming an unknown column, or no foreign key at all, names both sides', () => {
    rejects(
      () =>
        relationships(
          Base(new Metadata(), field.integer({ nullable: true, default: null, foreignKey: 'team.uuid' })),
          ({ one }) => ({ Hero: { team: one('Team') } }),
        ),
      ['Hero.team_id', 'Team.uuid'],
      /^Hero\.team: Hero\.team_id has foreignKey "team\.uuid", but Team \(table 'team'\) has no column 'uuid'\. Its columns are: id, name\.$/,
    )
    rejects(
      () =>
        relationships(Base(new Metadata(), field.integer({ nullable: true, default: null })), ({ one }) => ({
          Hero: { team: one('Team') },
        })),
      ['Hero.team', 'Team'],
      /^Hero\.team: Hero has no foreign key to table 'team' \(Team\)\. Declare one on Hero, for example team_id: field\.integer\(\{ nullable: true, default: null, foreignKey: 'team\.id' \}\)\.$/,
    )
    rejects(
      () =>
        relationships(Base(new Metadata()), ({ one }) => ({
          Hero: { team: one('Team', { foreignKey: 'team' }) },
        })),
      ['Hero.team', 'Hero.team'],
      /foreignKey 'team' is not a column of Hero/,
    )
  })

  test('an unknown target, or a name taken by a column, is refused', () => {
    rejects(
      () => relationships(Base(new Metadata()), ({ one }) => ({ Hero: { team: one('Squad' as 'Team') } })),
      ['Hero.team', 'Squad'],
      /the target "Squad" is not one of the tables \(Team, Hero\)/,
    )
    rejects(
      () => relationships(Base(new Metadata()), ({ one }) => ({ Hero: { name: one('Team') } })),
      ['Hero.name', 'Team'],
      /Hero already has a field named 'name'/,
    )
  })

  test("onDelete 'set null' on a column that is not nullable is refused at the field", () => {
    assert.throws(
      () => model('Hero', { team_id: field.integer({ foreignKey: 'team.id', onDelete: 'set null' }) }),
      (error: unknown) =>
        error instanceof ModelDefinitionError &&
        error.message === "Hero.team_id: onDelete 'set null' needs a nullable column. Add 'nullable: true'.",
    )
  })
})

describe('assigning a relationship checks the row', () => {
  const { Team, Hero } = declareTeams()
  const OtherTeam = table(
    'team',
    model('Team', { id: field.integer({ primaryKey: true }), name: field.string() }),
    { metadata: new Metadata() },
  )
  const notARow = { code: 'OM_ORM_NOT_A_ROW' }

  test("a one() side takes its target's rows and null, and nothing else", () => {
    const hero = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
    const team = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })
    hero.team = team
    assert.equal(hero.team, team)
    hero.team = null
    assert.equal(hero.team, null)
    // Wrong values, as plain JavaScript (or a cast) could pass them.
    const set = (value: unknown) => () => Object.assign(hero, { team: value })
    assert.throws(set(hero), notARow, 'a row of another table')
    assert.throws(set(OtherTeam.create({ name: 'Preventers' })), notARow, 'a row of a same-named model')
    assert.throws(set({ id: 1, name: 'Preventers', headquarters: 'Sharp Tower' }), notARow, 'a plain object')
    assert.throws(set('Preventers'), notARow, 'a string')
    assert.equal(hero.team, null, 'a refused value changes nothing')
  })

  test('a many() side takes an array only', () => {
    const team = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })
    assert.throws(() => Object.assign(team, { heroes: null }), notARow)
    assert.throws(() => Object.assign(team, { heroes: 'Deadpond' }), notARow)
    assert.deepEqual(team.heroes, [])
  })
})
