/**
 * Loading, through the Session on every dialect: a database row becomes the object the Session already
 * holds or a new tracked one, relationships load for many rows in batches of 500 keys, and a refresh
 * reads values again without marking the row changed.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { select, selectinload, Session } from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { comparedWhole } from '../support/dirty-checks.ts'
import { teamsDatabase } from '../support/teams.ts'

const selects = (log: readonly string[]) => log.filter((line) => /^select/i.test(line))

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: loading`, () => {
    test('a row read again is the object the Session holds, with the values it was given', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine, { autoflush: false })
      const hero = (await session.get(Hero, 2))!
      hero.age = 99
      const [again] = await session.exec(select(Hero).where(Hero.c.id.eq(2))).all()
      assert.equal(again, hero)
      assert.equal(hero.age, 99, 'a read does not overwrite what was not flushed')
    })

    test('a many-to-one loads with one query for the parents the Session does not hold', async (t) => {
      const { engine, Team, Hero, log } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const preventers = (await session.get(Team, 1))!
      log.length = 0
      const heroes = await session.exec(select(Hero).orderBy(Hero.c.id).options(selectinload('team'))).all()
      assert.equal(selects(log).length, 2, 'the heroes, then Z-Force only')
      assert.deepEqual(
        heroes.map((hero) => hero.team?.name),
        ['Preventers', 'Preventers', 'Z-Force'],
      )
      assert.equal(heroes[0]!.team, preventers)
      log.length = 0
      assert.equal(await session.load(heroes[2]!, 'team'), heroes[2]!.team)
      assert.equal(selects(log).length, 0, 'a parent held needs no query')
    })

    test('a collection loads for 501 parents with two queries of at most 500 keys', async (t) => {
      const { engine, Team, Hero, log } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      session.addAll(Array.from({ length: 499 }, (_, i) => Team.create({ name: `Team ${i + 3}` })))
      await session.commit()
      log.length = 0
      const teams = await session.exec(select(Team).options(selectinload('heroes'))).all()
      assert.equal(teams.length, 501)
      assert.equal(selects(log).length, 3, 'the teams, then two batches of heroes')
      assert.deepEqual(
        teams.slice(0, 3).map((team) => team.heroes.map((hero) => hero.name)),
        [['Deadpond', 'Rusty-Man'], ['Spider-Boy'], []],
      )
      const [deadpond] = teams[0]!.heroes
      assert.equal(deadpond!.team, teams[0], 'the back-populated side is set too')
      assert.equal(await session.get(Hero, 1), deadpond)
    })

    test('a refresh reads the values again, and they are not taken for changes', async (t) => {
      const { engine, Hero, log } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const hero = (await session.get(Hero, 2))!
      await using other = new Session(engine)
      ;(await other.get(Hero, 2))!.age = 60
      await other.commit()
      await session.refresh(hero)
      assert.equal(hero.age, 60)
      log.length = 0
      await session.commit()
      assert.deepEqual(log, [], 'nothing to write')
    })

    test('a row refreshed, or read again after a rollback, is not compared at the next flush', async (t) => {
      const { engine, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const rusty = (await session.get(Hero, 2))!
      await session.begin()
      await session.get(Hero, 3) // read inside the transaction: read again after its rollback
      await session.rollback()
      await session.refresh(rusty)
      const compared = comparedWhole(t, Hero, 'name')
      await session.flush()
      assert.deepEqual(compared, [])
    })
  })
}
