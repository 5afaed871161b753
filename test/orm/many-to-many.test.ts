/**
 * Many-to-many through a link table (SQLModel's "Many to Many"), on every dialect: linking and unlinking
 * from either side writes link rows at flush, loading is one batched query, deleting either end removes its
 * link rows, and queries go through the link. Statements are counted from the echoed SQL.
 */
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import {
  count,
  createAll,
  createEngine,
  field,
  Metadata,
  model,
  not,
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

/** The tutorial's heroes, teams and their link table, in a Metadata of their own. */
function declareLinked() {
  const metadata = new Metadata()
  return relationships(
    {
      Team: table('team', model('Team', { id: field.integer({ primaryKey: true }), name: field.string() }), {
        metadata,
      }),
      Hero: table('hero', model('Hero', { id: field.integer({ primaryKey: true }), name: field.string() }), {
        metadata,
      }),
      HeroTeamLink: table(
        'heroteamlink',
        model('HeroTeamLink', {
          team_id: field.integer({ primaryKey: true, foreignKey: 'team.id' }),
          hero_id: field.integer({ primaryKey: true, foreignKey: 'hero.id' }),
          is_training: field.boolean({ default: false }),
        }),
        { metadata },
      ),
    },
    ({ many }) => ({
      Team: { heroes: many('Hero', { link: 'HeroTeamLink', backPopulates: 'teams', orderBy: 'name' }) },
      Hero: { teams: many('Team', { link: 'HeroTeamLink', backPopulates: 'heroes' }) },
    }),
  )
}

async function linkedDatabase(t: TestContext, dialect: DialectUnderTest) {
  const models = declareLinked()
  const { log, options } = recordSql()
  const engine = createEngine(await dialect.isolatedUrl(), options)
  t.after(() => engine.dispose())
  await createAll(engine, { metadata: models.Team.metadata })
  log.length = 0
  return { ...models, engine, log }
}

const writes = (log: readonly string[]) => log.filter((line) => /^(insert|update|delete)/.test(line))

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: many-to-many`, () => {
    test('heroes appended to a team and teams to a hero are linked in one insert, each pair once', async (t) => {
      const { Team, Hero, HeroTeamLink, engine, log } = await linkedDatabase(t, dialect)
      await using session = new Session(engine)
      const zForce = Team.create({ name: 'Z-Force' })
      const preventers = Team.create({ name: 'Preventers' })
      const deadpond = Hero.create({ name: 'Deadpond' })
      const rusty = Hero.create({ name: 'Rusty-Man' })
      deadpond.teams.push(zForce, preventers)
      preventers.heroes.push(rusty, deadpond) // Deadpond–Preventers, from both sides: one link
      session.add(deadpond)
      await session.commit()
      const inserts = writes(log).filter((line) => line.startsWith('insert into "heroteamlink"'))
      assert.equal(inserts.length, 1, 'one insert for every link row')
      assert.match(inserts[0]!, /-- 9 parameters$/)
      // The other sides' loaded collections followed.
      assert.deepEqual(
        zForce.heroes.map((h) => h.name),
        ['Deadpond'],
      )
      assert.deepEqual(
        rusty.teams.map((team) => team.name),
        ['Preventers'],
      )
      const links = await session.exec(select(HeroTeamLink)).all()
      const pair = (team: { id?: number }, hero: { id?: number }) => `team ${team.id}, hero ${hero.id}, false`
      assert.deepEqual(
        links.map((link) => `team ${link.team_id}, hero ${link.hero_id}, ${link.is_training}`).sort(),
        [pair(zForce, deadpond), pair(preventers, deadpond), pair(preventers, rusty)].sort(),
      )
    })

    test('selectinload reads every collection in one query, in the declared order', async (t) => {
      const { Team, Hero, engine, log } = await linkedDatabase(t, dialect)
      {
        await using session = new Session(engine)
        const teams = ['Preventers', 'Z-Force', 'Avengers'].map((name) => Team.create({ name }))
        for (let i = 0; i < 30; i++) {
          const hero = Hero.create({ name: `Hero ${String(29 - i).padStart(2, '0')}` })
          hero.teams.push(...teams.filter((_, at) => i % (at + 1) === 0))
          session.add(hero)
        }
        await session.commit()
      }
      await using session = new Session(engine)
      log.length = 0
      const teams = await session.exec(select(Team).options(selectinload('heroes')).orderBy(Team.c.id)).all()
      assert.equal(log.length, 2, log.join('\n'))
      assert.deepEqual(
        teams.map((team) => team.heroes.length),
        [30, 15, 10],
      )
      const names = teams[0]!.heroes.map((hero) => hero.name)
      assert.deepEqual(names, [...names].sort(), 'ordered by name, as declared')
      log.length = 0
      const heroes = await session.exec(select(Hero).options(selectinload('teams'))).all()
      assert.equal(log.length, 2, log.join('\n'))
      // Rows read twice are one object.
      assert.equal(heroes.find((hero) => hero.name === 'Hero 29')!.teams[0], teams[0])
    })

    test('a pair removed from either side deletes its link row, and only that', async (t) => {
      const { Team, Hero, HeroTeamLink, engine, log } = await linkedDatabase(t, dialect)
      await using session = new Session(engine)
      const preventers = Team.create({ name: 'Preventers' })
      const zForce = Team.create({ name: 'Z-Force' })
      const deadpond = Hero.create({ name: 'Deadpond' })
      deadpond.teams.push(preventers, zForce)
      session.add(deadpond)
      await session.commit()
      log.length = 0
      deadpond.teams.splice(deadpond.teams.indexOf(zForce), 1)
      await session.commit()
      assert.deepEqual(writes(log), [
        'delete from "heroteamlink" where ("hero_id" = ? and "team_id" = ?) -- 2 parameters',
      ])
      assert.deepEqual(zForce.heroes, [])
      preventers.heroes.length = 0
      await session.commit()
      assert.deepEqual(deadpond.teams, [])
      assert.deepEqual(await session.exec(select(HeroTeamLink)).all(), [])
      assert.equal((await session.exec(select(Team)).all()).length, 2, 'the teams themselves stay')
    })

    test('a collection is replaced once loaded: the pairs that left it are unlinked', async (t) => {
      const { Team, Hero, HeroTeamLink, engine } = await linkedDatabase(t, dialect)
      {
        await using session = new Session(engine)
        const deadpond = Hero.create({ name: 'Deadpond' })
        deadpond.teams.push(Team.create({ name: 'Preventers' }), Team.create({ name: 'Z-Force' }))
        session.add(deadpond)
        await session.commit()
      }
      await using session = new Session(engine)
      const deadpond = await session.exec(select(Hero)).one()
      const zForce = await session.exec(select(Team).where(Team.c.name.eq('Z-Force'))).one()
      assert.throws(
        () => (deadpond.teams = [zForce]),
        (error: unknown) =>
          error instanceof RelationshipNotLoadedError &&
          error.message.startsWith(
            'Hero.teams = […]: the collection is not loaded, so the rows it held are unknown',
          ),
      )
      await session.load(deadpond, 'teams')
      deadpond.teams = [zForce]
      await session.commit()
      const links = await session.exec(select(HeroTeamLink)).all()
      assert.deepEqual(
        links.map((link) => link.team_id),
        [zForce.id],
      )
    })

    test('deleting either end deletes its link rows, loaded or not', async (t) => {
      const { Team, Hero, HeroTeamLink, engine } = await linkedDatabase(t, dialect)
      {
        await using session = new Session(engine)
        const preventers = Team.create({ name: 'Preventers' })
        preventers.heroes.push(
          ...['Deadpond', 'Rusty-Man', 'Spider-Boy'].map((name) => Hero.create({ name })),
        )
        session.add(preventers)
        await session.commit()
      }
      await using session = new Session(engine)
      const deadpond = (await session.exec(select(Hero).where(Hero.c.name.eq('Deadpond'))).one())!
      await session.delete(deadpond) // teams not loaded
      await session.commit()
      assert.equal((await session.exec(select(HeroTeamLink)).all()).length, 2)
      const preventers = (await session.exec(select(Team).options(selectinload('heroes'))).one())!
      assert.deepEqual(
        preventers.heroes.map((hero) => hero.name),
        ['Rusty-Man', 'Spider-Boy'],
      )
      const held = await session.exec(select(HeroTeamLink)).all()
      await session.delete(preventers)
      await session.commit()
      assert.deepEqual(await session.exec(select(HeroTeamLink)).all(), [])
      assert.equal((await session.exec(select(Hero)).all()).length, 2, 'the heroes stay')
      for (const link of held) assert.throws(() => session.add(link), /deleted/)
    })

    test('a path through the many-to-many loads a level per query: teams, then their heroes', async (t) => {
      const { Team, Hero, engine, log } = await linkedDatabase(t, dialect)
      {
        await using session = new Session(engine)
        const teams = ['Preventers', 'Z-Force'].map((name) => Team.create({ name }))
        for (let i = 0; i < 20; i++) {
          session.add(
            Hero.create({ name: `Hero ${String(i).padStart(2, '0')}`, teams: teams.slice(0, 1 + (i % 2)) }),
          )
        }
        await session.commit()
      }
      await using session = new Session(engine)
      log.length = 0
      const heroes = await session.exec(select(Hero).options(selectinload('teams', 'heroes'))).all()
      assert.equal(log.length, 3, log.join('\n'))
      assert.deepEqual(
        heroes[1]!.teams.map((team) => [team.name, team.heroes.length]),
        [
          ['Preventers', 20],
          ['Z-Force', 10],
        ],
      )
    })

    test('a deleted team leaves the loaded collections that held it', async (t) => {
      const { Team, Hero, engine } = await linkedDatabase(t, dialect)
      await using session = new Session(engine)
      const preventers = Team.create({ name: 'Preventers' })
      const zForce = Team.create({ name: 'Z-Force' })
      const deadpond = Hero.create({ name: 'Deadpond' })
      deadpond.teams.push(preventers, zForce)
      session.add(deadpond)
      await session.commit()
      await session.delete(preventers)
      await session.commit()
      assert.deepEqual(deadpond.teams, [zForce])
      await session.refresh(deadpond)
      await session.load(deadpond, 'teams')
      assert.deepEqual(deadpond.teams, [zForce])
    })

    test('a many-to-many declared on one side only: deleting its target deletes the link rows too', async (t) => {
      const metadata = new Metadata()
      const { Team, Hero, HeroTeamLink } = relationships(
        {
          Team: table(
            'team',
            model('Team', { id: field.integer({ primaryKey: true }), name: field.string() }),
            {
              metadata,
            },
          ),
          Hero: table(
            'hero',
            model('Hero', { id: field.integer({ primaryKey: true }), name: field.string() }),
            {
              metadata,
            },
          ),
          HeroTeamLink: table(
            'heroteamlink',
            model('HeroTeamLink', {
              team_id: field.integer({ primaryKey: true, foreignKey: 'team.id' }),
              hero_id: field.integer({ primaryKey: true, foreignKey: 'hero.id' }),
            }),
            { metadata },
          ),
        },
        ({ many }) => ({ Hero: { teams: many('Team', { link: 'HeroTeamLink' }) } }),
      )
      const { log, options } = recordSql()
      const engine = createEngine(await dialect.isolatedUrl(), options)
      t.after(() => engine.dispose())
      await createAll(engine, { metadata })
      await using session = new Session(engine)
      const preventers = Team.create({ name: 'Preventers' })
      const deadpond = Hero.create({ name: 'Deadpond' })
      deadpond.teams.push(preventers)
      session.add(deadpond)
      await session.commit()
      log.length = 0
      await session.delete(preventers)
      await session.commit()
      assert.deepEqual(writes(log), [
        'delete from "heroteamlink" where "team_id" = ? -- 1 parameter',
        'delete from "team" where "id" = ? -- 1 parameter',
      ])
      assert.deepEqual(deadpond.teams, [])
      assert.deepEqual(await session.exec(select(HeroTeamLink)).all(), [])
    })

    test('any() and join() go through the link table', async (t) => {
      const { Team, Hero, engine } = await linkedDatabase(t, dialect)
      await using session = new Session(engine)
      const preventers = Team.create({ name: 'Preventers' })
      const zForce = Team.create({ name: 'Z-Force' })
      const deadpond = Hero.create({ name: 'Deadpond' })
      deadpond.teams.push(preventers, zForce)
      const rusty = Hero.create({ name: 'Rusty-Man' })
      rusty.teams.push(preventers)
      for (const hero of [deadpond, rusty, Hero.create({ name: 'Tarantula' })]) session.add(hero)
      await session.commit()
      const inZForce = await session.exec(
        select(Hero.c.name).where(Hero.rel.teams.any(Team.c.name.eq('Z-Force'))),
      )
      assert.deepEqual(await inZForce.all(), ['Deadpond'])
      const teamless = await session.exec(select(Hero.c.name).where(not(Hero.rel.teams.any()))).all()
      assert.deepEqual(teamless, ['Tarantula'])
      const pairs = await session
        .exec(select(Hero.c.name, Team.c.name).join(Hero.rel.teams).orderBy(Hero.c.name, Team.c.name))
        .all()
      assert.deepEqual(pairs, [
        ['Deadpond', 'Preventers'],
        ['Deadpond', 'Z-Force'],
        ['Rusty-Man', 'Preventers'],
      ])
      const counts = await session
        .exec(
          select(Team.c.name, count(Hero.c.id).as('heroes'))
            .join(Team.rel.heroes)
            .groupBy(Team.c.name)
            .orderBy(Team.c.name),
        )
        .all()
      assert.deepEqual(counts, [
        ['Preventers', 2],
        ['Z-Force', 1],
      ])
    })
  })
}

describe('many-to-many declarations', () => {
  const tables = () => {
    const metadata = new Metadata()
    return {
      Team: table('team', model('Team', { id: field.integer({ primaryKey: true }) }), { metadata }),
      Hero: table(
        'hero',
        model('Hero', {
          id: field.integer({ primaryKey: true }),
          team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
        }),
        { metadata },
      ),
      Link: table(
        'link',
        model('Link', {
          team_id: field.integer({ primaryKey: true, foreignKey: 'team.id' }),
          hero_id: field.integer({ primaryKey: true, foreignKey: 'hero.id' }),
          since: field.integer(),
        }),
        { metadata },
      ),
      Membership: table(
        'membership',
        model('Membership', {
          team_id: field.integer({ primaryKey: true, foreignKey: 'team.id' }),
          hero_id: field.integer({ primaryKey: true, foreignKey: 'hero.id' }),
        }),
        { metadata },
      ),
    }
  }

  test('a link column the Session cannot fill is refused, with the two ways out', () => {
    assert.throws(
      () => relationships(tables(), ({ many }) => ({ Hero: { teams: many('Team', { link: 'Link' }) } })),
      (error: unknown) =>
        error instanceof RelationshipDefinitionError &&
        error.message ===
          'Hero.teams: the Session writes a Link row when a pair is linked, with only hero_id and team_id, but Link.since has no default. Give it one (since: field.…({ default: … })), or leave out the link option and create Link rows yourself, through one-to-many relationships to Link.',
    )
  })

  test('a link that is not one of the tables is refused', () => {
    assert.throws(
      // @ts-expect-error: 'Links' is not a key of the tables.
      () => relationships(tables(), ({ many }) => ({ Hero: { teams: many('Team', { link: 'Links' }) } })),
      /Hero\.teams: the link "Links" is not one of the tables \(Team, Hero, Link, Membership\)/,
    )
  })

  test('a link table the many-to-many writes cannot also be a collection of rows', () => {
    assert.throws(
      () =>
        relationships(tables(), ({ one, many }) => ({
          Hero: {
            teams: many('Team', { link: 'Membership' }),
            memberships: many('Membership', { backPopulates: 'hero' }),
          },
          Membership: { hero: one('Hero', { backPopulates: 'memberships' }) },
        })),
      /Hero\.teams writes the Membership rows itself, and Hero\.memberships holds them as rows: the Session would write them two ways/,
    )
  })

  test('partners must go through the same link, each by the other way', () => {
    const declared = tables()
    assert.throws(
      () =>
        relationships(declared, ({ many }) => ({
          Hero: { teams: many('Team', { link: 'Membership', backPopulates: 'heroes' }) },
          Team: { heroes: many('Hero', { backPopulates: 'teams' }) },
        })),
      /both must be many\(\) over the same link table/,
    )
  })
})
