import { createEngine, Session } from 'onemodel-ts'
import { readArticlesPage } from '../../examples/realworld/reading.ts'
import { MultipleArticlesResponse } from '../../examples/realworld/models.ts'
import { jsonEncoder } from '../../src/model/json-encoder.ts'
const engine = createEngine(`sqlite:////tmp/rwp/inproc.db`)
const session = new Session(engine)
const page = await readArticlesPage(session, [], undefined, { limit: 20, offset: 0 })
const answer = page
const enc = jsonEncoder(MultipleArticlesResponse as any)
const N = 20000
for (let r = 0; r < 3; r++) {
  let t = performance.now()
  let x = 0
  for (let i = 0; i < N; i++) x += enc(answer)!.length
  const a = ((performance.now() - t) / N) * 1000
  t = performance.now()
  for (let i = 0; i < N; i++) x += JSON.stringify(answer).length
  const b = ((performance.now() - t) / N) * 1000
  console.log('encoder', a.toFixed(1), 'JSON.stringify', b.toFixed(1), x > 0)
}
const plain = JSON.parse(JSON.stringify(answer))
const withDates = JSON.parse(JSON.stringify(answer))
for (const a of withDates.articles) {
  a.createdAt = new Date(a.createdAt)
  a.updatedAt = new Date(a.updatedAt)
}
for (let r = 0; r < 3; r++) {
  let t = performance.now()
  let x = 0
  for (let i = 0; i < N; i++) x += JSON.stringify(plain).length
  const a = ((performance.now() - t) / N) * 1000
  t = performance.now()
  for (let i = 0; i < N; i++) x += JSON.stringify(withDates).length
  const b = ((performance.now() - t) / N) * 1000
  t = performance.now()
  for (let i = 0; i < N; i++) x += enc(withDates)!.length
  const c = ((performance.now() - t) / N) * 1000
  console.log(
    'plain strings',
    a.toFixed(1),
    'with Date',
    b.toFixed(1),
    'encoder on plain objs',
    c.toFixed(1),
    JSON.stringify(plain).length,
  )
}
