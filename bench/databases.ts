/**
 * The server databases the benches run on, each a dedicated database created when missing, so a bench never
 * touches the test database. Env: BENCH_DATABASE_URL (PostgreSQL, default
 * postgresql://postgres:postgres@127.0.0.1:5432/onemodel_bench), BENCH_MYSQL_URL (MySQL or MariaDB, default
 * mysql://root:root@127.0.0.1:3306/onemodel_bench).
 */
import mysql from 'mysql2/promise'
import pg from 'pg'

export const POSTGRES_URL =
  process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:5432/onemodel_bench'
export const MYSQL_URL = process.env.BENCH_MYSQL_URL ?? 'mysql://root:root@127.0.0.1:3306/onemodel_bench'

/** The URL's database name, and the same URL on the server's maintenance database (`postgres`, or none). */
function split(url: string, maintenance: string): { name: string; serverUrl: string } {
  const parsed = new URL(url)
  const name = decodeURIComponent(parsed.pathname.slice(1))
  parsed.pathname = `/${maintenance}`
  return { name, serverUrl: parsed.href }
}

/** Creates the PostgreSQL database of `url` unless it exists; throws when the server does not answer. */
export async function ensurePostgresDatabase(url: string): Promise<void> {
  const { name, serverUrl } = split(url, 'postgres')
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3000 })
  await client.connect()
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name])
    if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`)
  } finally {
    await client.end()
  }
}

/** Creates the MySQL database of `url` unless it exists; throws when the server does not answer. */
export async function ensureMysqlDatabase(url: string): Promise<void> {
  const { name, serverUrl } = split(url, '')
  const connection = await mysql.createConnection({ uri: serverUrl, connectTimeout: 3000 })
  try {
    await connection.query(`create database if not exists ${connection.escapeId(name)}`)
  } finally {
    await connection.end()
  }
}

/** The URL with its password hidden, for messages. */
export const redacted = (url: string): string => url.replace(/:[^:@/]*@/, ':***@')
