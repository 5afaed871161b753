/** Validation: pydantic v2's lax-mode coercion and its error items, as FastAPI returns them in a 422. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { inspect } from 'node:util'
import { field, model, OnemodelError, REDACTED, ValidationError, type ValidationIssue } from 'onemodel-ts'

const HeroCreate = model('HeroCreate', {
  name: field.string({ maxLength: 10 }),
  secret_name: field.string({ secret: true }),
  age: field.integer({ nullable: true, default: null, ge: 0, le: 150 }),
})

/** The issues `input` produces, or an empty list when it is valid. */
function issues(input: unknown, m: { safeValidate(input: unknown): { success: boolean } } = HeroCreate) {
  const result = m.safeValidate(input) as { success: true } | { success: false; issues: ValidationIssue[] }
  return result.success ? [] : result.issues
}

const valid = { name: 'Deadpond', secret_name: 'Dive Wilson' }

describe('Model.validate: the error items', () => {
  test('missing: a required field is absent; input is the whole object, as pydantic reports it', () => {
    assert.deepEqual(issues({ name: 'Deadpond' }), [
      { type: 'missing', loc: ['secret_name'], msg: 'Field required', input: { name: 'Deadpond' } },
    ])
  })

  test('string_type: a number is not a string (no coercion to text)', () => {
    assert.deepEqual(issues({ ...valid, name: 42 }), [
      { type: 'string_type', loc: ['name'], msg: 'Input should be a valid string', input: 42 },
    ])
  })

  test('int_parsing: text that is not an integer', () => {
    assert.deepEqual(issues({ ...valid, age: 'old' }), [
      {
        type: 'int_parsing',
        loc: ['age'],
        msg: 'Input should be a valid integer, unable to parse string as an integer',
        input: 'old',
      },
    ])
  })

  test('int_from_float: a number with a fractional part', () => {
    assert.deepEqual(issues({ ...valid, age: 16.5 }), [
      {
        type: 'int_from_float',
        loc: ['age'],
        msg: 'Input should be a valid integer, got a number with a fractional part',
        input: 16.5,
      },
    ])
  })

  test('less_than_equal and greater_than_equal carry their limit in ctx', () => {
    assert.deepEqual(issues({ ...valid, age: 151 }), [
      {
        type: 'less_than_equal',
        loc: ['age'],
        msg: 'Input should be less than or equal to 150',
        input: 151,
        ctx: { le: 150 },
      },
    ])
    assert.deepEqual(issues({ ...valid, age: -1 }), [
      {
        type: 'greater_than_equal',
        loc: ['age'],
        msg: 'Input should be greater than or equal to 0',
        input: -1,
        ctx: { ge: 0 },
      },
    ])
  })

  test('string_too_long carries max_length; lengths count characters, not UTF-16 units', () => {
    assert.deepEqual(issues({ ...valid, name: 'Spider-Boy!' }), [
      {
        type: 'string_too_long',
        loc: ['name'],
        msg: 'String should have at most 10 characters',
        input: 'Spider-Boy!',
        ctx: { max_length: 10 },
      },
    ])
    assert.deepEqual(issues({ ...valid, name: '🦸'.repeat(10) }), [], 'ten emoji are ten characters')
  })

  test('extra_forbidden: unknown keys, only where the model forbids them', () => {
    const Strict = model('Strict', { name: field.string() }, { extra: 'forbid' })
    assert.deepEqual(issues({ name: 'Deadpond', power: 'regeneration' }, Strict), [
      {
        type: 'extra_forbidden',
        loc: ['power'],
        msg: 'Extra inputs are not permitted',
        input: 'regeneration',
      },
    ])
    assert.deepEqual(issues({ ...valid, power: 'regeneration' }), [], 'the default ignores unknown keys')
    assert.equal('power' in HeroCreate.validate({ ...valid, power: 'x' }), false, 'and drops them')
  })

  test('model_attributes_type: the input is not an object', () => {
    const Team = model('Team', { name: field.string() })
    for (const input of [null, [], 'Deadpond', 42]) {
      assert.deepEqual(issues(input, Team), [
        {
          type: 'model_attributes_type',
          loc: [],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input,
        },
      ])
    }
  })

  test('reports every invalid field, in field order', () => {
    assert.deepEqual(
      issues({ name: 7, age: 'x' }).map((issue) => [issue.type, issue.loc]),
      [
        ['string_type', ['name']],
        ['missing', ['secret_name']],
        ['int_parsing', ['age']],
      ],
    )
  })

  test('safeValidate prefixes loc, as a request body is ["body", …]', () => {
    assert.deepEqual(HeroCreate.safeValidate({ name: 'Deadpond' }, ['body']), {
      success: false,
      issues: [
        { type: 'missing', loc: ['body', 'secret_name'], msg: 'Field required', input: { name: 'Deadpond' } },
      ],
    })
  })
})

describe('Model.validate: coercion (pydantic lax mode)', () => {
  test('integers accept integral text, integral floats and booleans', () => {
    const age = (input: unknown) => HeroCreate.validate({ ...valid, age: input }).age
    assert.equal(age('16'), 16)
    assert.equal(age(' 16 '), 16, 'surrounding spaces are ignored')
    assert.equal(age('16.0'), 16)
    assert.equal(age(16.0), 16)
    assert.equal(age(true), 1)
    assert.equal(age(null), null, 'null is valid for a nullable field')
    assert.equal(HeroCreate.validate(valid).age, null, 'and is its default')
  })

  test('integers beyond 2^53 are refused rather than silently rounded', () => {
    // A bound beyond 32 bits makes a bigint column, which holds any exact integer.
    const Big = model('Big', { n: field.integer({ ge: -(2 ** 40) }) })
    assert.deepEqual(
      issues({ n: 2 ** 53 }, Big).map((issue) => issue.type),
      ['int_parsing_size'],
    )
    assert.deepEqual(
      issues({ n: '9007199254740993' }, Big).map((issue) => issue.type),
      ['int_parsing_size'],
    )
    assert.equal(Big.validate({ n: 2 ** 53 - 1 }).n, 2 ** 53 - 1)
  })

  test('numbers accept numeric text and refuse Infinity and NaN', () => {
    const Score = model('Score', { value: field.number({ lt: 1 }) })
    assert.equal(Score.validate({ value: '0.25' }).value, 0.25)
    assert.equal(Score.validate({ value: '-1e3' }).value, -1000)
    for (const value of [Infinity, -Infinity, NaN, '1e400']) {
      assert.deepEqual(
        issues({ value }, Score).map((issue) => issue.type),
        ['finite_number'],
        `${String(value)} is not a finite number`,
      )
    }
    assert.deepEqual(issues({ value: 'abc' }, Score)[0]?.type, 'float_parsing')
    assert.deepEqual(issues({ value: 1 }, Score)[0]?.type, 'less_than')
  })

  test('booleans accept pydantic’s words and 0/1', () => {
    const Flag = model('Flag', { on: field.boolean() })
    for (const input of [true, 1, '1', 'true', 'True', 'yes', 'on', 'y', 't'])
      assert.equal(Flag.validate({ on: input }).on, true, `${String(input)} is true`)
    for (const input of [false, 0, '0', 'false', 'no', 'off', 'n', 'f'])
      assert.equal(Flag.validate({ on: input }).on, false, `${String(input)} is false`)
    assert.equal(issues({ on: 'maybe' }, Flag)[0]?.type, 'bool_parsing')
    assert.equal(issues({ on: 2 }, Flag)[0]?.type, 'bool_parsing')
    assert.equal(issues({ on: [] }, Flag)[0]?.type, 'bool_type')
  })

  test('datetimes accept ISO 8601 text, read as UTC without an offset, and Dates', () => {
    const Event = model('Event', { at: field.datetime() })
    assert.deepEqual(Event.validate({ at: '2024-05-01T10:00:00Z' }).at, new Date('2024-05-01T10:00:00Z'))
    assert.deepEqual(Event.validate({ at: '2024-05-01T12:00:00+02:00' }).at, new Date('2024-05-01T10:00:00Z'))
    assert.deepEqual(Event.validate({ at: '2024-05-01 10:00' }).at, new Date('2024-05-01T10:00:00Z'))
    assert.equal(issues({ at: 'tomorrow' }, Event)[0]?.type, 'datetime_parsing')
    assert.equal(issues({ at: true }, Event)[0]?.type, 'datetime_type')
  })

  test('dates, uuids and enums', () => {
    const Card = model('Card', {
      on: field.date(),
      key: field.uuid(),
      suit: field.enum(['hearts', 'spades']),
    })
    const card = Card.validate({
      on: '2024-02-29',
      key: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
      suit: 'hearts',
    })
    assert.equal(card.key, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'uuids are normalized to lower case')
    // No such month is refused as no such day is, not thrown as an Invalid Date's RangeError.
    for (const on of ['2024-13-01', '2024-00-10', '2024-02-30']) {
      assert.deepEqual(
        issues({ on, key: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', suit: 'hearts' }, Card).map(
          (issue) => issue.type,
        ),
        ['date_parsing'],
        on,
      )
    }
    assert.deepEqual(issues({ on: '2023-02-29', key: 'nope', suit: 'clubs' }, Card), [
      {
        type: 'date_parsing',
        loc: ['on'],
        msg: 'Input should be a valid date in the format YYYY-MM-DD',
        input: '2023-02-29',
        ctx: { error: 'invalid date format' },
      },
      {
        type: 'uuid_parsing',
        loc: ['key'],
        msg: 'Input should be a valid UUID, invalid format',
        input: 'nope',
        ctx: { error: 'invalid format' },
      },
      {
        type: 'literal_error',
        loc: ['suit'],
        msg: "Input should be 'hearts' or 'spades'",
        input: 'clubs',
        ctx: { expected: "'hearts' or 'spades'" },
      },
    ])
  })

  test('null in a field that does not allow it is a type error, not missing', () => {
    assert.deepEqual(issues({ ...valid, name: null }), [
      { type: 'string_type', loc: ['name'], msg: 'Input should be a valid string', input: null },
    ])
  })
})

describe('Model.validate: only values every database can store', () => {
  const Note = model('Note', {
    text: field.string(),
    data: field.json({ nullable: true, default: null }),
  })

  test('string_nul: NUL, which PostgreSQL text cannot hold, is refused on every dialect', () => {
    assert.deepEqual(issues({ text: 'Dead\u0000pond' }, Note), [
      {
        type: 'string_nul',
        loc: ['text'],
        msg: 'Input should be a valid string without the NUL character (\\u0000)',
        input: 'Dead\u0000pond',
      },
    ])
  })

  test('string_unicode: a lone surrogate, high or low, anywhere in the text', () => {
    for (const text of ['\ud800', '\udfff', 'ab\ud83d', '\ude00ab', 'a\ud83d\ud83db']) {
      assert.deepEqual(
        issues({ text }, Note),
        [
          {
            type: 'string_unicode',
            loc: ['text'],
            msg: 'Input should be a valid string, a lone surrogate (half of a UTF-16 pair) is not a Unicode character',
            input: text,
          },
        ],
        JSON.stringify(text),
      )
    }
    assert.equal(
      Note.validate({ text: '🦸 \ud83e\uddb8' }).text,
      '🦸 🦸',
      'a surrogate pair is one character',
    )
  })

  test('JSON values: NUL or a lone surrogate in any string or key, however deep, is refused', () => {
    const deep = JSON.parse('['.repeat(10_000) + '"\\u0000"' + ']'.repeat(10_000))
    const cases = [
      [{ a: 'x\u0000' }, 'string_nul'],
      [{ 'k\u0000': 1 }, 'string_nul'],
      [['ok', ['\ud800']], 'string_unicode'],
      [{ '\udc00': true }, 'string_unicode'],
      [deep, 'string_nul'],
    ] as const
    for (const [data, type] of cases) {
      assert.deepEqual(
        issues({ text: 'ok', data }, Note).map((issue) => [issue.type, issue.loc]),
        [[type, ['data']]],
      )
    }
    const cyclic: Record<string, unknown> = { name: 'ok' }
    cyclic.self = cyclic
    assert.equal(Note.validate({ text: 'ok', data: cyclic }).data, cyclic, 'a cycle ends the walk')
  })

  test('integers stay within the 32-bit column on every dialect, with pydantic’s bound items', () => {
    const Counter = model('Counter', { n: field.integer() })
    assert.equal(Counter.validate({ n: 2147483647 }).n, 2147483647)
    assert.equal(Counter.validate({ n: '-2147483648' }).n, -2147483648)
    assert.deepEqual(issues({ n: 2147483648 }, Counter), [
      {
        type: 'less_than_equal',
        loc: ['n'],
        msg: 'Input should be less than or equal to 2147483647',
        input: 2147483648,
        ctx: { le: 2147483647 },
      },
    ])
    assert.deepEqual(issues({ n: '-2147483649' }, Counter), [
      {
        type: 'greater_than_equal',
        loc: ['n'],
        msg: 'Input should be greater than or equal to -2147483648',
        input: '-2147483649',
        ctx: { ge: -2147483648 },
      },
    ])
  })

  test('a declared bound replaces the 32-bit one on its side; bounds beyond 32 bits make a bigint', () => {
    const Positive = model('Positive', { n: field.integer({ gt: 0 }) })
    assert.deepEqual(
      issues({ n: 2147483648 }, Positive).map((issue) => [issue.type, issue.ctx]),
      [['less_than_equal', { le: 2147483647 }]],
    )
    assert.deepEqual(issues({ n: 0 }, Positive)[0]?.type, 'greater_than')
    const Wide = model('Wide', { n: field.integer({ ge: 0, le: 2 ** 40 }) })
    assert.equal(Wide.fields.n.isWideInteger, true)
    assert.equal(Positive.fields.n.isWideInteger, false)
    assert.equal(Wide.validate({ n: 2 ** 40 }).n, 2 ** 40)
    const Unbounded = model('Unbounded', { n: field.integer({ ge: -(2 ** 53) + 1 }) })
    assert.deepEqual(
      issues({ n: 2 ** 53 }, Unbounded).map((issue) => issue.type),
      ['int_parsing_size'],
      'a bigint still stops at exact integers',
    )
  })

  test('datetimes are within the years 1000 to 9999, dates within 1 to 9999', () => {
    const Event = model('Event', { at: field.datetime(), on: field.date() })
    const valid = { at: '2024-05-01T10:00:00Z', on: '2024-05-01' }
    assert.deepEqual(Event.validate({ at: '1000-01-01T00:00:00Z', on: '0001-01-01' }).on, '0001-01-01')
    assert.deepEqual(Event.validate({ at: '9999-12-31T23:59:59.999Z', on: '9999-12-31' }).on, '9999-12-31')
    for (const at of ['0999-12-31T23:59:59Z', '0069-01-01T00:00:00Z', 1e15, -1e14, new Date(8.64e15)]) {
      assert.deepEqual(
        issues({ ...valid, at }, Event),
        [
          {
            type: 'datetime_parsing',
            loc: ['at'],
            msg: 'Input should be a valid datetime, the year must be between 1000 and 9999',
            input: at,
            ctx: { error: 'the year must be between 1000 and 9999' },
          },
        ],
        String(at),
      )
    }
    for (const on of ['0000-01-01', new Date(-1e14)]) {
      assert.deepEqual(
        issues({ ...valid, on }, Event).map((issue) => [issue.type, issue.msg]),
        [['date_parsing', 'Input should be a valid date, the year must be between 1 and 9999']],
        String(on),
      )
    }
  })
})

describe('ValidationError', () => {
  test('is an OnemodelError with code OM_MODEL_VALIDATION, the model name and the issues', () => {
    const error = (() => {
      try {
        HeroCreate.validate({ name: 'Deadpond', age: 'old' })
      } catch (error) {
        return error
      }
      return assert.fail('invalid input must throw')
    })()
    assert.ok(error instanceof ValidationError)
    assert.ok(error instanceof OnemodelError)
    assert.equal(error.code, 'OM_MODEL_VALIDATION')
    assert.equal(error.model, 'HeroCreate')
    assert.equal(error.issues.length, 2)
    assert.equal(
      error.message,
      '2 validation errors for HeroCreate\n' +
        '  secret_name: Field required [type=missing]\n' +
        '  age: Input should be a valid integer, unable to parse string as an integer [type=int_parsing]',
    )
  })

  test('the message never shows an input value, which may be a secret', () => {
    assert.throws(
      () => HeroCreate.validate({ name: 'Deadpond', secret_name: 12345678 }),
      (thrown: unknown) => thrown instanceof ValidationError && !thrown.message.includes('12345678'),
    )
  })
})

describe('secret fields: their values never appear in an issue', () => {
  const SECRET = 'Dive Wilson'
  const Team = model('Team', {
    name: field.string(),
    leader: field.model(HeroCreate),
    heroes: field.list(HeroCreate, { default: [] }),
  })
  const Vault = model('Vault', { label: field.string(), key: field.model(HeroCreate, { secret: true }) })

  /** Every issue's input, as JSON text: where a secret would show. */
  const echoed = (found: ValidationIssue[]) => JSON.stringify(found.map((issue) => issue.input))

  test('missing: the echoed input shows the secret key with its value redacted', () => {
    assert.deepEqual(issues({ secret_name: SECRET }), [
      { type: 'missing', loc: ['name'], msg: 'Field required', input: { secret_name: REDACTED } },
    ])
    assert.equal(REDACTED, '**********')
  })

  test('a secret field’s own bad value is redacted, whatever rule it fails', () => {
    const Login = model('Login', { password: field.string({ secret: true, minLength: 12 }) })
    assert.deepEqual(issues({ ...valid, secret_name: 12345 }), [
      { type: 'string_type', loc: ['secret_name'], msg: 'Input should be a valid string', input: REDACTED },
    ])
    assert.deepEqual(issues({ password: 'hunter2' }, Login), [
      {
        type: 'string_too_short',
        loc: ['password'],
        msg: 'String should have at least 12 characters',
        input: REDACTED,
        ctx: { min_length: 12 },
      },
    ])
  })

  test('nested models and lists of them: the secrets inside are redacted at every level', () => {
    const hero = { name: 'Deadpond', secret_name: SECRET }
    const found = issues({ leader: hero, heroes: [hero, { secret_name: SECRET }] }, Team)
    assert.deepEqual(found, [
      {
        type: 'missing',
        loc: ['name'],
        msg: 'Field required',
        input: {
          leader: { name: 'Deadpond', secret_name: REDACTED },
          heroes: [{ name: 'Deadpond', secret_name: REDACTED }, { secret_name: REDACTED }],
        },
      },
      {
        type: 'missing',
        loc: ['heroes', 1, 'name'],
        msg: 'Field required',
        input: { secret_name: REDACTED },
      },
    ])
  })

  test('a nested model declared secret hides every value inside it', () => {
    const found = issues({ label: 'x', key: { name: 42, secret_name: SECRET } }, Vault)
    assert.deepEqual(found, [
      { type: 'string_type', loc: ['key', 'name'], msg: 'Input should be a valid string', input: REDACTED },
    ])
    assert.deepEqual(issues({ key: { name: 'Deadpond', secret_name: SECRET } }, Vault), [
      { type: 'missing', loc: ['label'], msg: 'Field required', input: { key: REDACTED } },
    ])
  })

  test('ValidationError.issues from validate() are redacted, and the input given is not changed', () => {
    const input = { secret_name: SECRET, age: -1 }
    const error = (() => {
      try {
        HeroCreate.validate(input)
      } catch (error) {
        return error
      }
      return assert.fail('invalid input must throw')
    })()
    assert.ok(error instanceof ValidationError)
    assert.ok(!echoed(error.issues).includes(SECRET), echoed(error.issues))
    assert.ok(!inspect(error, { depth: 10 }).includes(SECRET))
    assert.deepEqual(input, { secret_name: SECRET, age: -1 })
  })

  test('text or an array instead of an object is redacted whole: it may hold a secret', () => {
    const text = JSON.stringify(valid)
    for (const input of [text, [valid], [[valid]]]) {
      assert.deepEqual(issues(input), [
        {
          type: 'model_attributes_type',
          loc: [],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: REDACTED,
        },
      ])
    }
    assert.deepEqual(
      issues({ name: 'T', leader: text, heroes: [text, 7] }, Team).map((issue) => issue.input),
      [REDACTED, REDACTED, 7],
    )
    assert.deepEqual(
      issues(null).map((issue) => issue.input),
      [null],
      'a number, boolean or null holds no secret',
    )
  })

  test('redact() returns the input itself when it holds no secret value', () => {
    const input = { name: 'Deadpond', age: 3 }
    assert.equal(HeroCreate.redact(input), input)
    assert.equal(HeroCreate.redact(42), 42)
    assert.equal(model('Plain', { name: field.string() }).redact('text'), 'text')
    const team = { name: 'T', leader: input, heroes: [input] }
    assert.equal(Team.redact(team), team)
    assert.deepEqual(HeroCreate.redact({ ...input, secret_name: SECRET }), {
      ...input,
      secret_name: REDACTED,
    })
  })
})

describe('Model.create', () => {
  test('returns a new row of the model, with defaults, printed with the model name', () => {
    const hero = HeroCreate.create({ name: 'Deadpond', secret_name: 'Dive Wilson' })
    assert.deepEqual({ ...hero }, { name: 'Deadpond', secret_name: 'Dive Wilson', age: null })
    assert.equal(inspect(hero), "HeroCreate { name: 'Deadpond', secret_name: 'Dive Wilson', age: null }")
    assert.equal(JSON.stringify(hero), '{"name":"Deadpond","secret_name":"Dive Wilson","age":null}')
  })

  test('each row gets its own copy of an object default, and defaultFactory runs per row', () => {
    let next = 0
    const Tagged = model('Tagged', {
      tags: field.json<string[]>({ default: [] }),
      serial: field.integer({ defaultFactory: () => ++next }),
    })
    const a = Tagged.create({})
    const b = Tagged.create({})
    a.tags.push('x')
    assert.deepEqual(b.tags, [], 'mutating one row’s default does not change the next row’s')
    assert.deepEqual([a.serial, b.serial], [1, 2])
  })
})
