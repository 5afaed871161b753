/**
 * What an engine told `?pgbouncer=true` refuses is read from a statement's code, on the primary and
 * through PgBouncer itself:
 * a string literal, a quoted identifier or a comment that merely holds a refused pattern is data, and the
 * statement is sent; a refused statement after one is still found, and never sent. `set_config()` is
 * allowed only with the literal `true` as its third argument, whatever the first two hold.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createEngine, OnemodelError, sql, type Engine } from 'onemodel-ts'
import { DIALECTS, type DialectUnderTest } from '../support/dialects.ts'
import { THROUGH_PGBOUNCER } from '../support/scale-out.ts'

const refused = (error: unknown) =>
  error instanceof OnemodelError && error.code === 'OM_ENGINE_TRANSACTION_POOLING'

/** The tables the allowed statements read and write. */
async function notes(engine: Engine): Promise<void> {
  await sql`create table notes (id int, body text, set_x int, set_config boolean, "Set;Listen" int)`.execute(
    engine.db,
  )
  await sql`create table "locks; set x = 1" ("pg_advisory_lock" int)`.execute(engine.db)
  await sql`create table temp (id int)`.execute(engine.db)
}

const raw = (text: string) => sql.raw(text)

/**
 * The refusals happen before a statement is sent, so they need no pooler: the primary told
 * `?pgbouncer=true` runs them wherever PostgreSQL runs, and PgBouncer too where it answers.
 */
const PRIMARY_TOLD_PGBOUNCER: readonly DialectUnderTest[] = DIALECTS.filter(
  ({ name }) => name === 'postgres',
).map((postgres) => ({
  name: 'postgres',
  label: 'postgres told ?pgbouncer=true',
  async isolatedUrl() {
    const url = new URL(await postgres.isolatedUrl())
    url.searchParams.set('pgbouncer', 'true')
    return url.href
  },
}))

for (const pooled of [...PRIMARY_TOLD_PGBOUNCER, ...THROUGH_PGBOUNCER]) {
  describe(`the statements refused behind transaction pooling, ${pooled.label}`, () => {
    test('statements whose literals, quoted identifiers or comments hold a refused pattern are sent', async () => {
      await using engine = createEngine(await pooled.isolatedUrl())
      await notes(engine)
      for (const statement of [
        raw("insert into notes (body) values ('call pg_advisory_lock(1) later')"),
        raw("insert into notes (body) values ('done; set statement_timeout = 0')"),
        raw("insert into notes (body) values ('it''s; listen heroes')"),
        raw("insert into notes (body) values (E'it\\'s; reset all')"),
        raw("insert into notes (body) values (U&'d\\0061ta; set x = 1')"),
        raw('insert into notes (body) values ($$; set search_path = other$$)'),
        raw("insert into notes (body) values ($note$ it's $$; select pg_advisory_lock(1) $note$)"),
        raw('create function lock_later() returns void language sql as $$ select pg_advisory_lock(1) $$'),
        sql`update notes set set_x = 1, set_config = false where id = ${1}`,
        raw('select "pg_advisory_lock" from "locks; set x = 1"'),
        raw('select "Set;Listen" from notes'),
        raw('-- set statement_timeout = 0\nselect 1'),
        raw('/* listen heroes; */ select 1'),
        raw('/* outer /* nested */ still a comment; set search_path = other */ select 1'),
        sql`select 1 as a$b$c, ${1}::int as one from notes where ${2}::int = 1`,
        raw('select 1 as café'),
        // set_config() local to its transaction, whatever its other arguments hold.
        sql`select set_config('app.tenant', ${'A'}, true)`,
        raw("select set_config('app.path', current_setting('search_path') || ', audit', TRUE)"),
        raw("select set_config('app.a', current_setting('app.b', true), true)"),
        raw("select pg_catalog.set_config('app.x', 'a), false', true)"),
        // A table named temp is no temporary table.
        raw('insert into temp (id) select 1'),
        raw('with one as (select 1 as id) insert into temp select id from one'),
        // Reading pg_settings changes nothing; a temporary table dropped with its transaction is allowed.
        raw("select setting from pg_settings where name = 'search_path'"),
        raw('begin; create table pg_temp.scratch (id int) on commit drop; commit'),
        raw('create index notes_by_id on notes (id)'),
      ]) {
        await statement.execute(engine.db)
      }
      await assert.rejects(
        raw("select 'never closed; set search_path = other").execute(engine.db),
        (error: unknown) => (error as { code?: unknown }).code === '42601',
        'a literal left open runs to the end: the server, not the check, refuses it',
      )
    })

    test('a refused statement is never sent: after a literal, a quoted identifier or a comment too', async () => {
      await using engine = createEngine(await pooled.isolatedUrl())
      for (const statement of [
        raw("select 'a;b'; set search_path = other"),
        raw("select 'it''s'; listen heroes"),
        raw("select E'it\\'s'; reset all"),
        raw('select $$;$$, pg_advisory_lock(1)'),
        raw("select $tag$ '; $tag$; prepare heroes as select 1"),
        raw('select "weird;name" from notes; set statement_timeout = 0'),
        raw('select "pg_advisory_lock"(1)'),
        raw('select pg_advisory_lock /* who */ (1)'),
        raw('/* outer /* nested */ comment */ set search_path = other'),
        raw('-- a comment\nset statement_timeout = 0'),
        // An identifier's letter before `$x$` makes it no dollar quote: what follows is code.
        raw('select 1 as café$x$; listen foo'),
        raw('create temp view recent as select 1'),
        raw('create or replace temporary view recent as select 1'),
        raw('create temporary sequence ticket'),
        raw('create temp sequence ticket'),
        raw('select 1 as id into temp scratch'),
        raw('select 1 as id into temporary table scratch'),
        raw('with one as (select 1 as id) select id into temp table scratch from one'),
        // pg_temp is the session's own schema: what is created there is temporary.
        raw('create table pg_temp.scratch (id int)'),
        raw('create table if not exists pg_temp.scratch (id int)'),
        raw('create unlogged table "pg_temp".scratch (id int)'),
        raw('create table pg_temp.scratch as select 1 as id'),
        raw('create view pg_temp.recent as select 1'),
        raw("create or replace function pg_temp.one() returns int language sql as 'select 1'"),
        raw('create sequence pg_temp . ticket'),
        raw('select 1 as id into pg_temp.scratch'),
        raw('select 1 as id into table pg_temp.scratch'),
        // pg_settings' update rule is set_config(…, false), a session-level setting.
        raw("update pg_settings set setting = 'other' where name = 'search_path'"),
        raw("update pg_catalog.pg_settings set setting = 'other' where name = 'search_path'"),
        raw("UPDATE ONLY pg_settings SET setting = 'other' WHERE name = 'search_path'"),
        raw("load 'auto_explain'"),
      ]) {
        await assert.rejects(statement.execute(engine.db), refused, statement.compile(engine.db).sql)
      }
    })

    test('set_config() whose third argument is not the literal true is refused, as it may outlive its transaction', async () => {
      await using engine = createEngine(await pooled.isolatedUrl())
      for (const statement of [
        sql`select set_config('app.tenant', ${'B'}, ${false})`,
        sql`select set_config('app.tenant', ${'B'}, ${true})`,
        raw("select set_config('search_path', current_setting('search_path') || ', audit', false)"),
        raw("select set_config('app.tenant', 'B', 'false')"),
        raw("select set_config('app.tenant', 'B', 'f')"),
        raw("select set_config('app.tenant', 'B', false::boolean)"),
        raw("select set_config('app.tenant', 'B', (false))"),
        raw("select set_config('app.tenant', 'B', true::boolean)"),
        raw("select set_config('search_path', 'a)b', false)"),
        raw("select set_config('app.tenant', 'B', true), set_config('app.user', 'C', false)"),
        raw("select set_config('app.tenant', 'B'"),
      ]) {
        await assert.rejects(statement.execute(engine.db), refused, statement.compile(engine.db).sql)
      }
    })
  })
}
