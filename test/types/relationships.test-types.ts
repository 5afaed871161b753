/**
 * Type tests for relationships: declared after the tables, with no annotation, the rows gain
 * `team: Team | null` and `heroes: Hero[]`, and loading options only name declared relationships. A
 * relationship may hold a row created and not yet flushed, so its rows are `Hero | NewHero`.
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
  type ResponseValue,
} from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const TeamBase = model('TeamBase', { name: field.string(), headquarters: field.string() })
const HeroBase = model('HeroBase', {
  name: field.string(),
  secret_name: field.string(),
  age: field.integer({ nullable: true, default: null }),
  team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
})

const { Team, Hero } = relationships(
  {
    Team: table('team', TeamBase.extend('Team', { id: field.integer({ primaryKey: true }) })),
    Hero: table('hero', HeroBase.extend('Hero', { id: field.integer({ primaryKey: true }) })),
  },
  ({ one, many }) => ({
    Team: { heroes: many('Hero', { backPopulates: 'team' }) },
    Hero: { team: one('Team', { backPopulates: 'heroes' }) },
  }),
)
type Team = typeof Team.Type
type Hero = typeof Hero.Type
type NewTeam = ReturnType<typeof Team.create>
type NewHero = ReturnType<typeof Hero.create>

declare const hero: Hero
declare const team: Team

type _heroTeam = Expect<Equal<typeof hero.team, Team | NewTeam | null>>
type _teamHeroes = Expect<Equal<typeof team.heroes, (Hero | NewHero)[]>>
type _deep = Expect<Equal<(typeof team.heroes)[number]['team'], Team | NewTeam | null>>
type _columns = Expect<Equal<typeof hero.team_id, number | null>>
type _name = Expect<Equal<typeof team.name, string>>

// --- Created and loaded rows carry the relationships ---

declare const session: Session

async function rows() {
  const created = Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
  type _created = Expect<Equal<typeof created, NewHero>>
  created.team = Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })
  created.team = null
  // @ts-expect-error a hero's team is a Team, not a Hero
  created.team = created
  const newTeam = Team.create({ name: 'Z-Force', headquarters: "Sister Margaret's Bar" })
  newTeam.heroes.push(created)
  // @ts-expect-error team.heroes holds heroes
  newTeam.heroes.push(newTeam)

  const teams = await session.exec(select(Team).options(selectinload('heroes'))).all()
  type _teams = Expect<Equal<typeof teams, Team[]>>
  const got = await session.get(Hero, 1, { options: [selectinload('team')] })
  type _got = Expect<Equal<typeof got, Hero | undefined>>
  const loaded = await session.load(teams[0]!, 'heroes')
  type _loaded = Expect<Equal<typeof loaded, (Hero | NewHero)[]>>
  const team = await session.load(got!, 'team')
  type _team = Expect<Equal<typeof team, Team | NewTeam | null>>
}

// --- Loading options name declared relationships only ---

// @ts-expect-error Team has no relationship 'members'
select(Team).options(selectinload('members'))
// @ts-expect-error 'team' is Hero's relationship, not Team's
select(Team).options(selectinload('team'))
// @ts-expect-error get() options are checked the same way
session.get(Hero, 1, { options: [selectinload('heroes')] })

// --- Declarations name tables of the same call ---

relationships(
  {
    Team: table('team2', TeamBase.extend('Team2', { id: field.integer({ primaryKey: true }) })),
    Hero: table('hero2', HeroBase.extend('Hero2', { id: field.integer({ primaryKey: true }) })),
  },
  // @ts-expect-error 'Squad' is not one of the tables
  ({ one }) => ({ Hero: { team: one('Squad') } }),
)

// --- Response models nest the related rows ---

const TeamPublic = TeamBase.extend('TeamPublic', { id: field.integer() })
const HeroPublic = HeroBase.extend('HeroPublic', { id: field.integer() })
const HeroPublicWithTeam = HeroPublic.extend('HeroPublicWithTeam', {
  team: field.model(TeamPublic, { nullable: true, default: null }),
})
const TeamPublicWithHeroes = TeamPublic.extend('TeamPublicWithHeroes', {
  heroes: field.list(HeroPublic, { default: [] }),
})
const asHeroWithTeam: ResponseValue<typeof HeroPublicWithTeam> = hero
const asTeamWithHeroes: ResponseValue<typeof TeamPublicWithHeroes> = team
// A related row may be new, so its key is not a number for certain.
// @ts-expect-error team.heroes may hold a hero whose id the database has not assigned yet
const heroIds: number[] = team.heroes.map((h) => h.id)
