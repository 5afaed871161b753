/**
 * The raw drivers doing what onemodel's Session does for each operation (the statements `echo` shows):
 * a select by key; an insert that returns the generated key; a select by key, then an update by key that
 * tells whether the row was found. Each is prepared once: node:sqlite statements, pg named statements,
 * mysql2 `execute()`.
 */
import { DatabaseSync } from 'node:sqlite'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { heroData, JOIN_ROWS } from './model.ts'

export interface RawClient {
  get(id: number): unknown
  insert(n: number): unknown
  update(id: number, age: number): unknown
  /** `JOIN_ROWS` heroes from `first` on, each with its team's columns. */
  join(first: number): unknown
  /** Inserts heroes 1 to `count` into the empty table, quickly: seeding is not measured. */
  seed(count: number): Promise<void>
  close(): Promise<void>
}

const COLUMNS = 'id, name, secret_name, age'

/** The join onemodel runs for `select(BenchHero, BenchTeam).join(BenchTeam)…`, its columns named apart. */
const JOIN = (placeholder: (n: number) => string) =>
  `select h.id, h.name, h.secret_name, h.age, h.team_id, t.id as t_id, t.name as t_name
   from bench_hero h inner join bench_team t on h.team_id = t.id
   where h.id >= ${placeholder(1)} order by h.id asc limit ${placeholder(2)}`
const QUESTION_MARK = () => '?'

function found(updated: boolean, id: number): void {
  if (!updated) throw new Error(`no bench_hero ${id}`)
}

/** node:sqlite on the file of a `sqlite:///path` URL, with onemodel's default settings. */
export function sqliteRaw(url: string): RawClient {
  const db = new DatabaseSync(url.replace(/^sqlite:\/\/\//, ''))
  db.exec(
    'pragma journal_mode = wal; pragma synchronous = normal; pragma foreign_keys = on; pragma busy_timeout = 5000',
  )
  const byKey = db.prepare(`select ${COLUMNS} from bench_hero where id = ?`)
  const insert = db.prepare('insert into bench_hero (name, secret_name, age) values (?, ?, ?) returning id')
  const update = db.prepare('update bench_hero set age = ? where id = ? returning id')
  const join = db.prepare(JOIN(QUESTION_MARK))
  const insertHero = (n: number) => {
    const hero = heroData(n)
    return insert.get(hero.name, hero.secret_name, hero.age)
  }
  return {
    get: (id) => byKey.get(id),
    insert: insertHero,
    join: (first) => join.all(first, JOIN_ROWS),
    update: (id, age) => {
      byKey.get(id)
      found(update.get(age, id) !== undefined, id)
    },
    async seed(count) {
      db.exec('begin')
      for (let n = 1; n <= count; n++) insertHero(n)
      db.exec('commit')
    },
    async close() {
      db.close()
    },
  }
}

/** pg on a pool of 10 like onemodel's default, with named statements: parsed once per connection. */
export function postgresRaw(url: string): RawClient {
  const pool = new pg.Pool({ connectionString: url, max: 10 })
  pool.on('error', () => {}) // an idle connection the server dropped must not end the process
  const byKey = (id: number) =>
    pool.query({
      name: 'bench-by-key',
      text: `select ${COLUMNS} from bench_hero where id = $1`,
      values: [id],
    })
  return {
    get: async (id) => (await byKey(id)).rows[0],
    join: async (first) =>
      (await pool.query({ name: 'bench-join', text: JOIN((n) => `$${n}`), values: [first, JOIN_ROWS] })).rows,
    insert: async (n) => {
      const hero = heroData(n)
      const text = 'insert into bench_hero (name, secret_name, age) values ($1, $2, $3) returning id'
      return (
        await pool.query({ name: 'bench-insert', text, values: [hero.name, hero.secret_name, hero.age] })
      ).rows[0]
    },
    update: async (id, age) => {
      await byKey(id)
      const text = 'update bench_hero set age = $1 where id = $2 returning id'
      found((await pool.query({ name: 'bench-update', text, values: [age, id] })).rowCount === 1, id)
    },
    async seed(count) {
      await pool.query(
        `insert into bench_hero (name, secret_name, age)
         select 'Hero ' || n, 'Secret ' || n, n % 90 from generate_series(1, $1::integer) n`,
        [count],
      )
    },
    close: () => pool.end(),
  }
}

/** mysql2 on a pool of 10 like onemodel's default, with `execute()`: prepared once per connection. */
export function mysqlRaw(url: string): RawClient {
  const pool = mysql.createPool({ uri: url, connectionLimit: 10 })
  const byKey = (id: number) => pool.execute(`select ${COLUMNS} from bench_hero where id = ?`, [id])
  return {
    get: async (id) => ((await byKey(id))[0] as mysql.RowDataPacket[])[0],
    join: async (first) => (await pool.execute(JOIN(QUESTION_MARK), [first, JOIN_ROWS]))[0],
    insert: async (n) => {
      const hero = heroData(n)
      const [result] = await pool.execute<mysql.ResultSetHeader>(
        'insert into bench_hero (name, secret_name, age) values (?, ?, ?)',
        [hero.name, hero.secret_name, hero.age],
      )
      return result.insertId
    },
    update: async (id, age) => {
      await byKey(id)
      const [result] = await pool.execute<mysql.ResultSetHeader>(
        'update bench_hero set age = ? where id = ?',
        [age, id],
      )
      found(result.affectedRows === 1, id)
    },
    async seed(count) {
      for (let first = 1; first <= count; first += 10_000) {
        const rows = Array.from({ length: Math.min(10_000, count - first + 1) }, (_, i) => {
          const hero = heroData(first + i)
          return [hero.name, hero.secret_name, hero.age]
        })
        await pool.query('insert into bench_hero (name, secret_name, age) values ?', [rows])
      }
    },
    close: () => pool.end(),
  }
}
