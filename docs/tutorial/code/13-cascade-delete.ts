import {
  createAll,
  createEngine,
  dropAll,
  field,
  Metadata,
  model,
  relationships,
  select,
  selectinload,
  Session,
  table,
  type Cascade,
} from 'onemodel-ts'

/** Team and Hero, with what deleting a team does to its heroes: the foreign key's or the Session's say. */
function declareTables(options: { onDelete?: 'cascade' | 'set null' | 'restrict'; cascade?: Cascade }) {
  const metadata = new Metadata()
  return relationships(
    {
      Team: table(
        'team',
        model('Team', {
          id: field.integer({ primaryKey: true }),
          name: field.string(),
          headquarters: field.string(),
        }),
        { metadata },
      ),
      Hero: table(
        'hero',
        model('Hero', {
          id: field.integer({ primaryKey: true }),
          name: field.string(),
          secret_name: field.string(),
          team_id: field.integer({
            nullable: true,
            default: null,
            foreignKey: 'team.id',
            onDelete: options.onDelete,
          }),
        }),
        { metadata },
      ),
    },
    ({ one, many }) => ({
      Team: { heroes: many('Hero', { backPopulates: 'team', cascade: options.cascade }) },
      Hero: { team: one('Team', { backPopulates: 'heroes' }) },
    }),
  )
}

type Tables = ReturnType<typeof declareTables>

const engine = createEngine(process.env.DATABASE_URL ?? 'sqlite:///cascade.db', {
  echo: true,
  logger: console.error,
})

/** Creates the tables afresh, with Wakaland (id 1) and its heroes, and Preventers (id 2). */
async function createTeams({ Team, Hero }: Tables) {
  await dropAll(engine, { metadata: Team.metadata })
  await createAll(engine, { metadata: Team.metadata })
  await using session = new Session(engine)
  const wakaland = Team.create({
    name: 'Wakaland',
    headquarters: 'Wakaland Capital City',
    heroes: [
      Hero.create({ name: 'Black Lion', secret_name: 'Trevor Challa' }),
      Hero.create({ name: 'Princess Sure-E', secret_name: 'Sure-E' }),
    ],
  })
  session.addAll([wakaland, Team.create({ name: 'Preventers', headquarters: 'Sharp Tower' })])
  await session.commit()
}

/** The heroes in the database, each with its team_id. */
async function heroesLeft({ Hero }: Tables) {
  await using session = new Session(engine)
  const heroes = await session.exec(select(Hero).orderBy(Hero.c.id)).all()
  return heroes.map((hero) => [hero.name, hero.team_id])
}

{
  const tables = declareTables({ onDelete: 'cascade' })
  await createTeams(tables)
  await using session = new Session(engine)
  await session.delete((await session.get(tables.Team, 1))!)
  await session.commit()
  console.log("onDelete: 'cascade'", await heroesLeft(tables))
}

{
  const tables = declareTables({ onDelete: 'set null' })
  await createTeams(tables)
  await using session = new Session(engine)
  await session.delete((await session.get(tables.Team, 1))!)
  await session.commit()
  console.log("onDelete: 'set null'", await heroesLeft(tables))
}

{
  const tables = declareTables({ onDelete: 'restrict' })
  await createTeams(tables)
  await using session = new Session(engine)
  await session.delete((await session.get(tables.Team, 1))!)
  try {
    await session.commit()
  } catch (error) {
    console.log((error as Error).name)
  }
  const heroes = (await session.get(tables.Team, 1, { options: [selectinload('heroes')] }))!.heroes
  for (const hero of [...heroes]) hero.team = null
  await session.delete((await session.get(tables.Team, 1))!)
  await session.commit()
  console.log("onDelete: 'restrict'", await heroesLeft(tables))
}

{
  const tables = declareTables({ cascade: 'delete' })
  await createTeams(tables)
  await using session = new Session(engine)
  await session.delete((await session.get(tables.Team, 1))!)
  await session.commit()
  console.log("cascade: 'delete'", await heroesLeft(tables))
}

{
  const tables = declareTables({ cascade: 'delete-orphan' })
  await createTeams(tables)
  await using session = new Session(engine)
  const [wakaland, preventers] = await session
    .exec(select(tables.Team).orderBy(tables.Team.c.id).options(selectinload('heroes')))
    .all()
  const [blackLion, princess] = wakaland!.heroes
  preventers!.heroes.push(blackLion!)
  wakaland!.heroes.splice(wakaland!.heroes.indexOf(princess!), 1)
  await session.commit()
  console.log("cascade: 'delete-orphan'", await heroesLeft(tables))
}

await engine.dispose()
