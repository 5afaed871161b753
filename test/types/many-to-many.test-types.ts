/**
 * Type tests for many-to-many and self-references: a collection through a link table holds rows of its
 * target, the link is named by a key of the tables, one() takes no link, and any()/join() go through the
 * link with the target's table. Checked by `tsc --noEmit` only; nothing here runs.
 */
import { count, field, Metadata, model, relationships, select, selectinload, table } from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const metadata = new Metadata()
const tables = {
  Team: table('team', model('Team', { id: field.integer({ primaryKey: true }), name: field.string() }), {
    metadata,
  }),
  Hero: table('hero', model('Hero', { id: field.integer({ primaryKey: true }), name: field.string() }), {
    metadata,
  }),
  HeroTeamLink: table(
    'heroteamlink',
    model('HeroTeamLink', {
      id: field.integer({ primaryKey: true }),
      team_id: field.integer({ foreignKey: 'team.id' }),
      hero_id: field.integer({ foreignKey: 'hero.id' }),
    }),
    { metadata },
  ),
  Node: table(
    'node',
    model('Node', {
      id: field.integer({ primaryKey: true }),
      parent_id: field.integer({ nullable: true, default: null, foreignKey: 'node.id' }),
    }),
    { metadata },
  ),
}

const { Team, Hero, Node } = relationships(tables, ({ one, many }) => ({
  Team: { heroes: many('Hero', { link: 'HeroTeamLink', backPopulates: 'teams' }) },
  Hero: { teams: many('Team', { link: 'HeroTeamLink', backPopulates: 'heroes' }) },
  Node: {
    parent: one('Node', { backPopulates: 'children' }),
    children: many('Node', { backPopulates: 'parent' }),
  },
}))

declare const hero: typeof Hero.Type
declare const node: typeof Node.Type

// The collection holds the target's rows, as a one-to-many does.
type _TeamNames = Expect<Equal<(typeof hero.teams)[number]['name'], string>>
type _HeroesOfTeam = Expect<Equal<(typeof hero.teams)[number]['heroes'][number]['name'], string>>
// A table related to itself: a node's parent and children are nodes.
type _Parent = Expect<Equal<NonNullable<typeof node.parent>['parent_id'], number | null>>
type _Children = Expect<Equal<(typeof node.children)[number]['children'][number]['parent_id'], number | null>>

relationships(tables, ({ many }) => ({
  // @ts-expect-error: the link is named by a key of the tables.
  Hero: { teams: many('Team', { link: 'Links' }) },
}))
relationships(tables, ({ one }) => ({
  // @ts-expect-error: one() refers to a single row by its own foreign key: it has no link.
  Hero: { team: one('Team', { link: 'HeroTeamLink' }) },
}))

// any() on a many-to-many takes conditions on the target; the query stays a query of its owner.
select(Hero).where(Hero.rel.teams.any(Team.c.name.eq('Preventers')))
// @ts-expect-error: has() is for a many-to-one.
Hero.rel.teams.has()
// Joining through the link reads the target.
select(Hero.c.name, count(Team.c.id)).join(Hero.rel.teams).groupBy(Hero.c.name)
select(Team).options(selectinload('heroes'))
// @ts-expect-error: 'teams' is Hero's, not Team's.
select(Team).options(selectinload('teams'))
// any()/has() on a table related to itself.
select(Node).where(Node.rel.children.any(Node.c.parent_id.isNull()))
select(Node).where(Node.rel.parent.has())

// --- A link model with relationships of its own: its rows are created with the rows they link ---

const links = relationships(
  {
    Team: table('team', model('Team', { id: field.integer({ primaryKey: true }) }), {
      metadata: new Metadata(),
    }),
    Hero: table('hero', model('Hero', { id: field.integer({ primaryKey: true }) }), {
      metadata: new Metadata(),
    }),
    Link: table(
      'link',
      model('Link', {
        team_id: field.integer({ primaryKey: true, foreignKey: 'team.id' }),
        hero_id: field.integer({ primaryKey: true, foreignKey: 'hero.id' }),
        is_training: field.boolean({ default: false }),
      }),
      { metadata: new Metadata() },
    ),
  },
  ({ one, many }) => ({
    Team: { hero_links: many('Link', { backPopulates: 'team' }) },
    Hero: { team_links: many('Link', { backPopulates: 'hero' }) },
    Link: {
      team: one('Team', { backPopulates: 'hero_links' }),
      hero: one('Hero', { backPopulates: 'team_links' }),
    },
  }),
)
const newLink = links.Link.create({
  team: links.Team.create({}),
  hero: links.Hero.create({}),
  is_training: true,
})
// Its keys wait for the flush, which takes them from the rows it links.
type _LinkKey = Expect<Equal<typeof newLink.team_id, number | undefined>>
type _LinkTeam = Expect<Equal<NonNullable<typeof newLink.team>['hero_links'][number]['is_training'], boolean>>
// @ts-expect-error: a hero is not a team.
links.Link.create({ team: links.Hero.create({}) })
