/**
 * Delete cascades through the Session (SQLAlchemy's `cascade="all, delete-orphan"`): a hero removed from a
 * `'delete-orphan'` collection is deleted at flush instead of having its key nulled, a hero moved to
 * another team is not, and deleting a team deletes its heroes (and their powers) through the Session,
 * loaded or not, children first, one query per level to find them. Counted from the echoed SQL on every
 * dialect, and set against the foreign key's `onDelete: 'cascade'`, where the database deletes.
 */
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import {
  createAll,
  createEngine,
  field,
  type Engine,
  type Field,
  type Select,
  type TableModel,
  Metadata,
  model,
  RelationshipDefinitionError,
  relationships,
  select,
  selectinload,
  Session,
  table,
  type Cascade,
} from 'onemodel-ts'
import { DIALECTS, type DialectUnderTest } from '../support/dialects.ts'
import { recordSql } from '../support/heroes.ts'
import { statement } from '../support/teams.ts'

/** Team → Hero → Power; `cascade` on both collections, `onDelete` on both foreign keys. */
function declareTeams(cascade: Cascade | undefined, onDelete?: 'cascade') {
  const metadata = new Metadata()
  const id = () => field.integer({ primaryKey: true })
  const parentKey = (reference: string) =>
    field.integer({ nullable: true, default: null, foreignKey: reference, onDelete })
  return relationships(
    {
      Team: table('team', model('Team', { id: id(), name: field.string() }), { metadata }),
      Hero: table('hero', model('Hero', { id: id(), name: field.string(), team_id: parentKey('team.id') }), {
        metadata,
      }),
      Power: table(
        'power',
        model('Power', { id: id(), name: field.string(), hero_id: parentKey('hero.id') }),
        {
          metadata,
        },
      ),
    },
    ({ one, many }) => ({
      Team: { heroes: many('Hero', { backPopulates: 'team', cascade }) },
      Hero: {
        team: one('Team', { backPopulates: 'heroes' }),
        powers: many('Power', { backPopulates: 'hero', cascade }),
      },
      Power: { hero: one('Hero', { backPopulates: 'powers' }) },
    }),
  )
}

/**
 * Preventers (id 1: Deadpond with 2 powers, Rusty-Man with 1) and Z-Force (id 2: Spider-Boy with 1),
 * and `log`, empty.
 */
async function teamsDatabase(
  t: TestContext,
  dialect: DialectUnderTest,
  { cascade, onDelete }: { cascade?: Cascade; onDelete?: 'cascade' } = { cascade: 'delete-orphan' },
) {
  const models = declareTeams(cascade, onDelete)
  const { Team, Hero, Power } = models
  const recorded = recordSql()
  const engine = createEngine(await dialect.isolatedUrl(), recorded.options)
  t.after(() => engine.dispose())
  await createAll(engine, { metadata: Team.metadata })
  await using session = new Session(engine)
  const hero = (name: string, ...powers: string[]) =>
    Hero.create({ name, powers: powers.map((power) => Power.create({ name: power })) })
  session.addAll([
    Team.create({
      name: 'Preventers',
      heroes: [hero('Deadpond', 'healing', 'humour'), hero('Rusty-Man', 'armour')],
    }),
    Team.create({ name: 'Z-Force', heroes: [hero('Spider-Boy', 'webs')] }),
  ])
  await session.commit()
  recorded.log.length = 0
  return { ...models, engine, log: recorded.log }
}

/** The recorded writes and selects, in order, without the transaction's statements. */
const statements = (log: readonly string[]) =>
  log.map(statement).filter((line) => /^(select|insert|update|delete)/.test(line))

/** The table each recorded statement of `kind` acts on, in order. */
const tablesOf = (log: readonly string[], kind: 'select' | 'update' | 'delete') =>
  statements(log).flatMap((line) => {
    const match = new RegExp(`^${kind} (?:from )?"(\\w+)"|^${kind} .* from "(\\w+)"`).exec(line)
    return match ? [match[1] ?? match[2]!] : []
  })

/** The rows `query` reads, through a new session: what the database holds. */
async function read<M extends TableModel>(engine: Engine, query: Select<M>): Promise<M['Type'][]> {
  await using reader = new Session(engine)
  return reader.exec(query).all()
}

const names = (rows: readonly { name: string }[]) => rows.map((row) => row.name)

describe('cascade declarations', () => {
  const tables = () => {
    const metadata = new Metadata()
    return {
      Team: table('team', model('Team', { id: field.integer({ primaryKey: true }) }), { metadata }),
      Hero: table(
        'hero',
        model('Hero', {
          id: field.integer({ primaryKey: true }),
          team_id: field.integer({
            nullable: true,
            default: null,
            foreignKey: 'team.id',
            onDelete: 'set null',
          }),
        }),
        { metadata },
      ),
    }
  }

  test('a cascade on one() is refused, naming the many() side as the place for it', () => {
    assert.throws(
      () =>
        // @ts-expect-error: one() takes no cascade; a JavaScript caller is refused at run time.
        relationships(tables(), ({ one }) => ({ Hero: { team: one('Team', { cascade: 'delete-orphan' }) } })),
      (error: unknown) =>
        error instanceof RelationshipDefinitionError &&
        error.message.startsWith('Hero.team: cascade deletes the rows of a collection') &&
        error.message.includes("Put { cascade: 'delete-orphan' } on the parent's many() side."),
    )
  })

  test("a cascade over a foreign key with onDelete: 'set null' is refused: one deletes, the other keeps", () => {
    assert.throws(
      () =>
        relationships(tables(), ({ many }) => ({ Team: { heroes: many('Hero', { cascade: 'delete' }) } })),
      {
        name: 'RelationshipDefinitionError',
        message:
          "Team.heroes: cascade: 'delete' deletes the Hero rows of a deleted parent, but Hero.team_id has onDelete: 'set null', which keeps them. Keep one: drop onDelete from Hero.team_id, or drop cascade.",
      },
    )
  })

  test('an unknown cascade is refused, listing the two there are', () => {
    assert.throws(
      () =>
        relationships(tables(), ({ many }) => ({
          Team: { heroes: many('Hero', { cascade: 'all, delete-orphan' as Cascade }) },
        })),
      { message: /cascade "all, delete-orphan" is not one of 'delete' .* and 'delete-orphan'/ },
    )
  })
})

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: delete-orphan`, () => {
    test('a hero removed from the collection is deleted at flush, not given a null key', async (t) => {
      const { engine, Team, Hero, Power, log } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const preventers = (await session.get(Team, 1, { options: [selectinload('heroes')] }))!
      const rusty = preventers.heroes.splice(1, 1)[0]!
      log.length = 0
      await session.commit()
      assert.deepEqual(tablesOf(log, 'update'), [])
      // Its power goes with it (found by one query), before it.
      assert.deepEqual(tablesOf(log, 'select'), ['power'])
      assert.deepEqual(tablesOf(log, 'delete'), ['power', 'hero'])
      assert.equal(await session.get(Hero, 2), undefined)
      assert.deepEqual(names(await read(engine, select(Hero).orderBy(Hero.c.id))), ['Deadpond', 'Spider-Boy'])
      assert.deepEqual(names(await read(engine, select(Power).orderBy(Power.c.id))), [
        'healing',
        'humour',
        'webs',
      ])
    })

    test('a hero whose team is set to null is an orphan too', async (t) => {
      const { engine, Hero, log } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const deadpond = (await session.get(Hero, 1, { options: [selectinload('powers')] }))!
      deadpond.team = null
      log.length = 0
      await session.commit()
      assert.deepEqual(tablesOf(log, 'select'), [], 'its powers are loaded: nothing to find')
      assert.deepEqual(tablesOf(log, 'delete'), ['power', 'power', 'hero'])
      assert.deepEqual(names(await read(engine, select(Hero).orderBy(Hero.c.id))), [
        'Rusty-Man',
        'Spider-Boy',
      ])
    })

    test('a hero moved to another team is not an orphan: its key changes', async (t) => {
      const { engine, Team, Hero, log } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const [preventers, zForce] = await session
        .exec(select(Team).orderBy(Team.c.id).options(selectinload('heroes')))
        .all()
      const rusty = preventers!.heroes.pop()!
      zForce!.heroes.push(rusty)
      log.length = 0
      await session.commit()
      assert.deepEqual(tablesOf(log, 'delete'), [])
      assert.deepEqual(tablesOf(log, 'update'), ['hero'])
      assert.deepEqual(
        names(await read(engine, select(Hero).where(Hero.c.team_id.eq(2)).orderBy(Hero.c.id))),
        ['Rusty-Man', 'Spider-Boy'],
      )
    })

    test('a hero given no team and then another before the flush is kept', async (t) => {
      const { engine, Team, Hero, log } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const zForce = (await session.get(Team, 2))!
      const deadpond = (await session.get(Hero, 1))!
      deadpond.team = null
      deadpond.team = zForce
      log.length = 0
      await session.commit()
      assert.deepEqual(tablesOf(log, 'delete'), [])
      assert.equal((await session.get(Hero, 1))!.team_id, 2)
    })

    test('deleting a team with unloaded heroes finds them with one query per level and deletes them first', async (t) => {
      const { engine, Team, Hero, Power, log } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const teams = await session.exec(select(Team)).all()
      for (const team of teams) await session.delete(team)
      log.length = 0
      await session.commit()
      assert.deepEqual(tablesOf(log, 'select'), ['hero', 'power'], 'one query per level, whatever the rows')
      assert.deepEqual(tablesOf(log, 'update'), [], 'no key is set to null first')
      assert.deepEqual(tablesOf(log, 'delete'), [
        ...['power', 'power', 'power', 'power'],
        ...['hero', 'hero', 'hero'],
        ...['team', 'team'],
      ])
      for (const table of [Team, Hero, Power]) assert.deepEqual(names(await read(engine, select(table))), [])
    })

    test('deleting a team with loaded heroes reads nothing more for them', async (t) => {
      const { engine, Team, Hero, log } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const zForce = (await session.get(Team, 2, { options: [selectinload('heroes')] }))!
      const [spiderBoy] = zForce.heroes
      await session.load(spiderBoy!, 'powers')
      await session.delete(zForce)
      log.length = 0
      await session.commit()
      assert.deepEqual(tablesOf(log, 'select'), [])
      assert.deepEqual(tablesOf(log, 'delete'), ['power', 'hero', 'team'])
      assert.deepEqual(names(await read(engine, select(Hero).orderBy(Hero.c.id))), ['Deadpond', 'Rusty-Man'])
    })

    test('a rollback brings back the orphan and the cascaded rows, in the database and in the session', async (t) => {
      const { engine, Team, Hero } = await teamsDatabase(t, dialect)
      await using session = new Session(engine)
      const preventers = (await session.get(Team, 1, { options: [selectinload('heroes')] }))!
      preventers.heroes.splice(0, 1)
      await session.flush()
      assert.equal(await session.get(Hero, 1), undefined)
      await session.delete(preventers)
      await session.flush()
      assert.equal(await session.get(Hero, 2), undefined)
      await session.rollback()
      assert.equal((await session.get(Hero, 1))!.name, 'Deadpond')
      assert.equal((await session.get(Hero, 2))!.name, 'Rusty-Man')
      assert.equal((await session.get(Team, 1))!.name, 'Preventers')
      assert.deepEqual(names(await read(engine, select(Hero).orderBy(Hero.c.id))), [
        'Deadpond',
        'Rusty-Man',
        'Spider-Boy',
      ])
    })

    test('deleting the root of a table that references itself deletes the deepest rows first', async (t) => {
      const metadata = new Metadata()
      const { Node } = relationships(
        {
          Node: table(
            'node',
            model('Node', {
              id: field.integer({ primaryKey: true }),
              name: field.string(),
              parent_id: field.integer({ nullable: true, default: null, foreignKey: 'node.id' }),
            }),
            { metadata },
          ),
        },
        ({ one, many }) => ({
          Node: {
            parent: one('Node', { backPopulates: 'children' }),
            children: many('Node', { backPopulates: 'parent', cascade: 'delete' }),
          },
        }),
      )
      const recorded = recordSql()
      const engine = createEngine(await dialect.isolatedUrl(), recorded.options)
      t.after(() => engine.dispose())
      await createAll(engine, { metadata })
      await using session = new Session(engine)
      const root = Node.create({
        name: 'root',
        children: [Node.create({ name: 'child', children: [Node.create({ name: 'grandchild' })] })],
      })
      session.add(root)
      await session.commit()
      await using other = new Session(engine)
      await other.delete((await other.get(Node, root.id!))!)
      recorded.log.length = 0
      await other.commit()
      assert.deepEqual(tablesOf(recorded.log, 'select'), ['node', 'node', 'node'], 'one query per level')
      assert.equal(tablesOf(recorded.log, 'delete').length, 3)
      assert.deepEqual(names(await read(engine, select(Node))), [])
    })
  })

  describe(`${dialect.name}: cascade 'delete' and the foreign key's onDelete`, () => {
    test("with cascade: 'delete', a hero removed from the collection keeps its row, without a team", async (t) => {
      const { engine, Team, Hero, log } = await teamsDatabase(t, dialect, { cascade: 'delete' })
      await using session = new Session(engine)
      const preventers = (await session.get(Team, 1, { options: [selectinload('heroes')] }))!
      preventers.heroes.pop()
      log.length = 0
      await session.commit()
      assert.deepEqual(tablesOf(log, 'delete'), [])
      assert.deepEqual(tablesOf(log, 'update'), ['hero'])
      assert.deepEqual(names(await read(engine, select(Hero).where(Hero.c.team_id.isNull()))), ['Rusty-Man'])
      await session.delete((await session.get(Team, 1))!)
      log.length = 0
      await session.commit()
      assert.deepEqual(tablesOf(log, 'delete'), ['power', 'power', 'hero', 'team'])
    })

    test("onDelete: 'cascade' lets the database delete: one DELETE, and the session drops the heroes it holds", async (t) => {
      const { engine, Team, Hero, Power, log } = await teamsDatabase(t, dialect, { onDelete: 'cascade' })
      await using session = new Session(engine)
      const deadpond = (await session.get(Hero, 1))!
      await session.delete((await session.get(Team, 1))!)
      log.length = 0
      await session.commit()
      assert.deepEqual(statements(log).length, 1)
      assert.deepEqual(tablesOf(log, 'delete'), ['team'])
      assert.equal(await session.get(Hero, 1), undefined)
      assert.deepEqual(names(await read(engine, select(Hero))), ['Spider-Boy'])
      assert.deepEqual(names(await read(engine, select(Power))), ['webs'])
    })
  })
}
