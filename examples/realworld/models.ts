/**
 * The Conduit models, each declared once. A `…Base` model holds the fields a client writes; the table
 * extends it with what the server keeps (keys, hashes, timestamps); `…Create` and `…Update` are the request
 * bodies and `…Public` (or `Profile`) what the answers show. The API's envelopes (`{"user": …}`,
 * `{"articles": […], "articlesCount": n}`) are models too, so `/docs` documents every body.
 */
import { field, Metadata, model, relationships, table } from 'onemodel-ts'
import { Type } from 'typebox'

// Its own set of tables, so the app can be loaded beside the other examples in one process.
export const metadata = new Metadata()

const now = () => new Date()
const required = { minLength: 1 } as const

// `unique` is for the table; the models of the requests and answers, which have no table, ignore it.
export const UserBase = model('UserBase', {
  username: field.string({ ...required, maxLength: 100, unique: true }),
  email: field.string({ ...required, maxLength: 254, unique: true, pattern: '^[^@\\s]+@[^@\\s]+$' }),
})

export const ArticleBase = model('ArticleBase', {
  title: field.string({ ...required, maxLength: 200 }),
  description: field.string({ ...required, maxLength: 500 }),
  body: field.string(required),
})

export const CommentBase = model('CommentBase', { body: field.string(required) })

const userKey = { foreignKey: 'user.id', onDelete: 'cascade' } as const
const articleKey = { foreignKey: 'article.id', onDelete: 'cascade' } as const

/**
 * The tables, then their relationships: follows are a many-to-many from `user` to itself through
 * `follow`, tags and favourites are many-to-manys through `article_tag` and `favorite`.
 */
export const { User, Follow, Article, Tag, ArticleTag, Favorite, Comment } = relationships(
  {
    User: table(
      'user',
      UserBase.extend('User', {
        id: field.integer({ primaryKey: true }),
        // scrypt's `salt:hash`, never the password; secret, so no error message or log line shows it.
        password_hash: field.string({ secret: true }),
        bio: field.string({ nullable: true, default: null }),
        image: field.string({ nullable: true, default: null }),
      }),
      { metadata },
    ),
    Follow: table(
      'follow',
      model('Follow', {
        follower_id: field.integer({ primaryKey: true, ...userKey }),
        followed_id: field.integer({ primaryKey: true, ...userKey }),
      }),
      { metadata },
    ),
    Article: table(
      'article',
      ArticleBase.extend('Article', {
        id: field.integer({ primaryKey: true }),
        slug: field.string({ maxLength: 255, unique: true }),
        author_id: field.integer({ index: true, ...userKey }),
        created_at: field.datetime({ defaultFactory: now, index: true }),
        updated_at: field.datetime({ defaultFactory: now }),
      }),
      { metadata },
    ),
    Tag: table(
      'tag',
      model('Tag', {
        id: field.integer({ primaryKey: true }),
        name: field.string({ ...required, maxLength: 100, unique: true }),
      }),
      { metadata },
    ),
    ArticleTag: table(
      'article_tag',
      model('ArticleTag', {
        article_id: field.integer({ primaryKey: true, ...articleKey }),
        tag_id: field.integer({ primaryKey: true, foreignKey: 'tag.id', index: true }),
      }),
      { metadata },
    ),
    Favorite: table(
      'favorite',
      model('Favorite', {
        user_id: field.integer({ primaryKey: true, ...userKey }),
        article_id: field.integer({ primaryKey: true, index: true, ...articleKey }),
      }),
      { metadata },
    ),
    Comment: table(
      'comment',
      CommentBase.extend('Comment', {
        id: field.integer({ primaryKey: true }),
        article_id: field.integer({ index: true, ...articleKey }),
        author_id: field.integer(userKey),
        created_at: field.datetime({ defaultFactory: now }),
        updated_at: field.datetime({ defaultFactory: now }),
      }),
      { metadata },
    ),
  },
  ({ one, many }) => ({
    User: {
      following: many('User', { link: 'Follow', foreignKey: 'follower_id', backPopulates: 'followers' }),
      followers: many('User', { link: 'Follow', foreignKey: 'followed_id', backPopulates: 'following' }),
      articles: many('Article', { backPopulates: 'author' }),
      favorites: many('Article', { link: 'Favorite', backPopulates: 'favoritedBy' }),
    },
    Article: {
      author: one('User', { backPopulates: 'articles' }),
      tags: many('Tag', { link: 'ArticleTag', backPopulates: 'articles', orderBy: 'name' }),
      favoritedBy: many('User', { link: 'Favorite', backPopulates: 'favorites' }),
    },
    Tag: { articles: many('Article', { link: 'ArticleTag', backPopulates: 'tags' }) },
  }),
)
export type User = typeof User.Type
export type Article = typeof Article.Type
export type Comment = typeof Comment.Type

// Users: registration, login, the current user and its update.
export const UserCreate = UserBase.extend('NewUser', {
  password: field.string({ ...required, secret: true }),
})
export const UserLogin = UserCreate.pick('LoginUser', 'email', 'password')
export const UserUpdate = UserCreate.extend('UserEditable', {
  bio: field.string({ nullable: true, default: null }),
  image: field.string({ nullable: true, default: null }),
}).partial('UpdateUser')
export const UserPublic = UserBase.extend('User', {
  bio: field.string({ nullable: true }),
  image: field.string({ nullable: true }),
  token: field.string(),
})

export const Profile = model('Profile', {
  username: field.string(),
  bio: field.string({ nullable: true }),
  image: field.string({ nullable: true }),
  following: field.boolean(),
})

// Articles: a list shows every field but the body.
export const ArticleCreate = ArticleBase.extend('NewArticle', {
  tagList: field.json<string[]>({
    default: [],
    schema: Type.Array(Type.String({ ...required, maxLength: 100 }), { maxItems: 20 }),
  }),
})
export const ArticleUpdate = ArticleBase.partial('UpdateArticle')
export const ArticleListItem = ArticleBase.omit('ArticleListItem', 'body').extend('ArticleListItem', {
  slug: field.string(),
  tagList: field.json<string[]>({ schema: Type.Array(Type.String()) }),
  createdAt: field.datetime(),
  updatedAt: field.datetime(),
  favorited: field.boolean(),
  favoritesCount: field.integer(),
  author: field.model(Profile),
})
export const ArticlePublic = ArticleListItem.extend('Article', { body: field.string() })
export type ArticlePublic = typeof ArticlePublic.Type

export const CommentCreate = CommentBase.extend('NewComment', {})
export const CommentPublic = CommentBase.extend('Comment', {
  id: field.integer(),
  createdAt: field.datetime(),
  updatedAt: field.datetime(),
  author: field.model(Profile),
})

// The envelopes every body of the API is wrapped in.
export const NewUserRequest = model('NewUserRequest', { user: field.model(UserCreate) })
export const LoginUserRequest = model('LoginUserRequest', { user: field.model(UserLogin) })
export const UpdateUserRequest = model('UpdateUserRequest', { user: field.model(UserUpdate) })
export const UserResponse = model('UserResponse', { user: field.model(UserPublic) })
export const ProfileResponse = model('ProfileResponse', { profile: field.model(Profile) })
export const NewArticleRequest = model('NewArticleRequest', { article: field.model(ArticleCreate) })
export const UpdateArticleRequest = model('UpdateArticleRequest', { article: field.model(ArticleUpdate) })
export const SingleArticleResponse = model('SingleArticleResponse', { article: field.model(ArticlePublic) })
export const MultipleArticlesResponse = model('MultipleArticlesResponse', {
  articles: field.list(ArticleListItem),
  articlesCount: field.integer(),
})
export const NewCommentRequest = model('NewCommentRequest', { comment: field.model(CommentCreate) })
export const SingleCommentResponse = model('SingleCommentResponse', { comment: field.model(CommentPublic) })
export const MultipleCommentsResponse = model('MultipleCommentsResponse', {
  comments: field.list(CommentPublic),
})
export const TagsResponse = model('TagsResponse', {
  tags: field.json<string[]>({ schema: Type.Array(Type.String()) }),
})
/** RealWorld's error body: the messages by field (`body` when no field is to blame). */
export const GenericErrorModel = model('GenericErrorModel', {
  errors: field.json<Record<string, string[]>>({
    schema: Type.Record(Type.String(), Type.Array(Type.String())),
  }),
})
