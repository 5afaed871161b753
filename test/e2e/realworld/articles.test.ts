/**
 * RealWorld's articles, favourites, feed and tags over HTTP, on every dialect: every endpoint with its
 * error answers, filters, paging totals over more than 25 articles, idempotent favourites, ownership, and
 * the number of queries an answer takes, which does not grow with the page.
 */
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { DIALECTS } from '../../support/dialects.ts'
import { draft, serveConduit, type RegisteredUser } from './conduit.ts'

const ISO_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/
const NOT_AUTHENTICATED = { status: 401, body: { errors: { body: ['Not authenticated'] } } }
const ARTICLE_NOT_FOUND = { status: 404, body: { errors: { body: ['Article not found'] } } }
const NOT_THE_AUTHOR = { status: 403, body: { errors: { body: ['You are not the author of this article'] } } }

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: RealWorld articles`, () => {
    const conduit = serveConduit(dialect)
    const { call } = conduit
    let writer: RegisteredUser
    let reader: RegisteredUser

    before(async () => {
      writer = await conduit.register('writer')
      reader = await conduit.register('reader')
    })

    test('POST /articles is a 201 with the article as its author sees it', async () => {
      const sent = {
        title: 'How to train your dragon',
        description: 'Ever wonder how?',
        body: 'Very carefully.',
      }
      const answer = await call('POST', '/articles', {
        json: { article: { ...sent, tagList: ['training', 'dragons', 'training'] } },
        token: writer.token,
      })
      assert.equal(answer.status, 201)
      const { slug, createdAt, updatedAt, ...article } = answer.body.article
      assert.match(slug, /^how-to-train-your-dragon-[0-9a-f]{8}$/)
      assert.match(createdAt, ISO_TIMESTAMP)
      assert.equal(updatedAt, createdAt)
      assert.deepEqual(article, {
        ...sent,
        tagList: ['dragons', 'training'],
        favorited: false,
        favoritesCount: 0,
        author: { username: 'writer', bio: null, image: null, following: false },
      })
      assert.deepEqual(await call('GET', `/articles/${slug}`), { status: 200, body: answer.body })
    })

    test('POST /articles inserts only the tags it does not know yet, and each once', async () => {
      // The statements on the tag table of one new article: `select`, and `insert N` for an insert of N
      // rows (a tag row is one parameter, its name).
      const tagStatements = async (tagList: string[]) => {
        const answer = await call('POST', '/articles', {
          json: { article: draft(0, tagList) },
          token: writer.token,
        })
        assert.equal(answer.status, 201, JSON.stringify(answer.body))
        assert.deepEqual(answer.body.article.tagList, [...new Set(tagList)].sort())
        return conduit
          .statements()
          .filter((line) => /^(insert into [`"]tag[`"] |select [`"]tag[`"]\.)/i.test(line))
          .map((line) => (line.startsWith('insert') ? `insert ${/-- (\d+) param/.exec(line)![1]}` : 'select'))
      }
      assert.deepEqual(await tagStatements(['first', 'second']), ['select', 'insert 2', 'select'])
      // A known name is read, not written: only the new one is inserted, once, then read.
      assert.deepEqual(await tagStatements(['first', 'third', 'third']), ['select', 'insert 1', 'select'])
      assert.deepEqual(await tagStatements(['third', 'second']), ['select'])
    })

    test('POST /articles takes the same statements whatever the number of tags', async () => {
      const names = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6']
      const post = async (tagList: string[]) => {
        const answer = await call('POST', '/articles', {
          json: { article: draft(0, tagList) },
          token: writer.token,
        })
        assert.equal(answer.status, 201, JSON.stringify(answer.body))
        // The statements' shapes: the SQL without its values, its number of rows or of IN's placeholders.
        return conduit
          .statements()
          .map((line) => line.replace(/\$\d+/g, '?').replace(/\(\?(, \?)*\)(, \(\?(, \?)*\))*|-- .*$/g, '…'))
      }
      await post(names) // the tags exist from now on
      const oneTag = await post(names.slice(0, 1))
      // The signed-in user, the tags, the article, its id, and its links: one statement for all of them.
      assert.equal(oneTag.length, 5, oneTag.join('\n'))
      assert.equal(oneTag.filter((line) => /^insert into .article_tag. /.test(line)).length, 1)
      assert.deepEqual(await post(names), oneTag)
    })

    test("POST /articles answers what reading the article gives, the author's profile and the tags as stored", async () => {
      const author = await conduit.register('profiled')
      const profile = { bio: 'Writes about dragons', image: 'https://example.com/profiled.png' }
      assert.equal((await call('PUT', '/user', { json: { user: profile }, token: author.token })).status, 200)
      // 'dragons' exists (the first test): on MySQL, whose names compare without case, 'Dragons' is that tag.
      for (const tagList of [['Dragons', 'zebras', 'apes'], []]) {
        const answer = await call('POST', '/articles', {
          json: { article: draft(1, tagList) },
          token: author.token,
        })
        assert.equal(answer.status, 201, JSON.stringify(answer.body))
        assert.deepEqual(answer.body.article.author, { username: 'profiled', ...profile, following: false })
        const read = await call('GET', `/articles/${answer.body.article.slug}`, { token: author.token })
        assert.deepEqual(read, { status: 200, body: answer.body })
      }
    })

    test('articles posted at once with the same new tag all carry it', async () => {
      // Each also brings a name of its own, so that every request inserts: the shared name is new to most
      // of them when they read, and all but one find it written by another at their insert. Timing decides
      // how many race; tags.test.ts makes the race happen on purpose.
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, n) =>
          call('POST', '/articles', {
            json: { article: draft(n, ['at-once', `own-${n}`]) },
            token: writer.token,
          }),
        ),
      )
      answers.forEach(({ status, body }, n) => {
        assert.equal(status, 201, JSON.stringify(body))
        assert.deepEqual(body.article.tagList, ['at-once', `own-${n}`])
      })
      assert.equal((await call('GET', '/articles?tag=at-once')).body.articlesCount, 40)
    })

    test('POST /articles refuses a body that does not validate (422) and a request without a token (401)', async () => {
      assert.deepEqual(
        await call('POST', '/articles', {
          json: { article: { description: 'd', body: 'b', tagList: [''] } },
          token: writer.token,
        }),
        {
          status: 422,
          body: {
            errors: { title: ['Field required'], tagList: ['String should have at least 1 character'] },
          },
        },
      )
      assert.deepEqual(await call('POST', '/articles', { json: { article: draft(0) } }), NOT_AUTHENTICATED)
    })

    test('GET /articles/{slug} of no article is a 404', async () => {
      assert.deepEqual(await call('GET', '/articles/no-such-article'), ARTICLE_NOT_FOUND)
    })

    test('PUT /articles/{slug}: only its author changes it, and a new title is a new slug', async () => {
      const { slug } = await conduit.publish(writer, draft(1))
      const change = { json: { article: { title: 'Renamed' } } }
      assert.deepEqual(
        await call('PUT', `/articles/${slug}`, { ...change, token: reader.token }),
        NOT_THE_AUTHOR,
      )
      assert.deepEqual(await call('PUT', `/articles/${slug}`, change), NOT_AUTHENTICATED)
      assert.deepEqual(
        await call('PUT', '/articles/no-such-article', { ...change, token: writer.token }),
        ARTICLE_NOT_FOUND,
      )

      const bodyOnly = await call('PUT', `/articles/${slug}`, {
        json: { article: { body: 'A new body' } },
        token: writer.token,
      })
      assert.equal(bodyOnly.status, 200)
      assert.equal(bodyOnly.body.article.slug, slug, 'the slug stays while the title does')
      assert.equal(bodyOnly.body.article.body, 'A new body')
      assert.equal(bodyOnly.body.article.title, 'Article 1')
      assert.ok(bodyOnly.body.article.updatedAt > bodyOnly.body.article.createdAt)

      const renamed = await call('PUT', `/articles/${slug}`, { ...change, token: writer.token })
      assert.match(renamed.body.article.slug, /^renamed-[0-9a-f]{8}$/)
      assert.equal(renamed.body.article.body, 'A new body')
      assert.deepEqual(await call('GET', `/articles/${slug}`), ARTICLE_NOT_FOUND)
      assert.deepEqual(
        await call('PUT', `/articles/${renamed.body.article.slug}`, {
          json: { article: { title: '' } },
          token: writer.token,
        }),
        { status: 422, body: { errors: { title: ['String should have at least 1 character'] } } },
      )
    })

    test('DELETE /articles/{slug}: only its author deletes it, with its comments, favourites and tags', async () => {
      const { slug } = await conduit.publish(writer, draft(2, ['doomed']))
      await call('POST', `/articles/${slug}/favorite`, { token: reader.token })
      await call('POST', `/articles/${slug}/comments`, {
        json: { comment: { body: 'Hi' } },
        token: reader.token,
      })
      assert.ok((await call('GET', '/tags')).body.tags.includes('doomed'))

      assert.deepEqual(await call('DELETE', `/articles/${slug}`, { token: reader.token }), NOT_THE_AUTHOR)
      assert.deepEqual(await call('DELETE', `/articles/${slug}`), NOT_AUTHENTICATED)
      assert.deepEqual(await call('DELETE', `/articles/${slug}`, { token: writer.token }), {
        status: 204,
        body: undefined,
      })
      assert.deepEqual(await call('GET', `/articles/${slug}`), ARTICLE_NOT_FOUND)
      assert.deepEqual(await call('GET', `/articles/${slug}/comments`), ARTICLE_NOT_FOUND)
      assert.deepEqual(await call('DELETE', `/articles/${slug}`, { token: writer.token }), ARTICLE_NOT_FOUND)
      assert.ok(
        !(await call('GET', '/tags')).body.tags.includes('doomed'),
        'a tag no article has is not listed',
      )
    })

    test('favouriting is idempotent, counted over every user, and flagged for the viewer only', async () => {
      const { slug } = await conduit.publish(writer, draft(3))
      const favorite = (user: RegisteredUser) =>
        call('POST', `/articles/${slug}/favorite`, { token: user.token })
      const unfavorite = (user: RegisteredUser) =>
        call('DELETE', `/articles/${slug}/favorite`, { token: user.token })
      const flags = ({ body }: { body: any }) => [body.article.favorited, body.article.favoritesCount]

      assert.deepEqual(flags(await favorite(reader)), [true, 1])
      assert.deepEqual(flags(await favorite(reader)), [true, 1], 'a second favourite is the same one')
      assert.deepEqual(flags(await favorite(writer)), [true, 2])
      assert.deepEqual(flags(await call('GET', `/articles/${slug}`)), [false, 2], 'no viewer, no flag')
      assert.deepEqual(flags(await unfavorite(reader)), [false, 1])
      assert.deepEqual(flags(await unfavorite(reader)), [false, 1], 'unfavouriting twice is harmless')
      assert.deepEqual(flags(await call('GET', `/articles/${slug}`, { token: writer.token })), [true, 1])

      assert.deepEqual(await call('POST', `/articles/${slug}/favorite`), NOT_AUTHENTICATED)
      assert.deepEqual(await call('DELETE', `/articles/${slug}/favorite`), NOT_AUTHENTICATED)
      assert.deepEqual(
        await call('POST', '/articles/no-such-article/favorite', { token: reader.token }),
        ARTICLE_NOT_FOUND,
      )
    })

    test('GET /articles filters by tag, author and who favourited, with the total of each', async () => {
      const filterer = await conduit.register('filterer')
      const dragons = await conduit.publish(filterer, draft(4, ['filter-dragons']))
      const cats = await conduit.publish(filterer, draft(5, ['filter-cats']))
      await call('POST', `/articles/${cats.slug}/favorite`, { token: reader.token })
      const slugs = async (query: string) => {
        const { status, body } = await call('GET', `/articles?${query}`)
        assert.equal(status, 200)
        return [body.articles.map((article: { slug: string }) => article.slug), body.articlesCount]
      }
      assert.deepEqual(await slugs('author=filterer'), [[cats.slug, dragons.slug], 2])
      assert.deepEqual(await slugs('tag=filter-dragons'), [[dragons.slug], 1])
      assert.deepEqual(await slugs('favorited=reader&author=filterer'), [[cats.slug], 1])
      assert.deepEqual(await slugs('tag=filter-dragons&favorited=reader'), [[], 0])
      assert.deepEqual(await slugs('author=nobody'), [[], 0])

      const listed = (await call('GET', '/articles?author=filterer')).body.articles[0]
      assert.equal(listed.body, undefined, 'a list leaves the bodies out')
      assert.deepEqual(listed.tagList, ['filter-cats'])
    })

    test('GET /articles pages newest first, with the total over 26 articles', async () => {
      const pager = await conduit.register('pager')
      const published = []
      for (let n = 1; n <= 26; n++) published.push((await conduit.publish(pager, draft(n, ['paging']))).slug)
      const newestFirst = published.toReversed()
      const page = async (query: string) => {
        const { status, body } = await call('GET', `/articles?author=pager&${query}`)
        assert.equal(status, 200)
        return {
          slugs: body.articles.map((article: { slug: string }) => article.slug),
          total: body.articlesCount,
        }
      }
      assert.deepEqual(
        await page(''),
        { slugs: newestFirst.slice(0, 20), total: 26 },
        'limit is 20 by default',
      )
      assert.deepEqual(await page('limit=10&offset=20'), { slugs: newestFirst.slice(20), total: 26 })
      assert.deepEqual(await page('limit=5&offset=5'), { slugs: newestFirst.slice(5, 10), total: 26 })
      assert.deepEqual(await page('offset=100'), { slugs: [], total: 26 })
      assert.deepEqual(await call('GET', '/articles?limit=0'), {
        status: 422,
        body: { errors: { limit: ['Input should be greater than or equal to 1'] } },
      })
      assert.deepEqual(await call('GET', '/articles?offset=-1'), {
        status: 422,
        body: { errors: { offset: ['Input should be greater than or equal to 0'] } },
      })
    })

    test('a list, the feed and an article take the same few queries whatever the page size', async () => {
      const follower = await conduit.register('counter')
      await call('POST', '/profiles/pager/follow', { token: follower.token })
      const queries = async (path: string) => {
        const { status, body } = await call('GET', path, { token: follower.token })
        assert.equal(status, 200, JSON.stringify(body))
        return conduit.statements().filter((line) => /^select /i.test(line)).length
      }
      // The signed-in user, the total, the page with its tags, counts and flags.
      assert.equal(await queries('/articles?tag=paging&limit=20'), 3)
      assert.equal(await queries('/articles?tag=paging&limit=2'), 3)
      assert.equal(await queries('/articles/feed?limit=20'), 3)
      assert.equal(await queries('/articles/feed?limit=1'), 3)
      const { slug } = (await call('GET', '/articles?author=pager&limit=1')).body.articles[0]
      assert.equal(await queries(`/articles/${slug}`), 2)
    })

    test('GET /articles/feed lists the articles of the authors the user follows, with their total', async () => {
      const fan = await conduit.register('fan')
      const star = await conduit.register('star')
      const feed = async () => {
        const { status, body } = await call('GET', '/articles/feed', { token: fan.token })
        assert.equal(status, 200)
        return [body.articles.map((article: { slug: string }) => article.slug), body.articlesCount]
      }
      assert.deepEqual(await feed(), [[], 0])
      const first = await conduit.publish(star, draft(6))
      const second = await conduit.publish(star, draft(7))
      await conduit.publish(reader, draft(8))
      assert.deepEqual(await feed(), [[], 0], 'following no one, the feed is empty')
      await call('POST', '/profiles/star/follow', { token: fan.token })
      assert.deepEqual(await feed(), [[second.slug, first.slug], 2])
      const [article] = (await call('GET', '/articles/feed', { token: fan.token })).body.articles
      assert.equal(article.author.following, true)
      await call('DELETE', '/profiles/star/follow', { token: fan.token })
      assert.deepEqual(await feed(), [[], 0])
      assert.deepEqual(await call('GET', '/articles/feed'), NOT_AUTHENTICATED)
    })

    test("bad input is a 422 in RealWorld's shape, never a 500", async () => {
      const answers = await Promise.all([
        call('POST', '/articles', { json: { article: 'x' }, token: writer.token }),
        call('POST', '/articles', {
          json: { article: { ...draft(9), title: 1, tagList: Array(21).fill('many') } },
          token: writer.token,
        }),
        call('GET', '/articles?limit=101'),
        call('GET', '/articles?limit=99999999999999999999'),
        call('GET', '/articles/%00'),
        call('GET', `/articles?tag=${'x'.repeat(5000)}`),
      ])
      assert.deepEqual(
        answers.map(({ status, body }) => [status, Object.keys(body.errors ?? body)]),
        [
          [422, ['article']],
          [422, ['title', 'tagList']],
          [422, ['limit']],
          [422, ['limit']],
          [422, ['slug']],
          [200, ['articles', 'articlesCount']],
        ],
      )
    })

    test('GET /tags lists the tags in use, once each, by name', async () => {
      const { status, body } = await call('GET', '/tags')
      assert.equal(status, 200)
      assert.deepEqual(body.tags, [...new Set(body.tags)].sort())
      assert.ok(['dragons', 'filter-cats', 'paging', 'training'].every((tag) => body.tags.includes(tag)))
    })
  })
}
