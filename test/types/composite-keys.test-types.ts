/**
 * Type tests for composite primary keys: no part of a composite key is generated; a key field that refers
 * to another row may be left to the flush, which takes it from that row (`create({ team, hero })`), so a
 * new row types it `| undefined`; `session.get()` takes the object of the key fields. Checked by
 * `tsc --noEmit` only; nothing here runs.
 */
import {
  field,
  model,
  Session,
  table,
  type GeneratedKeyOf,
  type KeyOf,
  type Persisted,
  type PrimaryKeyOf,
  type PrimaryKeyValueOf,
  type ReferenceKeyOf,
} from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const Team = table('team', model('Team', { id: field.integer({ primaryKey: true }), name: field.string() }))
const HeroTeamLink = table(
  'heroteamlink',
  model('HeroTeamLink', {
    team_id: field.integer({ primaryKey: true, foreignKey: 'team.id' }),
    hero_id: field.integer({ primaryKey: true, foreignKey: 'hero.id' }),
    is_training: field.boolean({ default: false }),
  }),
)
type Link = typeof HeroTeamLink.Type

// --- The key fields, and what identifies a row ---

type _keys = Expect<Equal<PrimaryKeyOf<typeof HeroTeamLink.fields>, 'team_id' | 'hero_id'>>
type _listed = Expect<Equal<typeof HeroTeamLink.primaryKeys, readonly ('team_id' | 'hero_id')[]>>
type _single = Expect<Equal<typeof HeroTeamLink.primaryKey, undefined>>
type _teamKey = Expect<Equal<typeof Team.primaryKey, 'id'>>
type _linkValue = Expect<
  Equal<PrimaryKeyValueOf<typeof HeroTeamLink.fields>, { team_id: number; hero_id: number }>
>
type _teamValue = Expect<Equal<PrimaryKeyValueOf<typeof Team.fields>, number>>
type _keyOf = Expect<Equal<KeyOf<typeof HeroTeamLink>, { team_id: number; hero_id: number }>>
type _teamKeyOf = Expect<Equal<KeyOf<typeof Team>, number>>

// --- No part of a composite key is generated; a key that refers to a row may be left to the flush ---

type _notGenerated = Expect<Equal<GeneratedKeyOf<typeof HeroTeamLink.fields>, never>>
type _generated = Expect<Equal<GeneratedKeyOf<typeof Team.fields>, 'id'>>
type _references = Expect<Equal<ReferenceKeyOf<typeof HeroTeamLink.fields>, 'team_id' | 'hero_id'>>
type _input = Expect<
  Equal<typeof HeroTeamLink.Input, { team_id?: number; hero_id?: number; is_training?: boolean }>
>
const link = HeroTeamLink.create({ team_id: 1, hero_id: 2 })
type _newKey = Expect<Equal<typeof link.team_id, number | undefined>>
type _persisted = Expect<Equal<Persisted<typeof link>, Link>>

const Pair = table(
  'pair',
  model('Pair', {
    region: field.string({ primaryKey: true }),
    code: field.string({ primaryKey: true }),
  }),
)
type _pairInput = Expect<Equal<typeof Pair.Input, { region: string; code: string }>>
// @ts-expect-error code is part of the key and refers to no row: create() needs it
Pair.create({ region: 'eu' })

const Profile = table(
  'profile',
  model('Profile', {
    team_id: field.integer({ primaryKey: true, foreignKey: 'team.id' }),
    motto: field.string(),
  }),
)
type _profileInput = Expect<Equal<typeof Profile.Input, { team_id?: number; motto: string }>>
type _profileGenerated = Expect<Equal<GeneratedKeyOf<typeof Profile.fields>, never>>

// --- session.get() takes the object of the key fields ---

declare const session: Session

async function get() {
  const found = await session.get(HeroTeamLink, { team_id: 1, hero_id: 2 })
  type _found = Expect<Equal<typeof found, Link | undefined>>
  // @ts-expect-error hero_id is missing
  await session.get(HeroTeamLink, { team_id: 1 })
  // @ts-expect-error a key field of the wrong type
  await session.get(HeroTeamLink, { team_id: 1, hero_id: '2' })
  // @ts-expect-error a field that is not part of the key
  await session.get(HeroTeamLink, { team_id: 1, hero_id: 2, is_training: true })
  // @ts-expect-error a composite key is not a single value
  await session.get(HeroTeamLink, 1)
  const team = await session.get(Team, 1)
  type _team = Expect<Equal<typeof team, typeof Team.Type | undefined>>
  // @ts-expect-error a single key is its value, not an object
  await session.get(Team, { id: 1 })
}
