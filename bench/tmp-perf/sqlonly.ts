import { DatabaseSync } from 'node:sqlite'
const db = new DatabaseSync('/tmp/rwp/inproc.db')
if (process.env.PR) {
  db.exec('pragma busy_timeout = 5000')
  db.exec('pragma journal_mode = wal')
  db.exec('pragma synchronous = normal')
  db.exec('pragma foreign_keys = on')
}
const a = db.prepare(
  `select "article"."title", "article"."description", "article"."body", "article"."id", "article"."slug", "article"."author_id", "article"."created_at", "article"."updated_at", "user"."username", "user"."email", "user"."id", "user"."password_hash", "user"."bio", "user"."image", (select count(*) as "count_1" from "favorite" where "favorite"."article_id" = "article"."id") as "favorites_count", (select count(*) as "count_1" from "favorite" where ("favorite"."article_id" = "article"."id" and 1 = 0)) as "favorited", (select count(*) as "count_1" from "follow" where ("follow"."followed_id" = "user"."id" and 1 = 0)) as "following" from "article" inner join "user" on "article"."author_id" = "user"."id" where "article"."slug" = ?`,
)
a.setReturnArrays?.(true)
const b = db.prepare(
  `select "article_tag"."article_id", "tag"."name" from "article_tag" inner join "tag" on "article_tag"."tag_id" = "tag"."id" where "article_tag"."article_id" in (?) order by "tag"."name" asc`,
)
b.setReturnArrays?.(true)
const N = 5000
for (let r = 0; r < 3; r++) {
  let t = performance.now()
  for (let i = 0; i < N; i++) a.all(`seeded-article-${1 + (i % 10000)}`)
  const ta = ((performance.now() - t) / N) * 1000
  t = performance.now()
  for (let i = 0; i < N; i++) b.all(1 + (i % 10000))
  const tb = ((performance.now() - t) / N) * 1000
  console.log('main', ta.toFixed(1), 'tags', tb.toFixed(1))
}
console.log(db.prepare('select sqlite_version() v').get())
for (let r = 0; r < 3; r++) {
  let ta = 0,
    tb = 0
  for (let i = 0; i < N; i++) {
    let t = performance.now()
    a.all(`seeded-article-${1 + (i % 10000)}`)
    ta += performance.now() - t
    t = performance.now()
    b.all(1 + (i % 10000))
    tb += performance.now() - t
    const junk = []
    for (let j = 0; j < Number(process.env.JUNK ?? 300); j++) junk.push({ j, s: 'x' + j })
  }
  console.log('interleaved main', ((ta / N) * 1000).toFixed(1), 'tags', ((tb / N) * 1000).toFixed(1))
}
