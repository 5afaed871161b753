/**
 * The ceiling on SQLite: the Heroes API on node:http and node:sqlite prepared statements, with hand-written
 * validation and JSON (heroes-api.ts), and nothing else. Same SQLite settings as onemodel's defaults (WAL,
 * NORMAL). Env: PORT, HOST, DATABASE_URL (sqlite:///path).
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite'
import { serveHeroes, type Hero, type HeroChanges, type HeroStore } from './heroes-api.ts'

const file = (process.env.DATABASE_URL ?? 'sqlite:///database.db').replace(/^sqlite:\/\/\//, '')
const db = new DatabaseSync(file)
db.exec(
  'pragma journal_mode = wal; pragma synchronous = normal; pragma foreign_keys = on; pragma busy_timeout = 5000',
)
db.exec(`create table if not exists hero (
  name varchar not null, age integer, id integer not null primary key, secret_name varchar not null)`)
db.exec('create index if not exists ix_hero_name on hero (name)')
db.exec('create index if not exists ix_hero_age on hero (age)')

const insert = db.prepare(
  'insert into hero (name, age, secret_name) values (?, ?, ?) returning id, name, age',
)
const byId = db.prepare('select id, name, age from hero where id = ?')
const page = db.prepare('select id, name, age from hero order by id limit ? offset ?')
const remove = db.prepare('delete from hero where id = ?')
const updates = new Map<string, StatementSync>()

/** The UPDATE for this set of columns, prepared on its first use. */
function updateStatement({ columns }: HeroChanges): StatementSync {
  const key = columns.join()
  let statement = updates.get(key)
  if (!statement) {
    const sets = columns.map((column) => `${column} = ?`).join(', ')
    updates.set(key, (statement = db.prepare(`update hero set ${sets} where id = ? returning id, name, age`)))
  }
  return statement
}

// node:sqlite types its rows as plain records; the statements above select exactly a Hero's columns.
const store: HeroStore = {
  byId: (id) => byId.get(id) as Hero | undefined,
  page: (limit, offset) => page.all(limit, offset) as unknown as Hero[],
  insert: (hero) => insert.get(hero.name, hero.age, hero.secret_name) as unknown as Hero,
  update: (id, changes) => updateStatement(changes).get(...changes.values, id) as Hero | undefined,
  remove: (id) => remove.run(id).changes > 0,
}

serveHeroes(store, () => db.close())
