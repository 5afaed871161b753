/**
 * The data every RealWorld server is measured on, written straight into its SQLite file with node:sqlite
 * prepared statements in one transaction (the fastest honest path: the same rows whatever the server's
 * code), after the server created its tables and registered the bench's viewer through its own API.
 *
 * 100 authors, 50 tags, `articles` articles `seeded-article-1` … (the higher the number, the newer), each
 * with three tags and 0 to 9 favourites; the viewer follows the first 10 authors and favours every fourth
 * article. The functions below say what the API must answer about each article, for the smoke check.
 */
import { DatabaseSync } from 'node:sqlite'

export const AUTHORS = 100
export const TAGS = 50
/** The user every scenario's token belongs to, registered through each server's own API. */
export const VIEWER = { username: 'bench-viewer', email: 'viewer@bench.example', password: 'bench-password' }

const created = Date.parse('2026-01-01T00:00:00.000Z')

export const authorOf = (article: number): number => article % AUTHORS
export const slugOf = (article: number): string => `seeded-article-${article}`
export const createdAt = (article: number): string => new Date(created + article * 60_000).toISOString()
/** Tag numbers of an article: three distinct ones. */
export const tagsOf = (article: number): number[] => [
  ...new Set([article, article * 7 + 1, article * 13 + 2].map((n) => n % TAGS)),
]
export const tagName = (tag: number): string => `tag${String(tag).padStart(2, '0')}`
/** Authors who favour the article: 0 to 9 of them, distinct because 7 and 100 are coprime. */
export const favouritersOf = (article: number): number[] =>
  Array.from({ length: article % 10 }, (_, k) => (article + k * 7) % AUTHORS)
export const viewerFollows = (author: number): boolean => author < 10
export const viewerFavours = (article: number): boolean => article % 4 === 0

/** Seeds `file` (whose tables exist, with the viewer registered) and reports how long it took. */
export function seedRealworld(file: string, articles: number): string {
  const started = performance.now()
  const db = new DatabaseSync(file)
  const { id: viewer } = db.prepare('select id from user where username = ?').get(VIEWER.username) as {
    id: number
  }
  const insertUser = db.prepare(
    'insert into user (username, email, password_hash, bio, image) values (?, ?, ?, ?, ?) returning id',
  )
  const insertTag = db.prepare('insert into tag (name) values (?) returning id')
  const insertArticle = db.prepare(
    `insert into article (slug, title, description, body, author_id, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?) returning id`,
  )
  const tagArticle = db.prepare('insert into article_tag (article_id, tag_id) values (?, ?)')
  const favorite = db.prepare('insert into favorite (user_id, article_id) values (?, ?)')
  const follow = db.prepare('insert into follow (follower_id, followed_id) values (?, ?)')
  db.exec('begin')
  // Nobody logs in as a seeded author: their password hash matches no password.
  const authorIds = Array.from({ length: AUTHORS }, (_, a) => {
    const row = insertUser.get(`author${a}`, `author${a}@bench.example`, '-', `Bio of author ${a}`, null)
    return (row as { id: number }).id
  })
  const tagIds = Array.from({ length: TAGS }, (_, t) => (insertTag.get(tagName(t)) as { id: number }).id)
  for (let a = 0; a < 10; a++) follow.run(viewer, authorIds[a]!)
  for (let n = 1; n <= articles; n++) {
    const { id } = insertArticle.get(
      slugOf(n),
      `Seeded article ${n}`,
      `What seeded article ${n} is about`,
      `The body of seeded article ${n}. `.repeat(8).trim(),
      authorIds[authorOf(n)]!,
      createdAt(n),
      createdAt(n),
    ) as { id: number }
    for (const tag of tagsOf(n)) tagArticle.run(id, tagIds[tag]!)
    for (const author of favouritersOf(n)) favorite.run(authorIds[author]!, id)
    if (viewerFavours(n)) favorite.run(viewer, id)
  }
  db.exec('commit')
  db.close()
  return `seeded ${articles} articles in ${((performance.now() - started) / 1000).toFixed(2)} s`
}
