/** Seeds N heroes through onemodel's Session.addAll, 1,000 per Session and commit, and prints the rate. */
import { createAll, createEngine, Session } from 'onemodel-ts'
import { Hero } from '../examples/heroes/app.ts'

const [url, count = '1000'] = process.argv.slice(2)
const total = Number(count)
const engine = createEngine(url!)
await createAll(engine)
const started = performance.now()
// One Session per batch, as a request would use it: a Session's flush compares every row it tracks, so a
// single Session holding a million rows would make each commit slower than the last.
for (let done = 0; done < total; done += 1000) {
  await using session = new Session(engine)
  const batch = Math.min(1000, total - done)
  session.addAll(
    Array.from({ length: batch }, (_, i) =>
      Hero.create({ name: `Hero ${done + i}`, secret_name: `Secret ${done + i}`, age: (done + i) % 90 }),
    ),
  )
  await session.commit()
}
const seconds = (performance.now() - started) / 1000
console.log(
  `seeded ${total} heroes in ${seconds.toFixed(2)} s: ${Math.round(total / seconds)} rows/s through session.addAll`,
)
await engine.dispose()
