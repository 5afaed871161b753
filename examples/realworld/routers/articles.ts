/**
 * Articles, the feed and favourites. The lists filter by tag, author and who favourited, and page with a
 * total: each answer is a fixed number of queries (see `reading.ts`), whatever the page size. Only an
 * article's author may change or delete it (403 for anyone else).
 */
import { randomUUID } from 'node:crypto'
import {
  bindParam,
  body,
  createRouter,
  DeadlockError,
  deleteFrom,
  HTTPError,
  insert,
  path,
  query,
  select,
  type Session,
} from 'onemodel-ts'
import type { ConduitDependencies } from '../dependencies.ts'
import {
  Article,
  ArticleTag,
  ArticleUpdate,
  Favorite,
  Follow,
  MultipleArticlesResponse,
  NewArticleRequest,
  SingleArticleResponse,
  Tag,
  UpdateArticleRequest,
  User,
} from '../models.ts'
import {
  type ArticleFilter,
  newArticlePublic,
  readArticle,
  readArticleId,
  readArticlesPage,
} from '../reading.ts'

/**
 * A slug from the title, with a random suffix so that two articles of one title both get one:
 * `How to train your dragon` → `how-to-train-your-dragon-1f2e3d4c`.
 */
export function slugOf(title: string): string {
  const words = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 200)
  // A v4 UUID's first eight hex digits are random. randomUUID() takes them from a cache of random bytes,
  // where randomBytes(4) asks OpenSSL each time (~0.3 µs against ~2–3).
  return `${words || 'article'}-${randomUUID().slice(0, 8)}`
}

/**
 * `transaction`, run again when the database rolled it back to break a deadlock, three times in all.
 * Articles that bring new tags at once can deadlock on MySQL, where InnoDB's insert of a duplicate tag
 * locks the gap beside it, which another article's new tag waits to insert into. A lock wait that timed
 * out goes through: run again, it would wait as long once more.
 *
 * @example
 * const tags = await runAgainOnDeadlock(() => session.transaction(async () => tagsNamed(session, names)))
 */
export async function runAgainOnDeadlock<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction()
    } catch (error) {
      if (!(error instanceof DeadlockError) || attempt === 3) throw error
    }
  }
}

/** The article of a slug, built once: a request only binds its slug. */
const articleRowBySlug = select(Article).where(Article.c.slug.eq(bindParam('slug')))

/**
 * A favourite, built once: a request binds the user and the article. Favouriting twice is one favourite:
 * the primary key (user, article) makes the second insert nothing.
 */
const newFavorite = insert(Favorite)
  .values({ user_id: bindParam('user'), article_id: bindParam('article') })
  .onConflict({ target: ['user_id', 'article_id'] })
  .doNothing()

/** A new article, built once: a request binds its values, each named as its column. */
const newArticle = insert(Article).values({
  slug: bindParam('slug'),
  title: bindParam('title'),
  description: bindParam('description'),
  body: bindParam('body'),
  author_id: bindParam('author_id'),
  created_at: bindParam('created_at'),
  updated_at: bindParam('updated_at'),
})

/**
 * The tags of these names, created where they do not exist yet. Most tags of a new article are known: one
 * query finds them, and only a name it did not find costs an insert and a read. None for no name.
 *
 * @example
 * const tags = await tagsNamed(session, ['dragons', 'training']) // in the article's transaction
 */
export async function tagsNamed(session: Session, names: readonly string[]) {
  const unique = [...new Set(names)]
  if (unique.length === 0) return []
  const known = await session.exec(select(Tag).where(Tag.c.name.in(unique))).all()
  if (known.length === unique.length) return known
  const found = new Set(known.map((tag) => tag.name))
  // In one order for every request: two that bring the same new names lock them in the same order, so
  // neither waits for a name the other holds while holding one it waits for (a deadlock).
  const missing = unique.filter((name) => !found.has(name)).sort()
  // Two articles may bring a new tag at the same moment: the second insert does nothing.
  await session.exec(
    insert(Tag)
      .values(missing.map((name) => ({ name })))
      .onConflict({ target: 'name' })
      .doNothing(),
  )
  // A locking read sees the other's tag: on MySQL a plain read keeps the snapshot of the transaction's
  // first read (REPEATABLE READ), taken before the other committed it.
  const created = await session.exec(select(Tag).where(Tag.c.name.in(missing)).forUpdate()).all()
  // Once each: on MySQL, names apart only in case are one tag, which both reads find.
  return [...new Set([...known, ...created])]
}

/**
 * The articles router.
 *
 * @example
 * app.include(articlesRouter(dependencies), { prefix: '/api' })
 */
export function articlesRouter({ getSession, currentUser, optionalUser }: ConduitDependencies) {
  const router = createRouter({ prefix: '/articles' })
  const offset = query.integer({ default: 0, ge: 0 })
  // The spec sets no upper bound; one keeps a request from asking for the whole table at once.
  const limit = query.integer({ default: 20, ge: 1, le: 100 })

  /** The article of this slug as the viewer sees it, in the `{"article": …}` envelope; 404 without one. */
  async function articleAnswer(session: Session, slug: string, viewer: User | undefined) {
    const article = await readArticle(session, slug, viewer)
    return { article: article ?? HTTPError.raise(404, 'Article not found') }
  }

  /** The article of this slug, any author's; 404 without one. */
  async function anyArticle(session: Session, slug: string) {
    const article = await session.exec(articleRowBySlug, { params: { slug } }).first()
    return article ?? HTTPError.raise(404, 'Article not found')
  }

  /** The article of this slug, which `user` must have written: 404 without one, 403 for another's. */
  async function ownArticle(session: Session, slug: string, user: User) {
    const article = await anyArticle(session, slug)
    if (article.author_id !== user.id) HTTPError.raise(403, 'You are not the author of this article')
    return article
  }

  router.get(
    '',
    {
      tags: ['Articles'],
      params: {
        tag: query.string({ optional: true, description: 'Filter by tag' }),
        author: query.string({ optional: true, description: 'Filter by author (username)' }),
        favorited: query.string({ optional: true, description: 'Filter by favorites of a user (username)' }),
        offset,
        limit,
        viewer: optionalUser,
        session: getSession,
      },
      response: MultipleArticlesResponse,
    },
    async function listArticles({ tag, author, favorited, offset, limit, viewer, session }) {
      const filters: ArticleFilter[] = []
      if (tag !== undefined) filters.push(Article.rel.tags.any(Tag.c.name.eq(tag)))
      if (author !== undefined) filters.push(Article.rel.author.has(User.c.username.eq(author)))
      if (favorited !== undefined) filters.push(Article.rel.favoritedBy.any(User.c.username.eq(favorited)))
      return readArticlesPage(session, filters, viewer?.user, { limit, offset })
    },
  )

  router.get(
    '/feed',
    {
      tags: ['Articles'],
      params: { offset, limit, me: currentUser, session: getSession },
      response: MultipleArticlesResponse,
    },
    async function feed({ offset, limit, me, session }) {
      const followed = select(Follow.c.followed_id).where(Follow.c.follower_id.eq(me.user.id))
      return readArticlesPage(session, [Article.c.author_id.in(followed)], me.user, { limit, offset })
    },
  )

  router.post(
    '',
    {
      tags: ['Articles'],
      params: { request: body(NewArticleRequest), me: currentUser, session: getSession },
      response: SingleArticleResponse,
      status: 201,
    },
    async function createArticle({ request: { article }, me, session }) {
      const { tagList, ...fields } = article
      // One instant for both: two defaults would read the clock twice, a millisecond apart at times.
      const created = new Date()
      const written = {
        ...fields,
        slug: slugOf(fields.title),
        author_id: me.user.id,
        created_at: created,
        updated_at: created,
      }
      // Its new tags, the article and its tags' links go in together: one transaction, one commit. They
      // are written with statements, not session.add(): nothing changes them before the answer, so the
      // unit of work would track them for a flush that only inserts.
      const tags = await runAgainOnDeadlock(() =>
        session.transaction(async () => {
          const tags = await tagsNamed(session, tagList)
          await session.exec(newArticle, { params: written })
          // insert() answers a count (MySQL has no RETURNING): the new id is read back by the slug, unique.
          const articleId = (await readArticleId(session, written.slug))!
          if (tags.length > 0) {
            await session.exec(
              insert(ArticleTag).values(tags.map((tag) => ({ article_id: articleId, tag_id: tag.id }))),
            )
          }
          return tags
        }),
      )
      return { article: newArticlePublic({ ...written, tags }, me.user) }
    },
  )

  router.get(
    '/{slug}',
    {
      tags: ['Articles'],
      params: { slug: path.string(), viewer: optionalUser, session: getSession },
      response: SingleArticleResponse,
    },
    function readArticle({ slug, viewer, session }) {
      return articleAnswer(session, slug, viewer?.user)
    },
  )

  router.put(
    '/{slug}',
    {
      tags: ['Articles'],
      params: {
        slug: path.string(),
        request: body(UpdateArticleRequest),
        me: currentUser,
        session: getSession,
      },
      response: SingleArticleResponse,
    },
    async function updateArticle({ slug, request: { article }, me, session }) {
      const dbArticle = await ownArticle(session, slug, me.user)
      const changes = ArticleUpdate.dump(article, { excludeUnset: true })
      // A new title is a new slug, as RealWorld's API has it.
      const { title } = changes
      const newSlug = title === undefined || title === dbArticle.title ? dbArticle.slug : slugOf(title)
      Article.update(dbArticle, { ...changes, slug: newSlug, updated_at: new Date() })
      await session.commit()
      return articleAnswer(session, dbArticle.slug, me.user)
    },
  )

  router.delete(
    '/{slug}',
    {
      tags: ['Articles'],
      params: { slug: path.string(), me: currentUser, session: getSession },
      status: 204,
    },
    async function deleteArticle({ slug, me, session }) {
      // Its tags' and favourites' link rows go with it, and its comments by their foreign key's cascade.
      await session.delete(await ownArticle(session, slug, me.user))
      await session.commit()
    },
  )

  router.post(
    '/{slug}/favorite',
    {
      tags: ['Favorites'],
      params: { slug: path.string(), me: currentUser, session: getSession },
      response: SingleArticleResponse,
    },
    async function favoriteArticle({ slug, me, session }) {
      const articleId = (await readArticleId(session, slug)) ?? HTTPError.raise(404, 'Article not found')
      await session.exec(newFavorite, { params: { user: me.user.id, article: articleId } })
      await session.commit()
      return articleAnswer(session, slug, me.user)
    },
  )

  router.delete(
    '/{slug}/favorite',
    {
      tags: ['Favorites'],
      params: { slug: path.string(), me: currentUser, session: getSession },
      response: SingleArticleResponse,
    },
    async function unfavoriteArticle({ slug, me, session }) {
      const articleId = (await readArticleId(session, slug)) ?? HTTPError.raise(404, 'Article not found')
      await session.exec(
        deleteFrom(Favorite).where(Favorite.c.user_id.eq(me.user.id), Favorite.c.article_id.eq(articleId)),
      )
      await session.commit()
      return articleAnswer(session, slug, me.user)
    },
  )

  return router
}
