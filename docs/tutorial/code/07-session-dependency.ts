import assert from 'node:assert/strict'
import { createAll, createEngine, Session } from 'onemodel-ts'
import { Hero, heroesApp } from '../../../examples/heroes/app.ts'

const { app, getSession } = heroesApp()

// The test database: in memory, so every run starts empty.
const testEngine = createEngine('sqlite://')
await createAll(testEngine)

app.dependencyOverrides.set(getSession, async function* getTestSession() {
  await using session = new Session(testEngine)
  yield session
})

// The data the tests start from, written straight to the test database.
{
  await using session = new Session(testEngine)
  session.addAll([
    Hero.create({ name: 'Deadpond', secret_name: 'Dive Wilson' }),
    Hero.create({ name: 'Rusty-Man', secret_name: 'Tommy Sharp', age: 48 }),
  ])
  await session.commit()
}

// Read the heroes
{
  const response = await app.inject({ method: 'GET', url: '/heroes/' })
  assert.equal(response.statusCode, 200)
  assert.deepEqual(response.json(), [
    { name: 'Deadpond', age: null, id: 1 },
    { name: 'Rusty-Man', age: 48, id: 2 },
  ])
  console.log('ok - read heroes')
}

// Create a hero
{
  const response = await app.inject({
    method: 'POST',
    url: '/heroes/',
    payload: { name: 'Spider-Boy', secret_name: 'Pedro Parqueador', age: 16 },
  })
  assert.equal(response.statusCode, 200)
  assert.deepEqual(response.json(), { name: 'Spider-Boy', age: 16, id: 3 })

  await using session = new Session(testEngine)
  const hero = await session.get(Hero, 3)
  assert.equal(hero?.secret_name, 'Pedro Parqueador')
  console.log('ok - create hero')
}

// Create an incomplete hero
{
  const response = await app.inject({ method: 'POST', url: '/heroes/', payload: { name: 'Deadpond' } })
  assert.equal(response.statusCode, 422)
  assert.deepEqual(response.json().detail[0].loc, ['body', 'secret_name'])
  console.log('ok - create incomplete hero')
}

// Update a hero
{
  const response = await app.inject({ method: 'PATCH', url: '/heroes/1', payload: { name: 'Deadpuddle' } })
  assert.equal(response.statusCode, 200)
  assert.deepEqual(response.json(), { name: 'Deadpuddle', age: null, id: 1 })
  console.log('ok - update hero')
}

// Delete a hero
{
  const response = await app.inject({ method: 'DELETE', url: '/heroes/2' })
  assert.equal(response.statusCode, 200)
  assert.deepEqual(response.json(), { ok: true })

  await using session = new Session(testEngine)
  assert.equal(await session.get(Hero, 2), undefined)
  console.log('ok - delete hero')
}

app.dependencyOverrides.clear()
await app.close()
await testEngine.dispose()
