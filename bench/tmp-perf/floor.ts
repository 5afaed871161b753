// Fastify's own cost on get_one: the raw baseline's statement and JSON, served by node:http or by Fastify.
import { createServer } from 'node:http'
import { DatabaseSync } from 'node:sqlite'
import Fastify from 'fastify'
const db = new DatabaseSync('/tmp/rwp/inproc.db')
const st = db.prepare(`select a.slug, a.title, a.description, a.body, a.created_at, a.updated_at,
  (select json_group_array(name) from (
    select t.name from article_tag x join tag t on t.id = x.tag_id where x.article_id = a.id order by t.name
  )) as tag_list,
  (select count(*) from favorite f where f.article_id = a.id) as favorites_count,
  exists (select 1 from favorite f where f.article_id = a.id and f.user_id = :viewer) as favorited,
  u.username, u.bio, u.image,
  exists (select 1 from follow w where w.follower_id = :viewer and w.followed_id = a.author_id) as following
from article a join user u on u.id = a.author_id where a.slug = :slug`)
function answer(slug: string) {
  const r = st.get({ slug, viewer: null }) as any
  return JSON.stringify({
    article: {
      slug: r.slug,
      title: r.title,
      description: r.description,
      body: r.body,
      tagList: JSON.parse(r.tag_list),
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      favorited: r.favorited === 1,
      favoritesCount: r.favorites_count,
      author: { username: r.username, bio: r.bio, image: r.image, following: r.following === 1 },
    },
  })
}
if (process.env.KIND === 'raw') {
  createServer((req, res) => {
    const slug = req.url!.slice('/api/articles/'.length)
    const body = answer(slug)
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    })
    res.end(body)
  }).listen(8131, '127.0.0.1')
} else {
  const app = Fastify()
  app.get('/api/articles/:slug', async (req, reply) => {
    reply.type('application/json; charset=utf-8')
    return answer((req.params as any).slug)
  })
  app.get('/api/articles', async () => 'x')
  await app.listen({ port: 8131, host: '127.0.0.1' })
}
