/**
 * Which statements an engine keeps prepared on a server, and what happens when the server will not
 * prepare one: it runs as text, and the engine stops asking when the server never will.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CompiledQuery, type QueryResult } from 'kysely'
import { unprepared } from '../../src/engine/dialect/mysql/mysql-driver.ts'
import {
  UnpreparedStatement,
  type NativeConnection,
  type NativePool,
} from '../../src/engine/dialect/native.ts'
import { Executor } from '../../src/engine/executor.ts'
import { PreparedStatements } from '../../src/engine/prepared-statements.ts'
import { bind, OBJECT_ROWS } from '../../src/engine/statement.ts'

describe('PreparedStatements', () => {
  test('the first texts with parameters get a name, each the same every time; later ones run unprepared', () => {
    const prepared = new PreparedStatements(2)
    assert.equal(prepared.nameOf('create table t (id integer)', 0), undefined, 'no parameters: not prepared')
    const first = prepared.nameOf('select 1 where ? = 1', 1)
    assert.equal(prepared.nameOf('select 1 where ? = 1', 1), first)
    assert.notEqual(prepared.nameOf('select 2 where ? = 1', 1), first)
    assert.equal(prepared.nameOf('select 3 where ? = 1', 1), undefined, 'past size, unprepared')
  })

  test('a refused text runs unprepared from then on, and its place goes to another text', () => {
    const prepared = new PreparedStatements(1)
    assert.ok(prepared.nameOf('show variables like ?', 1))
    prepared.refuse('show variables like ?')
    assert.equal(prepared.nameOf('show variables like ?', 1), undefined)
    assert.ok(prepared.nameOf('select 1 where ? = 1', 1), 'the freed place is taken')
  })
})

describe('mysql: a statement the server will not prepare', () => {
  test('ER_UNSUPPORTED_PS and a placeholder only a literal may take are lasting; a full server is not', () => {
    assert.equal(unprepared({ errno: 1295 })?.lasting, true)
    assert.equal(unprepared({ errno: 1064 })?.lasting, true)
    assert.equal(unprepared({ errno: 1461 })?.lasting, false, 'max_prepared_stmt_count reached')
    assert.equal(unprepared({ errno: 1062 }), undefined, 'a duplicate key is the statement’s own error')
    assert.equal(unprepared(new Error('connection lost')), undefined)
  })
})

/** A connection whose server refuses to prepare with `refusal`, and records how each statement ran. */
function refusingPool(refusal: UnpreparedStatement): { pool: NativePool; runs: string[] } {
  const runs: string[] = []
  const connection: NativeConnection = {
    execute(sql, _parameters, _shape, name): QueryResult<unknown> {
      runs.push(name === undefined ? 'text' : 'prepare')
      if (name !== undefined) throw refusal
      return { rows: [] }
    },
    async *stream() {},
    begin() {},
    commit() {},
    rollback() {},
  }
  const pool: NativePool = {
    acquire: async () => connection,
    release() {},
    idle: () => undefined,
    destroy: async () => {},
  }
  return { pool, runs }
}

describe('executor: a statement the server will not prepare', () => {
  const query = bind(CompiledQuery.raw('show variables like ?'), ['x'], OBJECT_ROWS)

  test('runs as text, and a lasting refusal is not asked again', async () => {
    const { pool, runs } = refusingPool(new UnpreparedStatement(new Error('ER_UNSUPPORTED_PS'), true))
    const executor = new Executor(pool, {
      mapError: (error) => error as Error,
      prepared: new PreparedStatements(8),
    })
    await executor.run(query)
    await executor.run(query)
    assert.deepEqual(runs, ['prepare', 'text', 'text'])
  })

  test('while the server is full, each run tries to prepare again, then runs as text', async () => {
    const { pool, runs } = refusingPool(
      new UnpreparedStatement(new Error('ER_MAX_PREPARED_STMT_COUNT_REACHED'), false),
    )
    const executor = new Executor(pool, {
      mapError: (error) => error as Error,
      prepared: new PreparedStatements(8),
    })
    await executor.run(query)
    await executor.run(query)
    assert.deepEqual(runs, ['prepare', 'text', 'prepare', 'text'])
  })
})
