import { DatabaseSync } from 'node:sqlite'
const db = new DatabaseSync('/tmp/rwp/inproc.db')
if (process.env.PRAGMA) for (const p of process.env.PRAGMA.split(';')) db.exec(`pragma ${p}`)
const a = db.prepare(
  `select "article"."title", "article"."description", "article"."body", "article"."id", "article"."slug", "article"."author_id", "article"."created_at", "article"."updated_at", "user"."username", "user"."email", "user"."id", "user"."password_hash", "user"."bio", "user"."image", (select count(*) as "count_1" from "favorite" where "favorite"."article_id" = "article"."id") as "favorites_count", (select count(*) as "count_1" from "favorite" where ("favorite"."article_id" = "article"."id" and 1 = 0)) as "favorited", (select count(*) as "count_1" from "follow" where ("follow"."followed_id" = "user"."id" and 1 = 0)) as "following" from "article" inner join "user" on "article"."author_id" = "user"."id" where "article"."slug" = ?`,
)
a.setReturnArrays(true)
const b = db.prepare(
  `select "article_tag"."article_id", "tag"."name" from "article_tag" inner join "tag" on "article_tag"."tag_id" = "tag"."id" where "article_tag"."article_id" in (?) order by "tag"."name" asc`,
)
b.setReturnArrays(true)
const page = db.prepare(
  `select "article"."title", "article"."description", "article"."body", "article"."id", "article"."slug", "article"."author_id", "article"."created_at", "article"."updated_at", "user"."username", "user"."email", "user"."id", "user"."password_hash", "user"."bio", "user"."image", (select count(*) as "count_1" from "favorite" where "favorite"."article_id" = "article"."id") as "favorites_count", (select count(*) as "count_1" from "favorite" where ("favorite"."article_id" = "article"."id" and 1 = 0)) as "favorited", (select count(*) as "count_1" from "follow" where ("follow"."followed_id" = "user"."id" and 1 = 0)) as "following" from "article" inner join "user" on "article"."author_id" = "user"."id" order by "article"."created_at" desc, "article"."id" desc limit ? offset ?`,
)
page.setReturnArrays(true)
const N = 20000
for (let r = 0; r < 3; r++) {
  let t = performance.now()
  for (let i = 0; i < N; i++) {
    const id = 1 + Math.floor(Math.random() * 10000)
    a.all(`seeded-article-${id}`)
    b.all(id)
  }
  const ta = ((performance.now() - t) / N) * 1000
  t = performance.now()
  for (let i = 0; i < 2000; i++) page.all(20, 0)
  console.log('random get_one', ta.toFixed(1), 'page', (((performance.now() - t) / 2000) * 1000).toFixed(1))
}
