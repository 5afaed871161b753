/**
 * A collection declared with `orderBy` loads its rows in that order, by `selectinload` and by
 * `session.load`, on every dialect; a declaration that cannot be ordered is refused, naming the fix.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  createAll,
  createEngine,
  field,
  Metadata,
  model,
  RelationshipDefinitionError,
  relationships,
  select,
  selectinload,
  Session,
  table,
} from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'

function declare(orderBy: unknown) {
  const metadata = new Metadata()
  return relationships(
    {
      Team: table('team', model('Team', { id: field.integer({ primaryKey: true }), name: field.string() }), {
        metadata,
      }),
      Hero: table(
        'hero',
        model('Hero', {
          id: field.integer({ primaryKey: true }),
          name: field.string(),
          age: field.integer({ nullable: true, default: null }),
          team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
        }),
        { metadata },
      ),
    },
    ({ one, many }) => ({
      // The declarations under test pass values the types refuse, to check the run-time errors too.
      Team: { heroes: many('Hero', { backPopulates: 'team', orderBy: orderBy as ['age', 'desc'] }) },
      Hero: { team: one('Team', { backPopulates: 'heroes' }) },
    }),
  )
}

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: ordered collections`, () => {
    test("a team's heroes load oldest first, by selectinload and by session.load", async (t) => {
      const { Team, Hero } = declare(['age', 'desc'])
      const engine = createEngine(await dialect.isolatedUrl())
      t.after(() => engine.dispose())
      await createAll(engine, { metadata: Team.metadata })
      await using session = new Session(engine)
      const team = Team.create({ name: 'Preventers' })
      session.add(team)
      await session.commit()
      session.addAll([
        Hero.create({ name: 'Spider-Boy', age: 16, team_id: team.id }),
        Hero.create({ name: 'Rusty-Man', age: 48, team_id: team.id }),
        Hero.create({ name: 'Tarantula', age: 32, team_id: team.id }),
      ])
      await session.commit()

      await using reader = new Session(engine)
      const [loaded] = await reader.exec(select(Team).options(selectinload('heroes'))).all()
      assert.deepEqual(
        loaded!.heroes.map((hero) => hero.name),
        ['Rusty-Man', 'Tarantula', 'Spider-Boy'],
      )
      await using other = new Session(engine)
      const again = await other.get(Team, team.id!)
      const heroes = await other.load(again!, 'heroes')
      assert.deepEqual(
        heroes.map((hero) => hero.age),
        [48, 32, 16],
      )
    })
  })
}

describe('ordered collection declarations', () => {
  test('orderBy names a column of the target, ascending by default', () => {
    const { Team } = declare('name')
    assert.deepEqual(Team.relationships.get('heroes')!.orderBy, { column: 'name', direction: 'asc' })
  })

  test('an unknown column or direction is refused, naming the columns and the two forms', () => {
    assert.throws(
      () => declare('power'),
      (error: unknown) =>
        error instanceof RelationshipDefinitionError &&
        error.message ===
          `Team.heroes: orderBy "power" must name a column of Hero (id, name, age, team_id), with 'asc' or 'desc': orderBy: 'id' or ['id', 'desc'].`,
    )
    assert.throws(() => declare(['age', 'down']), /orderBy \["age","down"\] must name a column of Hero/)
  })

  test('orderBy on a one() is refused: a single row has no order', () => {
    const metadata = new Metadata()
    assert.throws(
      () =>
        relationships(
          {
            Team: table('team', model('Team', { id: field.integer({ primaryKey: true }) }), { metadata }),
            Hero: table(
              'hero',
              model('Hero', {
                id: field.integer({ primaryKey: true }),
                team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
              }),
              { metadata },
            ),
          },
          // @ts-expect-error: one() takes no orderBy; a JavaScript caller is refused at run time.
          ({ one }) => ({ Hero: { team: one('Team', { orderBy: 'id' }) } }),
        ),
      /Hero\.team: orderBy orders a collection, and one\('Team'\) is a single row\. Put orderBy on the many\(\) side\./,
    )
  })
})
