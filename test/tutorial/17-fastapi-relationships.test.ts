/**
 * docs/tutorial/17-fastapi-relationships.md: SQLModel's "Models with Relationships in FastAPI", served on a
 * free port and called with fetch. Response models that nest relationships are loaded by the route, one
 * query per level; the program writes each call to stderr before its echoed SQL, so the queries of each
 * call are counted here.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { assertEchoed, page, programSource, runProgram } from '../support/tutorial.ts'

const name = '17-fastapi-relationships'

const preventers = '"name":"Preventers","headquarters":"Sharp Tower","id":1'
const zForce = `"name":"Z-Force","headquarters":"Sister Margaret's Bar","id":2`
const deadpond = '"name":"Deadpond","secret_name":"Dive Wilson","age":null,"team_id":2,"id":1'
const rustyMan = '"name":"Rusty-Man","secret_name":"Tommy Sharp","age":48,"team_id":1,"id":2'
const spiderBoy = '"name":"Spider-Boy","secret_name":"Pedro Parqueador","age":null,"team_id":null,"id":3'
const blackLion = '"name":"Black Lion","secret_name":"Trevor Challa","age":35,"team_id":1,"id":4'

const printed =
  [
    `POST /teams/ 200 {${preventers}}`,
    `POST /teams/ 200 {${zForce}}`,
    `POST /heroes/ 200 {${deadpond}}`,
    `POST /heroes/ 200 {${rustyMan}}`,
    `POST /heroes/ 200 {${spiderBoy}}`,
    `POST /heroes/ 200 {${blackLion}}`,
    `GET /heroes/2 200 {${rustyMan},"team":{${preventers}}}`,
    `GET /heroes/3 200 {${spiderBoy},"team":null}`,
    `GET /teams/1 200 {${preventers},"heroes":[{${rustyMan}},{${blackLion}}]}`,
    `GET /teams/ 200 [{${preventers},"heroes":[{${rustyMan}},{${blackLion}}]},{${zForce},"heroes":[{${deadpond}}]}]`,
    `GET /heroes/2/teammates 200 [{${blackLion}}]`,
  ].join('\n') + '\n'

/** The selects each call ran, by its `-- GET /path` line on stderr. */
function selectsByCall(stderr: string): Map<string, number> {
  const counts = new Map<string, number>()
  let call = ''
  for (const line of stderr.split('\n')) {
    if (line.startsWith('-- ')) counts.set((call = line.slice(3)), 0)
    else if (call && /^select/i.test(line)) counts.set(call, counts.get(call)! + 1)
  }
  return counts
}

describe('tutorial: models with relationships in FastAPI', () => {
  test('heroes with their team and teams with their heroes, one query per level', () => {
    const { stdout, stderr } = runProgram(name)
    assert.equal(stdout, printed)
    const selects = selectsByCall(stderr)
    assert.equal(selects.get('GET /heroes/2'), 2, 'the hero, then its team')
    assert.equal(selects.get('GET /heroes/3'), 1, 'a hero of no team: no team to read')
    assert.equal(selects.get('GET /teams/1'), 2, 'the team, then its heroes')
    assert.equal(selects.get('GET /teams/'), 2, 'the teams, then the heroes of all of them')
    assert.equal(selects.get('GET /heroes/2/teammates'), 3, 'the hero, its team, its teammates')
  })

  test('the page shows the program as it is, what it prints, and the SQL it echoes', () => {
    assert.equal(page(name).code, programSource(name), 'the page code blocks drifted from the program')
    assert.equal(page(name).output, printed)
    assertEchoed(name, runProgram(name).stderr)
  })
})
