/**
 * Type tests for queries beyond one table: each form of select() gives its result type with no generic and
 * no cast (rows, tuples, columns, aggregates, labels, left joins, aliases, scalar subqueries), and a column
 * of a table the query does not read, a value of the wrong type, or a relationship used the wrong way does
 * not compile. Checked by `tsc --noEmit` only; nothing here runs.
 */
import {
  alias,
  and,
  avg,
  count,
  countDistinct,
  exists,
  field,
  max,
  min,
  model,
  not,
  relationships,
  select,
  selectinload,
  Session,
  sum,
  table,
  type Condition,
  type Expression,
} from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const { Team, Hero, Mission } = relationships(
  {
    Team: table('team', model('Team', { id: field.integer({ primaryKey: true }), name: field.string() })),
    Hero: table(
      'hero',
      model('Hero', {
        id: field.integer({ primaryKey: true }),
        name: field.string(),
        age: field.integer({ nullable: true, default: null }),
        team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
      }),
    ),
    Mission: table(
      'mission',
      model('Mission', {
        id: field.integer({ primaryKey: true }),
        done: field.boolean(),
        due: field.datetime(),
        hero_id: field.integer({ foreignKey: 'hero.id' }),
      }),
    ),
  },
  ({ one, many }) => ({
    Team: { heroes: many('Hero', { backPopulates: 'team' }) },
    Hero: { team: one('Team', { backPopulates: 'heroes' }) },
  }),
)
type Team = typeof Team.Type
type Hero = typeof Hero.Type

declare const session: Session

// --- Result types: what each select gives, inferred ---

const heroes = await session.exec(select(Hero)).all()
type _heroes = Expect<Equal<typeof heroes, Hero[]>>

const pairs = await session.exec(select(Hero, Team).where(Hero.c.team_id.eq(Team.c.id))).all()
type _pairs = Expect<Equal<typeof pairs, [Hero, Team][]>>

const joined = await session.exec(select(Hero, Team).join(Team)).first()
type _joined = Expect<Equal<typeof joined, [Hero, Team] | undefined>>

const names = await session.exec(select(Hero.c.name)).all()
type _names = Expect<Equal<typeof names, string[]>>

const columns = await session.exec(select(Hero.c.name, Hero.c.age, Team.c.name).join(Team)).all()
type _columns = Expect<Equal<typeof columns, [string, number | null, string][]>>

const decoded = await session.exec(select(Mission.c.done, Mission.c.due)).one()
type _decoded = Expect<Equal<typeof decoded, [boolean, Date]>>

const totals = await session
  .exec(
    select(
      count(),
      countDistinct(Hero.c.team_id),
      sum(Hero.c.age),
      avg(Hero.c.age),
      min(Hero.c.name),
      max(Hero.c.age),
      max(Mission.c.due),
    ),
  )
  .one()
type _totals = Expect<
  Equal<
    typeof totals,
    [number, number, number | null, number | null, string | null, number | null, Date | null]
  >
>

const total = await session.exec(select(count()).selectFrom(Hero)).one()
type _total = Expect<Equal<typeof total, number>>

const counted = await session.count(select(Hero, Team).join(Team).distinct())
type _counted = Expect<Equal<typeof counted, number>>

const perTeam = await session
  .exec(select(Team.c.name, count(Hero.c.id).as('heroes')).join(Hero).groupBy(Team.c.name))
  .all()
type _perTeam = Expect<Equal<typeof perTeam, [string, number][]>>

const label = count(Hero.c.id).as('heroes').label
type _label = Expect<Equal<typeof label, 'heroes'>>

// A left-joined table's rows and columns may be null; an aggregate over it is still its aggregate's type.
const left = await session.exec(select(Hero, Team).leftJoin(Team)).all()
type _left = Expect<Equal<typeof left, [Hero, Team | null][]>>

const leftColumns = await session
  .exec(
    select(Team.c.name, Hero.c.name, count(Hero.c.id), sum(Hero.c.age)).leftJoin(Hero).groupBy(Team.c.name),
  )
  .all()
type _leftColumns = Expect<Equal<typeof leftColumns, [string, string | null, number, number | null][]>>

const byRelationship = await session.exec(select(Team, Hero).leftJoin(Team.rel.heroes)).all()
type _byRelationship = Expect<Equal<typeof byRelationship, [Team, Hero | null][]>>

// An alias gives rows of its table, null too when left-joined.
const Mate = alias(Hero, 'mate')
const mates = await session.exec(select(Hero, Mate).join(Mate, Hero.c.team_id.eq(Mate.c.team_id))).all()
type _mates = Expect<Equal<typeof mates, [Hero, Hero][]>>
const maybeMates = await session
  .exec(
    select(Hero.c.name, Mate.c.name).leftJoin(
      Mate,
      and(Hero.c.team_id.eq(Mate.c.team_id), Hero.c.id.lt(Mate.c.id)),
    ),
  )
  .all()
type _maybeMates = Expect<Equal<typeof maybeMates, [string, string | null][]>>

// A scalar subquery: an aggregate always has a row, a column may find none.
const heroCount = select(count()).selectFrom(Hero).correlate(Team).where(Hero.c.team_id.eq(Team.c.id))
const firstName = select(Hero.c.name).correlate(Team).where(Hero.c.team_id.eq(Team.c.id)).limit(1)
type _heroCount = Expect<Equal<typeof heroCount.scalarSubquery, () => Expression<'team', number>>>
const withSubqueries = await session
  .exec(select(Team.c.name, heroCount.scalarSubquery().as('heroes'), firstName.scalarSubquery()))
  .all()
type _withSubqueries = Expect<Equal<typeof withSubqueries, [string, number, string | null][]>>

// Conditions from subqueries and relationships belong to the query that reads the correlated table.
const hasHeroes = exists(select(Hero).correlate(Team).where(Hero.c.team_id.eq(Team.c.id)))
type _hasHeroes = Expect<Equal<typeof hasHeroes, Condition<'team'>>>
const withOlder = Team.rel.heroes.any(Hero.c.age.gt(40))
type _withOlder = Expect<Equal<typeof withOlder, Condition<'team'>>>
const inPreventers = Hero.rel.team.has(Team.c.name.eq('Preventers'))
type _inPreventers = Expect<Equal<typeof inPreventers, Condition<'hero'>>>
select(Team).where(hasHeroes, not(Team.rel.heroes.any(Hero.c.age.gt(40))))
select(Hero).where(Hero.rel.team.has(Team.c.name.eq('Preventers')), Hero.c.team_id.in(select(Team.c.id)))
select(Hero).where(Hero.c.team_id.notIn(select(Team.c.id).where(Team.c.name.eq('Z-Force'))))
// A relationship predicate's condition may read another table: the query must then read it too.
const onMission = Team.rel.heroes.any(Mission.c.done.eq(true))
type _onMission = Expect<Equal<typeof onMission, Condition<'team' | 'mission'>>>
select(Team, Mission).where(onMission)
// @ts-expect-error: a select of team alone does not read mission
select(Team).where(onMission)

// Column-to-column comparisons accept the same type, nullable or not, from any table the query reads.
select(Hero, Team).where(Hero.c.team_id.eq(Team.c.id), Team.c.id.eq(Hero.c.team_id), Hero.c.age.gt(Team.c.id))
select(Hero).join(Hero.rel.team).where(Team.c.name.eq('Preventers')).orderBy(Team.c.name.desc().nullsLast())

// --- What does not compile ---

// A column of a table the query does not read, in each clause.
// @ts-expect-error: team is not read by select(Hero)
select(Hero).where(Team.c.name.eq('Preventers'))
// @ts-expect-error: team is not read by select(Hero)
select(Hero).orderBy(Team.c.name)
// @ts-expect-error: team is not read by select(Hero)
select(Hero).orderBy(Team.c.name.desc().nullsFirst())
// @ts-expect-error: team is not read by select(Hero.c.name)
select(Hero.c.name).groupBy(Team.c.name)
// @ts-expect-error: team is not read by select(Hero.c.team_id, count())
select(Hero.c.team_id, count()).groupBy(Hero.c.team_id).having(count(Team.c.id).gt(1))
// @ts-expect-error: the ON condition reads mission, which is neither read nor joined
select(Hero).join(Team, Mission.c.hero_id.eq(Hero.c.id))
// @ts-expect-error: a column of the aliased table is not a column of its alias
select(Hero).join(Mate, Hero.c.team_id.eq(Team.c.id))

// A value or expression of the wrong type.
// @ts-expect-error: age is a number
Hero.c.age.eq('3')
// @ts-expect-error: name is a string, team.id a number
Hero.c.name.eq(Team.c.id)
// @ts-expect-error: the ordering comparisons take no null
Hero.c.age.gt(null)
// @ts-expect-error: sum adds numbers
sum(Hero.c.name)
// @ts-expect-error: avg averages numbers
avg(Mission.c.due)
// @ts-expect-error: an id is a number, a team's name a string
Hero.c.id.in(select(Team.c.name))
// @ts-expect-error: count() is a number
select(Team.c.name).having(count().eq('2'))

// Subqueries: a correlated table is one the enclosing query must read, named before the where that uses it.
// @ts-expect-error: the condition needs team, which select(Mission) does not read
select(Mission).where(hasHeroes)
// @ts-expect-error: hero's query reads team only once correlate(Team) says so
exists(select(Hero).where(Hero.c.team_id.eq(Team.c.id)))
// @ts-expect-error: correlate() comes before the where() that uses the correlated table
select(Hero).where(Hero.c.team_id.eq(Team.c.id)).correlate(Team)
// @ts-expect-error: the scalar subquery reads team, which select(Mission) does not read
select(Mission).where(heroCount.scalarSubquery().gt(1))

// Relationships: loading options are for a select of rows; any() is for a collection, has() for a
// many-to-one; a relationship join starts from its owner; the relationship must exist.
// @ts-expect-error: selectinload loads relationships of the rows of one table model, not of a tuple
select(Hero, Team).options(selectinload('team'))
// @ts-expect-error: a select of columns has no rows to load relationships on
select(Hero.c.name).options(selectinload('team'))
// @ts-expect-error: a hero has one team: has(), not any()
Hero.rel.team.any()
// @ts-expect-error: a team has many heroes: any(), not has()
Team.rel.heroes.has()
// @ts-expect-error: the query does not read hero, the relationship's owner
select(Team).join(Hero.rel.team)
// @ts-expect-error: hero has no relationship 'power'
Hero.rel.power
// @ts-expect-error: hero has no relationship 'power'
select(Hero).options(selectinload('power'))

// --- A label keeps the type of what it labels ---

// A labelled aggregate keeps its aggregate's type: count over a left-joined table is never null.
const labelledOverLeftJoin = await session
  .exec(select(Team.c.name, count(Hero.c.id).as('heroes')).leftJoin(Hero).groupBy(Team.c.name))
  .all()
type _labelledOverLeftJoin = Expect<Equal<typeof labelledOverLeftJoin, [string, number][]>>

// A scalar subquery of a labelled aggregate always has a row, as one of the bare aggregate has.
const labelledScalar = select(count().as('n')).selectFrom(Hero).correlate(Team).scalarSubquery()
type _labelledScalar = Expect<Equal<typeof labelledScalar, Expression<'team', number>>>

// --- What only an enclosing query may run, and what every dialect can aggregate ---

const correlatedCount = select(count()).selectFrom(Hero).correlate(Team).where(Hero.c.team_id.eq(Team.c.id))
// @ts-expect-error: a correlated select refers to team, which only an enclosing query reads
session.exec(correlatedCount)
// @ts-expect-error: nor can it be counted on its own
await session.count(correlatedCount)
// @ts-expect-error: nor streamed
session.stream(correlatedCount)
// @ts-expect-error: PostgreSQL has no min(boolean)
min(Mission.c.done)
max(Mission.c.due)
const aliasName: string = 'other'
// @ts-expect-error: an alias's name must be a literal, or its columns could not be told from the table's
alias(Hero, aliasName)
