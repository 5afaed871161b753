import { readFileSync, rmSync } from 'node:fs'
import { createEngine, createMigrator, field, Metadata, model, select, Session, table } from 'onemodel-ts'

// models.ts, as the app first ships it
const v1 = new Metadata()
const Hero = table(
  'hero',
  model('Hero', {
    id: field.integer({ primaryKey: true }),
    name: field.string(),
    secret_name: field.string(),
    age: field.integer({ nullable: true, default: null }),
  }),
  { metadata: v1 },
)

const engine = createEngine(process.env.DATABASE_URL ?? 'sqlite:///database.db')
const migrator = createMigrator(engine, { folder: 'migrations', metadata: v1 })

// Start from an empty database: undo what an earlier run of this program did.
await migrator.downgrade('base')
rmSync('migrations', { recursive: true, force: true })

/** A revision's name without the time it was written, so the output is the same on every run. */
function untimed(name: string): string {
  return name.replace(/^\d{8}_\d{6}_/, '<timestamp>_')
}

/** What a revision file holds, without its header comment (which says when it was written). */
function showRevision(path: string): void {
  const source = readFileSync(path, 'utf8')
  console.log(source.slice(source.indexOf('import')).trimEnd())
}

// alembic revision --autogenerate -m "add hero table"
const first = await migrator.revision('add hero table')
console.log(`Wrote migrations/${untimed(first!.name)}.ts`)
showRevision(first!.path)

// alembic upgrade head
for (const name of await migrator.upgrade('head')) console.log(`Applied ${untimed(name)}`)

{
  await using session = new Session(engine)
  session.add(Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }))
  session.add(Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 }))
  session.add(Hero.create({ name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16 }))
  await session.commit()
}

// models.ts, one field later
const v2 = new Metadata()
const HeroWithPowers = table(
  'hero',
  model('Hero', {
    id: field.integer({ primaryKey: true }),
    name: field.string(),
    secret_name: field.string(),
    age: field.integer({ nullable: true, default: null }),
    powers: field.string({ nullable: true, default: null }),
  }),
  { metadata: v2 },
)
const nextMigrator = createMigrator(engine, { folder: 'migrations', metadata: v2 })

const second = await nextMigrator.revision('add powers')
console.log(`Wrote migrations/${untimed(second!.name)}.ts`)
showRevision(second!.path)
for (const name of await nextMigrator.upgrade('head')) console.log(`Applied ${untimed(name)}`)

{
  await using session = new Session(engine)
  const heroes = await session.exec(select(HeroWithPowers)).all()
  console.log(heroes)
}

console.log(await nextMigrator.check())
console.log(`current: ${untimed((await nextMigrator.current())!)}`)

await engine.dispose()
