/** Database URLs, SQLAlchemy-style: parsing, the driver suffix, and passwords kept out of messages. */
import assert from 'node:assert/strict'
import { resolve } from 'node:path'
import { describe, test } from 'node:test'
import { createEngine, EngineUrlError, parseDatabaseUrl, redactUrl } from 'onemodel-ts'

describe('parseDatabaseUrl', () => {
  test('sqlite:///name.db is a file relative to the working directory', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:///heroes.db'), {
      dialect: 'sqlite',
      filename: resolve('heroes.db'),
      memory: false,
    })
    assert.deepEqual(parseDatabaseUrl('sqlite:///./data/heroes.db'), {
      dialect: 'sqlite',
      filename: resolve('data/heroes.db'),
      memory: false,
    })
  })

  test('sqlite:////abs/path.db is an absolute path', () => {
    assert.deepEqual(parseDatabaseUrl('sqlite:////var/data/heroes.db'), {
      dialect: 'sqlite',
      filename: '/var/data/heroes.db',
      memory: false,
    })
  })

  test('sqlite:// and sqlite:///:memory: are in-memory databases', () => {
    const memory = { dialect: 'sqlite', filename: ':memory:', memory: true }
    assert.deepEqual(parseDatabaseUrl('sqlite://'), memory)
    assert.deepEqual(parseDatabaseUrl('sqlite:///:memory:'), memory)
  })

  test('a Python driver suffix is accepted and ignored', () => {
    assert.equal(parseDatabaseUrl('sqlite+aiosqlite:///./app.db').dialect, 'sqlite')
    const pg = parseDatabaseUrl('postgresql+asyncpg://user:pass@db.example:5432/heroes')
    assert.equal(pg.dialect, 'postgres')
    assert.equal(pg.dialect === 'postgres' && pg.url.hostname, 'db.example')
  })

  test('postgres, postgresql, mysql and mariadb schemes', () => {
    assert.equal(parseDatabaseUrl('postgres://u:p@h/db').dialect, 'postgres')
    assert.equal(parseDatabaseUrl('postgresql://u:p@h/db').dialect, 'postgres')
    assert.equal(parseDatabaseUrl('mysql://u:p@h:3306/db').dialect, 'mysql')
    assert.equal(parseDatabaseUrl('mariadb://u:p@h/db').dialect, 'mysql')
    const parsed = parseDatabaseUrl('mysql://root:s3cret@127.0.0.1:3306/heroes')
    assert.ok(parsed.dialect === 'mysql')
    assert.equal(parsed.url.port, '3306')
    assert.equal(parsed.url.pathname, '/heroes')
  })

  test('?pgbouncer=true on PostgreSQL turns prepared statements off, and is not passed to pg', () => {
    const bouncer = parseDatabaseUrl('postgresql://u:p@h:6432/db?pgbouncer=true&application_name=api')
    assert.ok(bouncer.dialect === 'postgres')
    assert.equal(bouncer.prepare, false)
    assert.equal(bouncer.transactionPooling, true, 'what outlives a transaction is refused behind it')
    assert.equal(bouncer.url.search, '?application_name=api', 'the other parameters stay for pg')
    const direct = parseDatabaseUrl('postgresql://u:p@h:5432/db')
    assert.ok(direct.dialect === 'postgres' && direct.prepare, 'statements are prepared by default')
    const off = parseDatabaseUrl('postgresql://u:p@h:5432/db?pgbouncer=false')
    assert.ok(off.dialect === 'postgres' && off.prepare && off.url.search === '')
    assert.ok(!off.transactionPooling && direct.dialect === 'postgres' && !direct.transactionPooling)
    const mysql = parseDatabaseUrl('mysql://u:p@h:3306/db')
    assert.ok(mysql.dialect === 'mysql' && mysql.prepare)
  })

  test('an unknown scheme or a malformed URL is an EngineUrlError that hides the password', () => {
    for (const url of ['oracle://scott:tiger@host/db', 'heroes.db', '', 'postgresql://user:tiger@[bad/db']) {
      assert.throws(
        () => parseDatabaseUrl(url),
        (error: unknown) => {
          assert.ok(error instanceof EngineUrlError, `${url}: expected EngineUrlError, got ${String(error)}`)
          assert.equal(error.code, 'OM_ENGINE_URL')
          assert.doesNotMatch(error.message, /tiger/, 'the password never appears')
          return true
        },
      )
    }
  })

  test('createEngine fails the same way, before connecting', () => {
    assert.throws(() => createEngine('oracle://scott:tiger@host/db'), EngineUrlError)
  })
})

describe('redactUrl', () => {
  test('replaces the password with ***', () => {
    assert.equal(redactUrl('postgresql://user:s3cret@host:5432/db'), 'postgresql://user:***@host:5432/db')
    assert.equal(redactUrl('mysql+pymysql://root:p%40ss@host/db'), 'mysql+pymysql://root:***@host/db')
  })

  test('hides a password pasted with unencoded /, # or @', () => {
    for (const password of ['pa/ss', 'pa#ss', 'p@ss', 'p:a?s@s/']) {
      const url = `postgresql://user:${password}@host:5432/db`
      assert.equal(redactUrl(url), 'postgresql://user:***@host:5432/db')
      assert.throws(
        () => parseDatabaseUrl(`oracle${url.slice('postgresql'.length)}`),
        (error: unknown) => error instanceof EngineUrlError && !error.message.includes(password),
      )
    }
  })

  test('leaves URLs without a password unchanged', () => {
    for (const url of ['sqlite:///heroes.db', 'postgresql://user@host/db', 'postgresql://host/db']) {
      assert.equal(redactUrl(url), url)
    }
  })

  test('Engine.url is redacted', async () => {
    await using engine = createEngine('postgresql://user:s3cret@127.0.0.1:1/db')
    assert.equal(engine.url, 'postgresql://user:***@127.0.0.1:1/db')
  })
})
