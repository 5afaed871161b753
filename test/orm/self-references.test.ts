/**
 * Relationships from a table to itself, on every dialect: a tree of nodes (one-to-many, parent and
 * children) and users who follow users (many-to-many through a link table). Which side holds the key is
 * explicit: one() is the row's own foreign key, many() the others' that refer to it; for a link table with
 * two keys to the same table, `foreignKey` says which refers to the owner. What is ambiguous is refused.
 */
import assert from 'node:assert/strict'
import { describe, test, type TestContext } from 'node:test'
import {
  createAll,
  createEngine,
  field,
  Metadata,
  model,
  not,
  RelationshipDefinitionError,
  relationships,
  select,
  selectinload,
  Session,
  table,
} from 'onemodel-ts'
import { DIALECTS, type DialectUnderTest } from '../support/dialects.ts'
import { recordSql } from '../support/heroes.ts'

function declareSelfReferences() {
  const metadata = new Metadata()
  return relationships(
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
      User: table(
        'account',
        model('User', { id: field.integer({ primaryKey: true }), username: field.string() }),
        { metadata },
      ),
      Follow: table(
        'follow',
        model('Follow', {
          id: field.integer({ primaryKey: true }),
          follower_id: field.integer({ foreignKey: 'account.id' }),
          followed_id: field.integer({ foreignKey: 'account.id' }),
        }),
        { metadata },
      ),
    },
    ({ one, many }) => ({
      Node: {
        parent: one('Node', { backPopulates: 'children' }),
        children: many('Node', { backPopulates: 'parent', orderBy: 'name' }),
      },
      User: {
        following: many('User', { link: 'Follow', foreignKey: 'follower_id', backPopulates: 'followers' }),
        followers: many('User', { link: 'Follow', foreignKey: 'followed_id', backPopulates: 'following' }),
      },
    }),
  )
}

async function selfDatabase(t: TestContext, dialect: DialectUnderTest) {
  const models = declareSelfReferences()
  const { log, options } = recordSql()
  const engine = createEngine(await dialect.isolatedUrl(), options)
  t.after(() => engine.dispose())
  await createAll(engine, { metadata: models.Node.metadata })
  log.length = 0
  return { ...models, engine, log }
}

const names = (rows: readonly { name: string }[]) => rows.map((row) => row.name)
const usernames = (rows: readonly { username: string }[]) => rows.map((row) => row.username)

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: self-references`, () => {
    test('a tree is saved in one flush, parents first, and read a level per query', async (t) => {
      const { Node, engine, log } = await selfDatabase(t, dialect)
      {
        await using session = new Session(engine)
        const root = Node.create({ name: 'root' })
        const a = Node.create({ name: 'a' })
        const b = Node.create({ name: 'b' })
        a.children.push(Node.create({ name: 'a2' }), Node.create({ name: 'a1' }))
        root.children.push(b, a)
        session.add(a) // a child first: its parent is still inserted before it
        session.add(root)
        await session.commit()
        assert.deepEqual(
          log.filter((line) => !line.startsWith('insert')),
          [],
          'each insert knows its parent key: no update after',
        )
        assert.equal(a.parent, root)
        assert.equal(a.children[0]!.parent_id, a.id)
      }
      await using session = new Session(engine)
      log.length = 0
      const [root] = await session.exec(select(Node).where(Node.c.parent_id.isNull())).all()
      await session.load(root!, 'children')
      await session
        .exec(select(Node).where(Node.c.parent_id.eq(root!.id)).options(selectinload('children')))
        .all()
      // The root; its children; the children again, with their own children: one query per level each.
      assert.equal(log.length, 4, log.join('\n'))
      assert.deepEqual(names(root!.children), ['a', 'b'])
      assert.deepEqual(names(root!.children[0]!.children), ['a1', 'a2'])
      assert.equal(
        root!.children[0]!.children[0]!.parent,
        root!.children[0],
        'the parent side is set as loaded',
      )
      const leaves = await session
        .exec(select(Node).options(selectinload('parent')).orderBy(Node.c.name))
        .all()
      assert.deepEqual(
        leaves.map((node) => node.parent?.name ?? null),
        ['root', 'a', 'a', 'root', null],
      )
    })

    test('any() and has() read the related rows under another name', async (t) => {
      const { Node, engine, log } = await selfDatabase(t, dialect)
      await using session = new Session(engine)
      const root = Node.create({ name: 'root' })
      const a = Node.create({ name: 'a' })
      a.children.push(Node.create({ name: 'a1' }))
      root.children.push(a, Node.create({ name: 'b' }))
      session.add(root)
      await session.commit()
      log.length = 0
      const withA1 = await session
        .exec(select(Node.c.name).where(Node.rel.children.any(Node.c.name.eq('a1'))))
        .all()
      assert.deepEqual(withA1, ['a'])
      assert.match(
        log[0]!,
        /from "node" as "node_children" where \("node_children"\."parent_id" = "node"\."id"/,
      )
      const underRoot = await session
        .exec(
          select(Node.c.name)
            .where(Node.rel.parent.has(Node.c.name.eq('root')))
            .orderBy(Node.c.name),
        )
        .all()
      assert.deepEqual(underRoot, ['a', 'b'])
      const leaves = await session
        .exec(select(Node.c.name).where(not(Node.rel.children.any())).orderBy(Node.c.name))
        .all()
      assert.deepEqual(leaves, ['a1', 'b'])
      // Nested: each level reads its rows under a name of its own, and refers to the level around it.
      const grandparents = await session
        .exec(select(Node.c.name).where(Node.rel.children.any(Node.rel.children.any())))
        .all()
      assert.deepEqual(grandparents, ['root'])
      const grandchildren = await session
        .exec(select(Node.c.name).where(Node.rel.parent.has(Node.rel.parent.has(Node.c.name.eq('root')))))
        .all()
      assert.deepEqual(grandchildren, ['a1'])
    })

    test('deleting a node detaches its children', async (t) => {
      const { Node, engine } = await selfDatabase(t, dialect)
      await using session = new Session(engine)
      const root = Node.create({ name: 'root' })
      const a = Node.create({ name: 'a' })
      root.children.push(a)
      session.add(root)
      await session.commit()
      await session.delete(root)
      await session.commit()
      assert.equal(a.parent_id, null)
      assert.equal(a.parent, null)
      assert.deepEqual(names(await session.exec(select(Node)).all()), ['a'])
    })

    test('users follow users: either side links, each side loads in one query', async (t) => {
      const { User, Follow, engine, log } = await selfDatabase(t, dialect)
      {
        await using session = new Session(engine)
        const [ann, bob, cy] = ['ann', 'bob', 'cy'].map((username) => User.create({ username }))
        ann!.following.push(bob!, cy!)
        cy!.followers.push(bob!) // bob follows cy, written from cy's side
        session.add(ann!)
        await session.commit()
        assert.deepEqual(usernames(cy!.followers), ['bob', 'ann'])
        assert.deepEqual(usernames(bob!.following), ['cy'])
      }
      await using session = new Session(engine)
      log.length = 0
      const users = await session
        .exec(select(User).options(selectinload('following'), selectinload('followers')).orderBy(User.c.id))
        .all()
      assert.equal(log.length, 3, log.join('\n'))
      assert.deepEqual(
        users.map((user) => [user.username, usernames(user.following), usernames(user.followers)]),
        [
          ['ann', ['bob', 'cy'], []],
          ['bob', ['cy'], ['ann']],
          ['cy', [], ['ann', 'bob']],
        ],
      )
      const followedByBob = await session
        .exec(select(User.c.username).where(User.rel.followers.any(User.c.username.eq('bob'))))
        .all()
      assert.deepEqual(followedByBob, ['cy'])
      // Unfollow from the other side; deleting a user takes its follows both ways.
      const [ann, bob, cy] = users
      bob!.followers.length = 0
      await session.commit()
      assert.deepEqual(usernames(ann!.following), ['cy'])
      await session.delete(cy!)
      await session.commit()
      assert.deepEqual(await session.exec(select(Follow)).all(), [])
    })
  })
}

describe('self-reference declarations', () => {
  const people = () =>
    table(
      'person',
      model('Person', {
        id: field.integer({ primaryKey: true }),
        manager_id: field.integer({ nullable: true, default: null, foreignKey: 'person.id' }),
        mentor_id: field.integer({ nullable: true, default: null, foreignKey: 'person.id' }),
      }),
      { metadata: new Metadata() },
    )

  test('two foreign keys to the table itself: the side must be named', () => {
    assert.throws(
      () => relationships({ Person: people() }, ({ many }) => ({ Person: { reports: many('Person') } })),
      (error: unknown) =>
        error instanceof RelationshipDefinitionError &&
        error.message ===
          "Person.reports: Person has several foreign keys to 'person' (manager_id, mentor_id). Say which with { foreignKey: 'manager_id' }.",
    )
    const { Person } = relationships({ Person: people() }, ({ one, many }) => ({
      Person: {
        manager: one('Person', { foreignKey: 'manager_id', backPopulates: 'reports' }),
        reports: many('Person', { foreignKey: 'manager_id', backPopulates: 'manager' }),
      },
    }))
    assert.equal(Person.relationships.get('reports')!.backPopulates, Person.relationships.get('manager'))
  })

  test('partners over different keys of the table itself are refused', () => {
    assert.throws(
      () =>
        relationships({ Person: people() }, ({ one, many }) => ({
          Person: {
            manager: one('Person', { foreignKey: 'manager_id', backPopulates: 'reports' }),
            reports: many('Person', { foreignKey: 'mentor_id', backPopulates: 'manager' }),
          },
        })),
      /Person\.manager and Person\.reports populate each other, so one must be one\(\) and the other many\(\) over the same foreign key \(Person\.manager_id and Person\.mentor_id\)/,
    )
  })

  test('a relationship that names itself as its partner is refused', () => {
    assert.throws(
      () =>
        relationships({ Person: people() }, ({ many }) => ({
          Person: { reports: many('Person', { foreignKey: 'manager_id', backPopulates: 'reports' }) },
        })),
      /Person\.reports and Person\.reports populate each other, so one must be one\(\) and the other many\(\)/,
    )
  })

  test('a link with two keys to the table itself needs the owner side named', () => {
    const metadata = new Metadata()
    const tables = {
      User: table('account', model('User', { id: field.integer({ primaryKey: true }) }), { metadata }),
      Follow: table(
        'follow',
        model('Follow', {
          id: field.integer({ primaryKey: true }),
          follower_id: field.integer({ foreignKey: 'account.id' }),
          followed_id: field.integer({ foreignKey: 'account.id' }),
        }),
        { metadata },
      ),
    }
    assert.throws(
      () => relationships(tables, ({ many }) => ({ User: { following: many('User', { link: 'Follow' }) } })),
      (error: unknown) =>
        error instanceof RelationshipDefinitionError &&
        error.message ===
          "User.following: Follow has several foreign keys to 'account' (follower_id, followed_id). Say which with { foreignKey: 'follower_id' }.",
    )
  })
})
