import { count, select } from 'onemodel-ts'
import { Article, Favorite, Follow, User, ArticleTag, Tag } from '../../examples/realworld/models.ts'
import { shapeOf } from '../../src/orm/shape.ts'
function build(slug: string) {
  const favoritesOf = select(count()).selectFrom(Favorite).correlate(Article)
  const favoritesCount = favoritesOf.where(Favorite.c.article_id.eq(Article.c.id)).scalarSubquery()
  const favorited = favoritesOf
    .where(Favorite.c.article_id.eq(Article.c.id), Favorite.c.user_id.in([]))
    .scalarSubquery()
  const following = select(count())
    .selectFrom(Follow)
    .correlate(User)
    .where(Follow.c.followed_id.eq(User.c.id), Follow.c.follower_id.in([]))
    .scalarSubquery()
  return select(
    Article,
    User,
    favoritesCount.as('favorites_count'),
    favorited.as('favorited'),
    following.as('following'),
  )
    .join(User)
    .where(Article.c.slug.eq(slug))
}
const tags = (id: number) =>
  select(ArticleTag.c.article_id, Tag.c.name)
    .join(Tag)
    .where(ArticleTag.c.article_id.in([id]))
    .orderBy(Tag.c.name)
const N = 20000
for (let r = 0; r < 4; r++) {
  let t = performance.now()
  const qs = []
  for (let i = 0; i < N; i++) qs.push(build('s' + i))
  const b = ((performance.now() - t) / N) * 1000
  t = performance.now()
  for (let i = 0; i < N; i++) shapeOf(qs[i]!, [], true)
  const s = ((performance.now() - t) / N) * 1000
  t = performance.now()
  const ts = []
  for (let i = 0; i < N; i++) ts.push(tags(i))
  const tb = ((performance.now() - t) / N) * 1000
  t = performance.now()
  for (let i = 0; i < N; i++) shapeOf(ts[i]!, [], true)
  const tsh = ((performance.now() - t) / N) * 1000
  console.log(
    `main build ${b.toFixed(2)} shape ${s.toFixed(2)}   tags build ${tb.toFixed(2)} shape ${tsh.toFixed(2)} µs`,
  )
}
console.log(shapeOf(build('x'), [], true))
