/**
 * docs/tutorial/02-data-models.md: the seed's input / table / output models. The program only declares
 * models and prints nothing, so the test also imports them and uses them as the page says, on a real file.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createAll, createEngine, Session, ValidationError } from 'onemodel-ts'
import { Hero, HeroCreate, HeroPublic } from '../../docs/tutorial/code/02-data-models.ts'
import { tempSqliteUrl } from '../support/sqlite.ts'
import { page, programSource, runProgram } from '../support/tutorial.ts'

const name = '02-data-models'

describe('tutorial: data models', () => {
  test('the program runs and prints nothing, as the seed does', () => {
    assert.equal(runProgram(name).stdout, '')
  })

  test('input validates into a table row, which the database stores and the output model trims', async () => {
    const input = HeroCreate.validate({ name: 'Deadpond', secret_name: 'Dive Wilson', id: 7 })
    assert.deepEqual(
      { ...input },
      { name: 'Deadpond', secret_name: 'Dive Wilson', age: null },
      'id is not input',
    )

    await using engine = createEngine(tempSqliteUrl())
    // The tutorial declares its table in the default metadata, as a user's app does.
    await createAll(engine)
    await using session = new Session(engine)
    const hero = Hero.validate(input)
    session.add(hero)
    await session.commit()
    assert.equal(hero.id, 1, 'the table model gets its id from the database')

    const output = HeroPublic.validate(hero)
    assert.deepEqual(
      { ...output },
      { id: 1, name: 'Deadpond', age: null },
      'secret_name is not in the output',
    )
  })

  test('the output model requires the id that the input model does not accept', () => {
    assert.throws(
      () => HeroPublic.validate({ name: 'Deadpond' }),
      (error: unknown) =>
        error instanceof ValidationError &&
        error.issues.some((issue) => issue.type === 'missing' && issue.loc[0] === 'id'),
    )
    assert.equal('id' in HeroCreate.fields, false)
    assert.deepEqual(
      Object.keys(Hero.fields),
      ['name', 'secret_name', 'age', 'id'],
      'extend() keeps field order',
    )
  })

  test('the page shows the program as it is', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
    assert.equal(page(name).output, '', 'the program prints nothing, so the page shows no output')
  })
})
