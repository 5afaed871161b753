/**
 * How the answers are read: an article with its author, tags, favourites count and the viewer's flags, a
 * profile with the viewer's `following`. Each read is a fixed number of queries whatever the number of
 * rows: the counts and flags are subqueries of the one query that reads the rows, and the tags of a whole
 * page are one more query.
 */
import { count, type Condition, select, type Session } from 'onemodel-ts'
import { Article, ArticleTag, Comment, Favorite, Follow, Tag, User, type ArticlePublic } from './models.ts'

/** A condition on articles: the filters of a list, the slug of one. */
export type ArticleFilter = Condition<'article'>

/**
 * The viewer's id, as a list for `in()`: without a viewer it is empty, and `in([])` matches no row, so
 * the viewer's flags are false.
 */
function viewerIds(viewer: User | undefined): number[] {
  return viewer === undefined ? [] : [viewer.id]
}

/** How many of the viewer's follows are of the user the enclosing query reads: 0 or 1, so `> 0` is the flag. */
function followedByViewer(viewer: User | undefined) {
  return select(count())
    .selectFrom(Follow)
    .correlate(User)
    .where(Follow.c.followed_id.eq(User.c.id), Follow.c.follower_id.in(viewerIds(viewer)))
    .scalarSubquery()
}

/**
 * A user as the viewer sees them.
 *
 * @example
 * profileOf(user, true) // { username: 'jake', bio: null, image: null, following: true }
 */
export function profileOf(user: User, following: boolean) {
  return { username: user.username, bio: user.bio, image: user.image, following }
}

/**
 * The user named `username` and how many of the viewer's follows are of them (0 or 1), in one query;
 * `undefined` when there is no such user.
 *
 * @example
 * const [user, follows] = (await readProfile(session, 'jake', viewer)) ?? HTTPError.raise(404)
 */
export function readProfile(session: Session, username: string, viewer: User | undefined) {
  return session
    .exec(select(User, followedByViewer(viewer).as('following')).where(User.c.username.eq(username)))
    .first()
}

/**
 * The comments of an article with their authors and whether the viewer follows each, oldest first, in one
 * query.
 *
 * @example
 * for (const [comment, author, following] of await readComments(session, article.id, viewer)) …
 */
export function readComments(session: Session, articleId: number, viewer: User | undefined) {
  return session
    .exec(
      select(Comment, User, followedByViewer(viewer).as('following'))
        .join(User)
        .where(Comment.c.article_id.eq(articleId))
        .orderBy(Comment.c.created_at, Comment.c.id),
    )
    .all()
}

/** Where the page of a list starts and how long it is. */
export interface Page {
  readonly limit: number
  readonly offset: number
}

/**
 * The articles that meet every filter as the viewer sees them: two queries whatever the page size, the rows
 * with their counts and flags, then the tags of them all (left out when there is no row). A page is newest
 * first; without one, every article that meets the filters is read, in no order: one by its slug reads
 * through the slug's index, where ordering would have SQLite walk the articles by date to find it.
 *
 * @example
 * const [article] = await readArticles(session, [Article.c.slug.eq(slug)], viewer)
 */
export async function readArticles(
  session: Session,
  filters: readonly ArticleFilter[],
  viewer: User | undefined,
  page?: Page,
): Promise<ArticlePublic[]> {
  const favoritesOf = select(count()).selectFrom(Favorite).correlate(Article)
  const favoritesCount = favoritesOf.where(Favorite.c.article_id.eq(Article.c.id)).scalarSubquery()
  const favorited = favoritesOf
    .where(Favorite.c.article_id.eq(Article.c.id), Favorite.c.user_id.in(viewerIds(viewer)))
    .scalarSubquery()
  const matching = select(
    Article,
    User,
    favoritesCount.as('favorites_count'),
    favorited.as('favorited'),
    followedByViewer(viewer).as('following'),
  )
    .join(User)
    .where(...filters)
  const rows = await session
    .exec(
      page === undefined
        ? matching
        : matching
            .orderBy(Article.c.created_at.desc(), Article.c.id.desc())
            .limit(page.limit)
            .offset(page.offset),
    )
    .all()
  const tagLists = await readTagLists(
    session,
    rows.map(([article]) => article.id),
  )
  return rows.map(([article, author, favoritesCount, favorited, following]) => ({
    slug: article.slug,
    title: article.title,
    description: article.description,
    body: article.body,
    tagList: tagLists.get(article.id) ?? [],
    createdAt: article.created_at,
    updatedAt: article.updated_at,
    favorited: favorited > 0,
    favoritesCount,
    author: profileOf(author, following > 0),
  }))
}

/**
 * A page of the articles that meet every filter, with how many there are in all (`articlesCount`): three
 * queries whatever the page size.
 *
 * @example
 * const dragons = [Article.rel.tags.any(Tag.c.name.eq('dragons'))]
 * const { articles, articlesCount } = await readArticlesPage(session, dragons, viewer, { limit: 20, offset: 0 })
 */
export async function readArticlesPage(
  session: Session,
  filters: readonly ArticleFilter[],
  viewer: User | undefined,
  page: Page,
) {
  return {
    articles: await readArticles(session, filters, viewer, page),
    articlesCount: await session.count(select(Article).where(...filters)),
  }
}

/** The tag names of each article, by name, in one query. */
async function readTagLists(session: Session, articleIds: readonly number[]): Promise<Map<number, string[]>> {
  if (articleIds.length === 0) return new Map()
  const rows = await session
    .exec(
      select(ArticleTag.c.article_id, Tag.c.name)
        .join(Tag)
        .where(ArticleTag.c.article_id.in(articleIds))
        .orderBy(Tag.c.name),
    )
    .all()
  const lists = new Map<number, string[]>()
  for (const [articleId, name] of rows) {
    const list = lists.get(articleId)
    if (list) list.push(name)
    else lists.set(articleId, [name])
  }
  return lists
}
