/**
 * Type tests for relations in create(): each relationship is optional and takes its target's rows, new or
 * loaded (an array for a collection); a wrong relationship name or a row of another table does not
 * compile. Checked by `tsc --noEmit` only; nothing here runs.
 */
import { field, model, relationships, table, type CreateInputOf } from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const { Team, Hero } = relationships(
  {
    Team: table(
      'team',
      model('Team', {
        id: field.integer({ primaryKey: true }),
        name: field.string(),
        headquarters: field.string(),
      }),
    ),
    Hero: table(
      'hero',
      model('Hero', {
        id: field.integer({ primaryKey: true }),
        name: field.string(),
        secret_name: field.string(),
        team_id: field.integer({ nullable: true, default: null, foreignKey: 'team.id' }),
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
type NewTeam = ReturnType<typeof Team.create>
type NewHero = ReturnType<typeof Hero.create>

declare const loadedTeam: Team
declare const loadedHero: Hero

// --- Each relationship is optional, and takes new and loaded rows of its target ---

Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })
const team = Team.create({
  name: 'Preventers',
  headquarters: 'Sharp Tower',
  heroes: [Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }), loadedHero],
})
type _team = Expect<Equal<typeof team, NewTeam>>
Hero.create({
  name: 'Deadpond',
  secret_name: 'Dive Wilson',
  team: Team.create({ name: 'Z-Force', headquarters: '' }),
})
Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson', team: loadedTeam })
Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson', team: null })

type TeamInput = CreateInputOf<typeof Team.fields, (typeof Team)['~relationships']>
type _heroesInput = Expect<Equal<TeamInput['heroes'], (Hero | NewHero)[] | undefined>>
type HeroInput = CreateInputOf<typeof Hero.fields, (typeof Hero)['~relationships']>
type _teamInput = Expect<Equal<HeroInput['team'], Team | NewTeam | null | undefined>>

// --- A wrong name, a row of another table, or a lone row for a collection does not compile ---

// @ts-expect-error Team has no relationship 'members'
Team.create({ name: 'Preventers', headquarters: 'Sharp Tower', members: [] })
// @ts-expect-error a team's heroes are Hero rows, not Team rows
Team.create({ name: 'Preventers', headquarters: 'Sharp Tower', heroes: [loadedTeam] })
// @ts-expect-error a collection takes an array
Team.create({ name: 'Preventers', headquarters: 'Sharp Tower', heroes: loadedHero })
// @ts-expect-error a hero's team is a Team row, not a Hero row
Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson', team: loadedHero })
// @ts-expect-error a plain object is not a row
Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson', team: { name: 'Preventers' } })

// --- A model's create() and a table's without relationships take fields only ---

const HeroCreate = model('HeroCreate', { name: field.string(), secret_name: field.string() })
// @ts-expect-error HeroCreate has no field 'team'
HeroCreate.create({ name: 'Deadpond', secret_name: 'Dive Wilson', team: loadedTeam })
const Plain = table('plain', model('Plain', { id: field.integer({ primaryKey: true }) }))
// @ts-expect-error Plain has no relationship 'team'
Plain.create({ team: loadedTeam })
