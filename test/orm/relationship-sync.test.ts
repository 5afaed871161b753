/**
 * Relationship sync, through the Session on every dialect: collections and many-to-ones become foreign
 * keys at flush, rows they reach are added (save-update cascade), loaded relationships follow a foreign
 * key set directly, and a parent's delete detaches the children the Session holds.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { select, selectinload, Session } from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { teamsDatabase } from '../support/teams.ts'

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: relationship sync`, () => {
    test('a hero pushed to a loaded collection gets its key and its team at flush', async (t) => {
      const { engine, Team, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const zForce = (await session.get(Team, 2, { options: [selectinload('heroes')] }))!
      const deadpond = (await session.get(Hero, 1))!
      zForce.heroes.push(deadpond)
      await session.flush()
      assert.equal(deadpond.team_id, 2)
      assert.equal(deadpond.team, zForce)
      await session.commit()
      await using reader = new Session(engine)
      assert.equal((await reader.get(Hero, 1))!.team_id, 2)
    })

    test('a foreign key set directly moves the hero between the loaded collections', async (t) => {
      const { engine, Team, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const [preventers, zForce] = await session
        .exec(select(Team).orderBy(Team.c.id).options(selectinload('heroes')))
        .all()
      const spiderBoy = (await session.get(Hero, 3))!
      spiderBoy.team_id = 1
      await session.commit()
      assert.deepEqual(
        preventers!.heroes.map((hero) => hero.name),
        ['Deadpond', 'Rusty-Man', 'Spider-Boy'],
      )
      assert.deepEqual(zForce!.heroes, [])
      assert.equal(spiderBoy.team, preventers)
    })

    test('a new hero given a team whose heroes are not loaded is inserted with it', async (t) => {
      const { engine, Team, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const zForce = (await session.get(Team, 2))!
      const hero = Hero.create({ name: 'Black Lion' })
      hero.team = zForce
      await session.commit()
      assert.equal(hero.team_id, 2)
      await using reader = new Session(engine)
      const names = (await reader.exec(select(Hero).where(Hero.c.team_id.eq(2))).all()).map((h) => h.name)
      assert.deepEqual(names, ['Spider-Boy', 'Black Lion'])
    })

    test('a hero given that team and then another, not in the Session, is not taken in by the first', async (t) => {
      const { engine, Team, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const zForce = (await session.get(Team, 2))!
      const hero = Hero.create({ name: 'Black Lion' })
      hero.team = zForce
      hero.team = Team.create({ name: 'Wakaland' })
      await session.commit()
      await using reader = new Session(engine)
      assert.equal(
        (await reader.exec(select(Hero)).all()).length,
        3,
        'neither the hero nor its team was added',
      )
    })

    test("a team's delete sets its heroes' key to null, in the database and on the heroes held", async (t) => {
      const { engine, Team, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const preventers = (await session.get(Team, 1, { options: [selectinload('heroes')] }))!
      const [deadpond] = preventers.heroes
      await session.delete(preventers)
      await session.commit()
      assert.equal(deadpond!.team_id, null)
      assert.equal(deadpond!.team, null)
      await using reader = new Session(engine)
      const heroes = await reader.exec(select(Hero).orderBy(Hero.c.id)).all()
      assert.deepEqual(
        heroes.map((hero) => hero.team_id),
        [null, null, 2],
      )
    })

    test('a many-to-one assigned after a flush is still seen by the next one', async (t) => {
      const { engine, Team, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const deadpond = (await session.get(Hero, 1, { options: [selectinload('team')] }))!
      const zForce = (await session.get(Team, 2))!
      deadpond.team = zForce
      await session.flush()
      deadpond.team = (await session.get(Team, 1))!
      await session.commit()
      await using reader = new Session(engine)
      assert.equal((await reader.get(Hero, 1))!.team_id, 1)
    })

    test('a new hero linked to a team, then deleted before any flush, is never inserted', async (t) => {
      const { engine, Team, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const preventers = (await session.get(Team, 1))!
      const blackLion = Hero.create({ name: 'Black Lion' })
      session.add(blackLion)
      blackLion.team = preventers // its heroes are not loaded
      await session.delete(blackLion)
      await session.commit()
      await using reader = new Session(engine)
      assert.equal((await reader.exec(select(Hero)).all()).length, 3)
    })

    test('a row that left the session, then its loaded collection, is skipped at flush', async (t) => {
      const { engine, Team, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const zForce = (await session.get(Team, 2, { options: [selectinload('heroes')] }))!
      const [spiderBoy] = zForce.heroes
      {
        await using other = new Session(engine)
        await other.delete((await other.get(Hero, 3))!)
        await other.commit()
      }
      await assert.rejects(session.refresh(spiderBoy!), { code: 'OM_ORM_STALE' }) // it leaves the session
      zForce.heroes.splice(0)
      zForce.name = 'The Z-Force'
      await session.commit()
      await using reader = new Session(engine)
      assert.equal((await reader.get(Team, 2))!.name, 'The Z-Force')
    })

    test('a hero given a team, then gone from the database, is not taken back by that team', async (t) => {
      const { engine, Team, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const preventers = (await session.get(Team, 1))!
      const spiderBoy = (await session.get(Hero, 3))!
      spiderBoy.team = preventers // its heroes are not loaded
      {
        await using other = new Session(engine)
        await other.delete((await other.get(Hero, 3))!)
        await other.commit()
      }
      await assert.rejects(session.refresh(spiderBoy), { code: 'OM_ORM_STALE' }) // it leaves the session
      await session.commit() // nothing to write: no StaleDataError for a row the session no longer holds
      assert.equal(session.inTransaction, false)
    })
  })
}
