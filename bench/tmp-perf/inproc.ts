import { createEngine, Session } from 'onemodel-ts'
import { DatabaseSync } from 'node:sqlite'
import { readArticles, readArticlesPage } from '../../examples/realworld/reading.ts'
import { Article } from '../../examples/realworld/models.ts'
const file = '/tmp/rwp/inproc.db'
const engine = createEngine(`sqlite:///${file}`, { echo: process.env.ECHO === '1' })
const N = Number(process.env.N ?? 3000)
async function one(i: number) {
  const session = new Session(engine)
  try {
    return await readArticles(session, [Article.c.slug.eq(`seeded-article-${1 + (i % 10000)}`)], undefined)
  } finally {
    await session.close()
  }
}
async function page() {
  const session = new Session(engine)
  try {
    return await readArticlesPage(session, [], undefined, { limit: 20, offset: 0 })
  } finally {
    await session.close()
  }
}
const db = new DatabaseSync(file)
const raw = db.prepare(`select a.slug, a.title, a.description, a.body, a.created_at, a.updated_at,
  (select json_group_array(name) from (
    select t.name from article_tag x join tag t on t.id = x.tag_id where x.article_id = a.id order by t.name
  )) as tag_list,
  (select count(*) from favorite f where f.article_id = a.id) as favorites_count,
  exists (select 1 from favorite f where f.article_id = a.id and f.user_id = :viewer) as favorited,
  u.username, u.bio, u.image,
  exists (select 1 from follow w where w.follower_id = :viewer and w.followed_id = a.author_id) as following
from article a join user u on u.id = a.author_id where a.slug = :slug`)
if (process.env.ECHO === '1') {
  await one(1)
  await page()
  process.exit(0)
}
for (let round = 0; round < 3; round++) {
  let t = performance.now()
  for (let i = 0; i < N; i++) await one(i)
  const om = ((performance.now() - t) / N) * 1000
  t = performance.now()
  for (let i = 0; i < N; i++) {
    const r = raw.get({ slug: `seeded-article-${1 + (i % 10000)}`, viewer: null }) as any
    JSON.stringify({ article: { ...r, tagList: JSON.parse(r.tag_list) } })
  }
  const rw = ((performance.now() - t) / N) * 1000
  t = performance.now()
  for (let i = 0; i < N / 10; i++) await page()
  const pg = ((performance.now() - t) / (N / 10)) * 1000
  console.log(
    `get_one onemodel ${om.toFixed(1)} µs  raw ${rw.toFixed(1)} µs   page onemodel ${pg.toFixed(1)} µs`,
  )
}
for (const [k, [n, t]] of (globalThis as any).__T) console.log(n, ((t / n) * 1000).toFixed(1), 'µs', k)
{
  const [n, t] = (globalThis as any).__A
  console.log('all() only', n, ((t / n) * 1000).toFixed(1))
}
