/**
 * What is refused behind transaction pooling is read from a statement's code: a string literal, a quoted
 * identifier or a comment that merely holds a refused pattern is data, and a refused statement after one
 * is still found. (test/engine/pgbouncer.test.ts runs such statements through PgBouncer itself.)
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { OnemodelError } from 'onemodel-ts'
import { refuseSessionState } from '../../src/engine/transaction-pooling.ts'

const refused = (error: unknown) =>
  error instanceof OnemodelError && error.code === 'OM_ENGINE_TRANSACTION_POOLING'

describe('refuseSessionState', () => {
  test('runs statements whose literals, quoted identifiers or comments hold a refused pattern', () => {
    for (const sql of [
      "insert into notes (body) values ('call pg_advisory_lock(1) later')",
      "insert into notes (body) values ('done; set statement_timeout = 0')",
      "insert into notes (body) values ('it''s; listen heroes')",
      "insert into notes (body) values (E'it\\'s; reset all')",
      "insert into notes (body) values (U&'d\\0061ta; set x = 1')",
      'insert into notes (body) values ($$; set search_path = other$$)',
      "insert into notes (body) values ($note$ it's $$; select pg_advisory_lock(1) $note$)",
      'create function lock_later() returns void language sql as $$ select pg_advisory_lock(1) $$',
      'update settings set set_x = 1, set_config = false where id = $1',
      'select "pg_advisory_lock" from "locks; set x = 1"',
      'select "Set;Listen" from notes',
      '-- set statement_timeout = 0\nselect 1',
      '/* listen heroes; */ select 1',
      '/* outer /* nested */ still a comment; set search_path = other */ select 1',
      'select a$b$c, $1 from notes where $2 = 1',
      "select 'never closed; set search_path = other",
    ]) {
      assert.doesNotThrow(() => refuseSessionState(sql), sql)
    }
  })

  test('refuses a statement hidden after a literal, a quoted identifier or a comment', () => {
    for (const sql of [
      "select 'a;b'; set search_path = other",
      "select 'it''s'; listen heroes",
      "select E'it\\'s'; reset all",
      'select $$;$$, pg_advisory_lock(1)',
      "select $tag$ '; $tag$; prepare heroes as select 1",
      'select "weird;name" from notes; set statement_timeout = 0',
      'select "pg_advisory_lock"(1)',
      'select pg_advisory_lock /* who */ (1)',
      "select set_config('search_path', 'a)b', false)",
      '/* outer /* nested */ comment */ set search_path = other',
      '-- a comment\nset statement_timeout = 0',
    ]) {
      assert.throws(() => refuseSessionState(sql), refused, sql)
    }
  })
})
