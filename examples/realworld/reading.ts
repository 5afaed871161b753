/**
 * How the answers are read: an article with its author, tags, favourites count and the viewer's flags, a
 * profile with the viewer's `following`. Each read is one query whatever the number of rows (a page adds
 * its total): the tags, counts and flags are subqueries of the query that reads the rows. The queries are
 * built once, here, with `bindParam()` where a request's values go, so a request only binds its values.
 * A new article's answer alone is built from what was written, with no query (`newArticlePublic()`).
 */
import { bindParam, count, type Condition, select, type Session } from 'onemodel-ts'
import { Article, ArticleTag, Comment, Favorite, Follow, Tag, User, type ArticlePublic } from './models.ts'

/** A condition on articles: the filters of a list. */
export type ArticleFilter = Condition<'article'>

/** The `viewer` parameter: the viewer's id, or `null` for nobody, which no id equals, so the flags are 0. */
function viewerId(viewer: User | undefined): number | null {
  return viewer === undefined ? null : viewer.id
}

/** How many of the viewer's follows are of the user the enclosing query reads: 0 or 1, so `> 0` is the flag. */
const followedByViewer = select(count())
  .selectFrom(Follow)
  .correlate(User)
  .where(Follow.c.followed_id.eq(User.c.id), Follow.c.follower_id.eq(bindParam('viewer')))
  .scalarSubquery()

/**
 * A user as the viewer sees them.
 *
 * @example
 * profileOf(user, true) // { username: 'jake', bio: null, image: null, following: true }
 */
export function profileOf(user: User, following: boolean) {
  return { username: user.username, bio: user.bio, image: user.image, following }
}

const profileNamed = select(User, followedByViewer.as('following')).where(
  User.c.username.eq(bindParam('username')),
)

/**
 * The user named `username` and how many of the viewer's follows are of them (0 or 1), in one query;
 * `undefined` when there is no such user.
 *
 * @example
 * const [user, follows] = (await readProfile(session, 'jake', viewer)) ?? HTTPError.raise(404)
 */
export function readProfile(session: Session, username: string, viewer: User | undefined) {
  return session.exec(profileNamed, { params: { username, viewer: viewerId(viewer) } }).first()
}

const commentsOf = select(Comment, User, followedByViewer.as('following'))
  .join(User)
  .where(Comment.c.article_id.eq(bindParam('article')))
  .orderBy(Comment.c.created_at, Comment.c.id)

/**
 * The comments of an article with their authors and whether the viewer follows each, oldest first, in one
 * query.
 *
 * @example
 * for (const [comment, author, following] of await readComments(session, article.id, viewer)) …
 */
export function readComments(session: Session, articleId: number, viewer: User | undefined) {
  return session.exec(commentsOf, { params: { article: articleId, viewer: viewerId(viewer) } }).all()
}

const articleIdBySlug = select(Article.c.id).where(Article.c.slug.eq(bindParam('slug')))

/**
 * The id of the article of this slug, `undefined` when there is none: what a write to its favourites or
 * comments needs of it, and a new article's links to its tags.
 *
 * @example
 * const id = (await readArticleId(session, slug)) ?? HTTPError.raise(404, 'Article not found')
 */
export function readArticleId(session: Session, slug: string): Promise<number | undefined> {
  return session.exec(articleIdBySlug, { params: { slug } }).first()
}

/** Where the page of a list starts and how long it is. */
export interface Page {
  readonly limit: number
  readonly offset: number
}

/**
 * The names of the tags of the article the enclosing query reads, in no order: `[]` for none.
 * {@link articlePublic} sorts them. An aggregate's own ORDER BY costs SQLite a temporary B-tree for every
 * article it reads, and MySQL 8's `JSON_ARRAYAGG` takes none; an article's few names sort in JavaScript
 * for less.
 */
const tagNames = select(Tag.c.name)
  .join(ArticleTag)
  .correlate(Article)
  .where(ArticleTag.c.article_id.eq(Article.c.id))
  .arraySubquery()

const favoritesOf = select(count()).selectFrom(Favorite).correlate(Article)

/**
 * Articles as the viewer sees them: each with its author's profile, tags, favourites count and the viewer's
 * flags. It reads columns, not `Article` rows: an answer only shows them, so nothing is tracked for a
 * flush that will never come, and of the author it reads only what a profile shows, never the password
 * hash.
 */
const articleView = select(
  Article.c.slug,
  Article.c.title,
  Article.c.description,
  Article.c.body,
  Article.c.created_at,
  Article.c.updated_at,
  User.c.username,
  User.c.bio,
  User.c.image,
  tagNames.as('tag_list'),
  favoritesOf.where(Favorite.c.article_id.eq(Article.c.id)).scalarSubquery().as('favorites_count'),
  favoritesOf
    .where(Favorite.c.article_id.eq(Article.c.id), Favorite.c.user_id.eq(bindParam('viewer')))
    .scalarSubquery()
    .as('favorited'),
  followedByViewer.as('following'),
).join(User)

/**
 * One article, by its slug, in no order: SQLite finds it through the slug's index, where the order of a
 * list would have it walk the articles by date.
 */
const articleViewBySlug = articleView.where(Article.c.slug.eq(bindParam('slug')))

/** A page of `articles`, newest first. */
function newestFirst(articles: typeof articleView) {
  return articles
    .orderBy(Article.c.created_at.desc(), Article.c.id.desc())
    .limit(bindParam('limit'))
    .offset(bindParam('offset'))
}

const newestArticles = newestFirst(articleView)
const allArticles = select(Article)

/** A row of {@link articleView}: the article's columns, its author's profile, tags, count and flags. */
type ArticleRow = [
  slug: string,
  title: string,
  description: string,
  body: string,
  createdAt: Date,
  updatedAt: Date,
  username: string,
  bio: string | null,
  image: string | null,
  tagList: string[],
  favoritesCount: number,
  favorited: number,
  following: number,
]

/** A row of {@link articleView} as the API shows it, its tags by name. */
function articlePublic([
  slug,
  title,
  description,
  body,
  createdAt,
  updatedAt,
  username,
  bio,
  image,
  tagList,
  favoritesCount,
  favorited,
  following,
]: ArticleRow): ArticlePublic {
  return {
    slug,
    title,
    description,
    body,
    tagList: tagList.sort(),
    createdAt,
    updatedAt,
    favorited: favorited > 0,
    favoritesCount,
    author: { username, bio, image, following: following > 0 },
  }
}

/**
 * A new article as its author sees it, from what its transaction wrote: it needs no query. No one can have
 * favourited it before its commit, and no one follows themselves (the profiles router refuses it).
 *
 * @example
 * const answer = { article: newArticlePublic({ ...written, tags }, me.user) } // after the article's commit
 */
export function newArticlePublic(
  article: Pick<Article, 'slug' | 'title' | 'description' | 'body' | 'tags' | 'created_at' | 'updated_at'>,
  author: User,
): ArticlePublic {
  const { slug, title, description, body, tags, created_at, updated_at } = article
  const names = tags.map((tag) => tag.name)
  // The row the view would read: no favourite yet, and no follow of oneself.
  return articlePublic([
    slug,
    title,
    description,
    body,
    created_at,
    updated_at,
    author.username,
    author.bio,
    author.image,
    names,
    0,
    0,
    0,
  ])
}

/**
 * The article of this slug as the viewer sees it, in one query; `undefined` when there is none.
 *
 * @example
 * const article = (await readArticle(session, slug, viewer)) ?? HTTPError.raise(404, 'Article not found')
 */
export async function readArticle(session: Session, slug: string, viewer: User | undefined) {
  const row = await session.exec(articleViewBySlug, { params: { slug, viewer: viewerId(viewer) } }).first()
  return row === undefined ? undefined : articlePublic(row)
}

/**
 * A page of the articles that meet every filter, newest first, as the viewer sees them, with how many
 * there are in all (`articlesCount`): two queries whatever the page size, the total first. Without filters both are the
 * queries built above; filters make new ones, which onemodel compiles once per shape.
 *
 * @example
 * const dragons = [Article.rel.tags.any(Tag.c.name.eq('dragons'))]
 * const { articles, articlesCount } = await readArticlesPage(session, dragons, viewer, { limit: 20, offset: 0 })
 */
export async function readArticlesPage(
  session: Session,
  filters: readonly ArticleFilter[],
  viewer: User | undefined,
  { limit, offset }: Page,
) {
  const unfiltered = filters.length === 0
  const articlesCount = await session.count(unfiltered ? allArticles : allArticles.where(...filters))
  const page = unfiltered ? newestArticles : newestFirst(articleView.where(...filters))
  const rows = await session.exec(page, { params: { viewer: viewerId(viewer), limit, offset } }).all()
  return { articles: rows.map(articlePublic), articlesCount }
}
