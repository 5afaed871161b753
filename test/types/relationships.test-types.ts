/**
 * Type tests for relationships: declared after the tables, with no annotation, the rows gain
 * `team: Team | null` and `heroes: Hero[]`, and loading options only name declared relationships.
 * Checked by `tsc --noEmit` only; nothing here runs.
 */
import { field, model, relationships, select, Session, table } from 'onemodel'
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

declare const hero: Hero
declare const team: Team

type _heroTeam = Expect<Equal<typeof hero.team, Team | null>>
type _teamHeroes = Expect<Equal<typeof team.heroes, Hero[]>>
type _deep = Expect<Equal<(typeof team.heroes)[number]['team'], Team | null>>
type _columns = Expect<Equal<typeof hero.team_id, number | null>>
type _name = Expect<Equal<typeof team.name, string>>
