/**
 * Composite primary keys through the Session, on every dialect of DIALECTS: SQLModel's link table
 * `HeroTeamLink (team_id, hero_id)` with an extra field (`is_training`), read, created, updated, re-keyed
 * and deleted as rows; found by `session.get()` with the object of its key fields; kept once in the
 * identity map whichever way it is read; and written by bulk statements and upserts. Echoed SQL is compared
 * in SQLite's spelling (`neutralSql`), with the keys a write by key returns left out.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  createAll,
  createEngine,
  deleteFrom,
  field,
  insert,
  InvalidQueryError,
  Metadata,
  model,
  relationships,
  select,
  selectinload,
  Session,
  SessionError,
  StaleDataError,
  table,
  update,
} from 'onemodel-ts'
import { DIALECTS, type DialectUnderTest } from '../support/dialects.ts'

/** Team, Hero and the link table between them, whose rows are a relationship of each side. */
function declareLinks() {
  const metadata = new Metadata()
  return {
    metadata,
    ...relationships(
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
            is_training: field.boolean({ default: false }),
          }),
          { metadata },
        ),
      },
      ({ one, many }) => ({
        Team: { hero_links: many('HeroTeamLink', { backPopulates: 'team' }) },
        Hero: { team_links: many('HeroTeamLink', { backPopulates: 'hero' }) },
        HeroTeamLink: {
          team: one('Team', { backPopulates: 'hero_links' }),
          hero: one('Hero', { backPopulates: 'team_links' }),
        },
      }),
    ),
  }
}

/**
 * A fresh database with two teams, three heroes and the links Deadpond–Preventers, Rusty-Man–Preventers
 * (in training) and Rusty-Man–Z-Force; `log` holds the statements run after that, without RETURNING.
 */
async function linksDatabase(dialect: DialectUnderTest) {
  const models = declareLinks()
  const log: string[] = []
  const engine = createEngine(await dialect.isolatedUrl(), { echo: true, logger: (line) => log.push(line) })
  await createAll(engine, { metadata: models.metadata })
  const { Team, Hero, HeroTeamLink } = models
  {
    await using session = new Session(engine)
    session.addAll([
      Team.create({ id: 1, name: 'Preventers' }),
      Team.create({ id: 2, name: 'Z-Force' }),
      Hero.create({ id: 1, name: 'Deadpond' }),
      Hero.create({ id: 2, name: 'Rusty-Man' }),
      Hero.create({ id: 3, name: 'Spider-Boy' }),
    ])
    await session.flush()
    session.addAll([
      HeroTeamLink.create({ team_id: 1, hero_id: 1 }),
      HeroTeamLink.create({ team_id: 1, hero_id: 2, is_training: true }),
      HeroTeamLink.create({ team_id: 2, hero_id: 2 }),
    ])
    await session.commit()
  }
  // SQLite's spelling, without the parameter count and the keys a write by key returns where it can.
  const statements = () =>
    log.map((line) =>
      line
        .replaceAll('`', '"')
        .replace(/\$\d+/g, '?')
        .replace(/ -- \d+ parameters?$/, '')
        .replace(/ returning .*$/, ''),
    )
  log.length = 0
  return { ...models, engine, log, statements }
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: composite primary keys`, () => {
    test('no part of a composite key is generated; a key that refers to a row must be there by its insert', async () => {
      const { engine, HeroTeamLink, statements } = await linksDatabase(dialect)
      await using _ = engine
      assert.deepEqual(HeroTeamLink.primaryKeys, ['team_id', 'hero_id'])
      assert.equal(HeroTeamLink.primaryKey, undefined)
      assert.equal(HeroTeamLink.generatedKey, undefined)
      // Both keys refer to rows: the flush may take them from the relationships (create({ team, hero })).
      assert.deepEqual(HeroTeamLink.schema.required, undefined)
      await using session = new Session(engine)
      session.add(HeroTeamLink.create({ team_id: 1 }))
      await assert.rejects(
        session.commit(),
        (error: unknown) =>
          error instanceof SessionError &&
          error.code === 'OM_ORM_KEY_MISSING' &&
          error.message.startsWith(
            'HeroTeamLink.hero_id is part of the primary key and has no value at the flush.',
          ),
      )
      assert.deepEqual(
        statements().filter((line) => line.startsWith('insert')),
        [],
        'refused before its insert',
      )
    })

    test('a link created with the new rows it links takes both keys from them, in one flush', async () => {
      const { engine, Team, Hero, HeroTeamLink, statements } = await linksDatabase(dialect)
      await using _ = engine
      await using session = new Session(engine)
      // Keys given: the fixture's rows took 1 and 2 by hand, which PostgreSQL's sequences do not know.
      const wakaland = Team.create({ id: 10, name: 'Wakaland' })
      const princess = Hero.create({ id: 20, name: 'Princess Sure-E' })
      const link = HeroTeamLink.create({ team: wakaland, hero: princess, is_training: true })
      assert.deepEqual(wakaland.hero_links, [link], 'the collections follow at once')
      session.add(link)
      await session.commit()
      assert.deepEqual(
        statements().filter((line) => line.startsWith('insert')),
        [
          'insert into "team" ("id", "name") values (?, ?)',
          'insert into "hero" ("id", "name") values (?, ?)',
          'insert into "heroteamlink" ("team_id", "hero_id", "is_training") values (?, ?, ?)',
        ],
      )
      assert.deepEqual([link.team_id, link.hero_id], [10, 20])
      assert.equal(await session.get(HeroTeamLink, { team_id: 10, hero_id: 20 }), link)
    })

    test("deleting a hero deletes its link rows, whose key cannot be null, and the Session's held ones", async () => {
      const { engine, Hero, HeroTeamLink, statements } = await linksDatabase(dialect)
      await using _ = engine
      await using session = new Session(engine)
      const held = await session.exec(select(HeroTeamLink).where(HeroTeamLink.c.hero_id.eq(2))).all()
      const rusty = (await session.get(Hero, 2))!
      statements().length = 0
      await session.delete(rusty)
      await session.commit()
      assert.deepEqual(
        statements().filter((line) => /^(update|delete)/.test(line)),
        ['delete from "heroteamlink" where "hero_id" = ?', 'delete from "hero" where "id" = ?'],
      )
      assert.equal((await session.exec(select(HeroTeamLink)).all()).length, 1)
      for (const link of held) assert.throws(() => session.add(link), /deleted/)
    })

    test('inserts a link row with its given key, and reads and updates it by both fields', async () => {
      const { engine, HeroTeamLink, log, statements } = await linksDatabase(dialect)
      await using _ = engine
      await using session = new Session(engine)
      const link = HeroTeamLink.create({ team_id: 2, hero_id: 3 })
      session.add(link)
      await session.commit()
      assert.deepEqual(statements(), [
        'insert into "heroteamlink" ("team_id", "hero_id", "is_training") values (?, ?, ?)',
      ])
      assert.equal(await session.get(HeroTeamLink, { team_id: 2, hero_id: 3 }), link, 'the same object')
      assert.equal(log.length, 1, 'found in the identity map, without a query')

      await using other = new Session(engine)
      const read = await other.get(HeroTeamLink, { hero_id: 2, team_id: 1 })
      assert.deepEqual({ ...read }, { team_id: 1, hero_id: 2, is_training: true })
      assert.equal(
        statements().at(-1),
        'select "heroteamlink"."team_id", "heroteamlink"."hero_id", "heroteamlink"."is_training" from "heroteamlink" where "team_id" = ? and "hero_id" = ?',
      )
      assert.equal(await other.get(HeroTeamLink, { team_id: 2, hero_id: 1 }), undefined)
      read!.is_training = false
      await other.commit()
      assert.equal(
        statements().at(-1),
        'update "heroteamlink" set "is_training" = ? where "team_id" = ? and "hero_id" = ?',
      )
      await using third = new Session(engine)
      assert.equal((await third.get(HeroTeamLink, { team_id: 1, hero_id: 2 }))!.is_training, false)
    })

    test('a changed key field moves the row to its new key, and a delete removes it by both fields', async () => {
      const { engine, HeroTeamLink, statements } = await linksDatabase(dialect)
      await using _ = engine
      await using session = new Session(engine)
      const link = (await session.get(HeroTeamLink, { team_id: 1, hero_id: 1 }))!
      link.hero_id = 3
      await session.commit()
      assert.equal(
        statements().at(-1),
        'update "heroteamlink" set "hero_id" = ? where "team_id" = ? and "hero_id" = ?',
      )
      assert.equal(await session.get(HeroTeamLink, { team_id: 1, hero_id: 3 }), link)
      assert.equal(await session.get(HeroTeamLink, { team_id: 1, hero_id: 1 }), undefined)

      await session.delete(link)
      await session.commit()
      assert.equal(statements().at(-1), 'delete from "heroteamlink" where "team_id" = ? and "hero_id" = ?')
      await using other = new Session(engine)
      const left = await other.exec(select(HeroTeamLink).orderBy(HeroTeamLink.c.hero_id)).all()
      assert.deepEqual(
        left.map((row) => [row.team_id, row.hero_id]),
        [
          [1, 2],
          [2, 2],
        ],
      )
    })

    test('a row deleted elsewhere is stale: the error names both key fields', async () => {
      const { engine, HeroTeamLink } = await linksDatabase(dialect)
      await using _ = engine
      await using session = new Session(engine)
      const link = (await session.get(HeroTeamLink, { team_id: 1, hero_id: 2 }))!
      await engine.db.deleteFrom('heroteamlink').where('team_id', '=', 1).where('hero_id', '=', 2).execute()
      link.is_training = false
      await assert.rejects(session.commit(), (error: unknown) => {
        assert.ok(error instanceof StaleDataError, `expected a StaleDataError, got ${String(error)}`)
        assert.equal(error.model, 'HeroTeamLink')
        assert.deepEqual(error.key, { team_id: 1, hero_id: 2 })
        assert.match(error.message, /HeroTeamLink with team_id=1, hero_id=2/)
        return true
      })
      const other = (await session.get(HeroTeamLink, { team_id: 2, hero_id: 2 }))!
      await engine.db.deleteFrom('heroteamlink').execute()
      await assert.rejects(
        session.refresh(other),
        /session\.refresh\(\): HeroTeamLink with team_id=2, hero_id=2/,
      )
    })

    test('refresh reads the row again by its key', async () => {
      const { engine, HeroTeamLink } = await linksDatabase(dialect)
      await using _ = engine
      await using session = new Session(engine)
      const link = (await session.get(HeroTeamLink, { team_id: 1, hero_id: 1 }))!
      await engine.db
        .updateTable('heroteamlink')
        .set({ is_training: true })
        .where('hero_id', '=', 1)
        .execute()
      assert.equal((await session.refresh(link)).is_training, true)
    })

    test('a rollback restores the values and the keys of the rows, and reads them again', async () => {
      const { engine, HeroTeamLink } = await linksDatabase(dialect)
      await using _ = engine
      await using session = new Session(engine)
      const moved = (await session.get(HeroTeamLink, { team_id: 1, hero_id: 1 }))!
      const trained = (await session.get(HeroTeamLink, { team_id: 1, hero_id: 2 }))!
      await session.begin()
      moved.hero_id = 3
      trained.is_training = false
      const added = HeroTeamLink.create({ team_id: 2, hero_id: 1 })
      session.add(added)
      await session.flush()
      await session.rollback()
      assert.deepEqual([moved.hero_id, trained.is_training], [1, true])
      assert.equal(await session.get(HeroTeamLink, { team_id: 1, hero_id: 1 }), moved)
      assert.deepEqual([added.team_id, added.hero_id], [2, 1], 'a given key is kept, unlike a generated one')
      assert.equal(await session.get(HeroTeamLink, { team_id: 2, hero_id: 1 }), undefined)
      session.add(added)
      await session.commit()
      await using other = new Session(engine)
      assert.ok(await other.get(HeroTeamLink, { team_id: 2, hero_id: 1 }), 'the row added again is inserted')
    })

    test('rows read by select(), by a join and by a stream are the objects the Session holds', async () => {
      const { engine, Hero, HeroTeamLink } = await linksDatabase(dialect)
      await using _ = engine
      await using session = new Session(engine)
      const link = (await session.get(HeroTeamLink, { team_id: 2, hero_id: 2 }))!
      const all = await session.exec(select(HeroTeamLink).orderBy(HeroTeamLink.c.team_id)).all()
      assert.equal(all.length, 3)
      assert.equal(
        all.find((row) => row.team_id === 2),
        link,
      )
      const again = await session.exec(select(HeroTeamLink).orderBy(HeroTeamLink.c.team_id)).all()
      assert.deepEqual(again, all)
      assert.ok(again.every((row, i) => row === all[i]))
      const pairs = await session
        .exec(select(Hero, HeroTeamLink).join(HeroTeamLink, Hero.c.id.eq(HeroTeamLink.c.hero_id)))
        .all()
      assert.equal(pairs.length, 3)
      for (const [hero, row] of pairs) {
        assert.equal(row.hero_id, hero.id)
        assert.ok(all.includes(row))
      }
      const streamed: object[] = []
      for await (const row of session.stream(select(HeroTeamLink))) streamed.push(row)
      assert.equal(streamed.length, 3)
      assert.ok(streamed.includes(link))
    })

    test('a bulk update and delete by filter bring the rows the Session holds in line', async () => {
      const { engine, HeroTeamLink } = await linksDatabase(dialect)
      await using _ = engine
      await using session = new Session(engine)
      const held = await session.exec(select(HeroTeamLink)).all()
      const { affected } = await session.exec(
        update(HeroTeamLink).where(HeroTeamLink.c.hero_id.eq(2)).values({ is_training: true }),
      )
      assert.equal(affected, 2)
      assert.deepEqual(
        held.map((row) => row.is_training),
        held.map((row) => row.hero_id === 2 || row.is_training),
      )
      await session.exec(deleteFrom(HeroTeamLink).where(HeroTeamLink.c.team_id.eq(2)))
      await session.commit()
      assert.equal(await session.get(HeroTeamLink, { team_id: 2, hero_id: 2 }), undefined)
      assert.ok(await session.get(HeroTeamLink, { team_id: 1, hero_id: 2 }))
      assert.throws(
        () => update(HeroTeamLink).values({ hero_id: 3 } as never),
        /'hero_id' is part of the primary key/,
      )
    })

    test('an upsert conflicts on the whole composite key; a part of it is refused as a target', async () => {
      const { engine, HeroTeamLink } = await linksDatabase(dialect)
      await using _ = engine
      await using session = new Session(engine)
      await session.exec(
        insert(HeroTeamLink)
          .values([
            { team_id: 1, hero_id: 1, is_training: true },
            { team_id: 2, hero_id: 3, is_training: true },
          ])
          .onConflict({ target: ['team_id', 'hero_id'] })
          .doUpdate(['is_training']),
      )
      await session.exec(
        insert(HeroTeamLink)
          .values({ team_id: 2, hero_id: 3 })
          .onConflict({ target: ['team_id', 'hero_id'] })
          .doNothing(),
      )
      const rows = await session
        .exec(select(HeroTeamLink).orderBy(HeroTeamLink.c.team_id, HeroTeamLink.c.hero_id))
        .all()
      assert.deepEqual(
        rows.map((row) => [row.team_id, row.hero_id, row.is_training]),
        [
          [1, 1, true],
          [1, 2, true],
          [2, 2, false],
          [2, 3, true],
        ],
      )
      assert.throws(
        () => insert(HeroTeamLink).values({ team_id: 1, hero_id: 1 }).onConflict({ target: 'team_id' }),
        /'team_id' is one field of the primary key \(team_id, hero_id\): name them all/,
      )
    })

    test('session.get() refuses a key that is not the object of every key field, naming them', async () => {
      const { engine, HeroTeamLink } = await linksDatabase(dialect)
      await using _ = engine
      await using session = new Session(engine)
      const wrong: [unknown, RegExp][] = [
        [{ team_id: 1 }, /hero_id missing/],
        [1, /got 1/],
        [[1, 2], /got an array/],
        [{ team_id: 1, hero_id: 2, id: 3 }, /id not part of the key/],
        [{ team_id: 1, hero_id: undefined }, /hero_id null or undefined/],
      ]
      for (const [key, problem] of wrong) {
        await assert.rejects(session.get(HeroTeamLink, key as never), (error: unknown) => {
          assert.ok(error instanceof InvalidQueryError, `expected an InvalidQueryError, got ${String(error)}`)
          assert.match(error.message, /session\.get\(HeroTeamLink, key\)/)
          assert.match(error.message, /\(team_id, hero_id\)/)
          assert.match(error.message, problem)
          assert.match(error.message, /Pass \{ team_id: …, hero_id: … \}/)
          return true
        })
      }
    })

    test('a link model is a relationship of each side: selectinload loads the links, then their teams', async () => {
      const { engine, Hero, HeroTeamLink, log } = await linksDatabase(dialect)
      await using _ = engine
      await using session = new Session(engine)
      const heroes = await session
        .exec(select(Hero).options(selectinload('team_links')).orderBy(Hero.c.id))
        .all()
      const links = heroes.flatMap((hero) => hero.team_links)
      await session.exec(select(HeroTeamLink).options(selectinload('team'))).all()
      assert.equal(log.filter((line) => line.startsWith('select')).length, 4, 'one query per level')
      assert.deepEqual(
        heroes.map((hero) =>
          hero.team_links.map((link) => [link.team?.name, link.is_training, link.hero === hero]),
        ),
        [
          [['Preventers', false, true]],
          [
            ['Preventers', true, true],
            ['Z-Force', false, true],
          ],
          [],
        ],
      )
      assert.equal(links.length, 3)
      const link = heroes[1]!.team_links[0]!
      link.is_training = false
      await session.commit()
      await using other = new Session(engine)
      assert.equal((await other.get(HeroTeamLink, { team_id: 1, hero_id: 2 }))!.is_training, false)
    })
  })
}
