/**
 * Type tests for nested loading paths: `selectinload('team', 'heroes')` names a relationship of each
 * level's table, in `select().options()` and `session.get()`, and so does the chained
 * `selectinload('team').selectinload('heroes')`; a wrong name at any depth does not compile.
 * Checked by `tsc --noEmit` only; nothing here runs.
 */
import {
  field,
  model,
  relationships,
  select,
  selectinload,
  Session,
  table,
  type LoadOption,
  type RelationshipPath,
} from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const { Team, Hero, Power } = relationships(
  {
    Team: table(
      'team',
      model('Team', {
        id: field.integer({ primaryKey: true }),
        name: field.string(),
        founded: field.datetime({ nullable: true, default: null }),
        settings: field.json<{ motto: string }>({ default: { motto: '' } }),
      }),
    ),
    Hero: table(
      'hero',
      model('Hero', {
        id: field.integer({ primaryKey: true }),
        name: field.string(),
        team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
      }),
    ),
    Power: table(
      'power',
      model('Power', {
        id: field.integer({ primaryKey: true }),
        name: field.string(),
        hero_id: field.integer({ foreignKey: 'hero.id' }),
      }),
    ),
  },
  ({ one, many }) => ({
    Team: { heroes: many('Hero', { backPopulates: 'team' }) },
    Hero: {
      team: one('Team', { backPopulates: 'heroes' }),
      powers: many('Power', { backPopulates: 'hero' }),
    },
    Power: { hero: one('Hero', { backPopulates: 'powers' }) },
  }),
)

declare const session: Session

// --- A path is a tuple of names, whichever spelling built it ---

const spelled = selectinload('team', 'heroes')
type _spelled = Expect<Equal<typeof spelled, LoadOption<readonly ['team', 'heroes']>>>
const chained = selectinload('team').selectinload('heroes')
type _chained = Expect<Equal<typeof chained, LoadOption<readonly ['team', 'heroes']>>>

// --- The paths a table offers: each name a relationship of the previous one's target ---

type PowerPaths = RelationshipPath<typeof Power>
type _powerPaths = Expect<
  Equal<
    Extract<PowerPaths, readonly [string] | readonly [string, string]>,
    readonly ['hero'] | readonly ['hero', 'team'] | readonly ['hero', 'powers']
  >
>
// Columns are no step: a date and the JSON settings of a team are not relationships.
type _noColumns = Expect<Equal<Extract<RelationshipPath<typeof Hero>, readonly ['team', 'founded']>, never>>

async function loading() {
  const heroes = await session
    .exec(select(Hero).options(selectinload('team', 'heroes'), selectinload('powers')))
    .all()
  type _heroes = Expect<Equal<typeof heroes, (typeof Hero.Type)[]>>
  await session.exec(select(Power).options(selectinload('hero', 'team', 'heroes', 'powers'))).all()
  await session.exec(select(Team).options(selectinload('heroes').selectinload('powers'))).all()
  await session.get(Power, 1, { options: [selectinload('hero', 'team')] })

  // @ts-expect-error Team has no relationship 'members' (first level)
  select(Team).options(selectinload('members'))
  // @ts-expect-error a team's heroes have no relationship 'heroes' (second level)
  select(Team).options(selectinload('heroes', 'heroes'))
  // @ts-expect-error 'name' is a column of Hero, not a relationship
  select(Team).options(selectinload('heroes', 'name'))
  // @ts-expect-error a power's hero's team has no 'powers' (third level)
  select(Power).options(selectinload('hero', 'team', 'powers'))
  // @ts-expect-error chained: a team has no relationship 'team'
  select(Hero).options(selectinload('team').selectinload('team'))
  // @ts-expect-error in session.get() too
  await session.get(Hero, 1, { options: [selectinload('team', 'founded')] })
  // @ts-expect-error paths stop at 4 levels
  select(Power).options(selectinload('hero', 'team', 'heroes', 'powers', 'hero'))
}
void loading
