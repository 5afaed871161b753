/**
 * Type tests for `arraySubquery()`: an array of the item's values, never null (its elements null where the
 * column may be), typed in the enclosing select's rows with no generic and no cast. Checked by
 * `tsc --noEmit` only; nothing here runs.
 */
import {
  field,
  Metadata,
  model,
  select,
  Session,
  table,
  type ArraySubquery,
  type Expression,
} from 'onemodel-ts'
import type { Equal, Expect } from './helpers.ts'

const metadata = new Metadata()
const Article = table(
  'article',
  model('Article', { id: field.integer({ primaryKey: true }), slug: field.string() }),
  { metadata },
)
const Tag = table(
  'tag',
  model('Tag', {
    id: field.integer({ primaryKey: true }),
    name: field.string(),
    created: field.datetime(),
    note: field.string({ nullable: true, default: null }),
  }),
  { metadata },
)
const ArticleTag = table(
  'article_tag',
  model('ArticleTag', {
    article_id: field.integer({ primaryKey: true, foreignKey: 'article.id' }),
    tag_id: field.integer({ primaryKey: true, foreignKey: 'tag.id' }),
  }),
  { metadata },
)
declare const session: Session

const tagsOf = select(Tag.c.name)
  .join(ArticleTag)
  .correlate(Article)
  .where(ArticleTag.c.article_id.eq(Article.c.id))
  .orderBy(Tag.c.name)
const names = tagsOf.arraySubquery()
type _names = Expect<Equal<typeof names extends Expression<'article', infer V> ? V : never, string[]>>

// A row of the model with its array, and arrays of other column types: dates, nullable text.
const rows = await session
  .exec(
    select(
      Article,
      names.as('tag_list'),
      select(Tag.c.created).correlate(Article).arraySubquery(),
      select(Tag.c.note).correlate(Article).arraySubquery(),
    ).orderBy(Article.c.id),
  )
  .all()
type _rows = Expect<Equal<typeof rows, [typeof Article.Type, string[], Date[], (string | null)[]][]>>

// One array alone is the value of each row.
const alone = await session.exec(select(names).selectFrom(Article)).all()
type _alone = Expect<Equal<typeof alone, string[][]>>

// The array is never null, even where the table it correlates with is left-joined and missing: it is [].
const slugs = select(Article.c.slug).correlate(ArticleTag).where(Article.c.id.eq(ArticleTag.c.article_id))
const overLeftJoin = await session.exec(select(Tag.c.name, slugs.arraySubquery()).leftJoin(ArticleTag)).all()
type _overLeftJoin = Expect<Equal<typeof overLeftJoin, [string, string[]][]>>

// Selected or labelled, never compared nor ordered: its JSON compares as text, or not at all.
// @ts-expect-error an array subquery has no comparison
names.eq(['a'])
// @ts-expect-error nor once labelled
names.as('tag_list').eq(['a'])
// @ts-expect-error nor an IN list
names.in([['a']])
// @ts-expect-error nor an ordering
select(Article.c.slug).orderBy(names.desc())
// @ts-expect-error nor a null test: it is never null
names.as('tag_list').isNull()
const typed: ArraySubquery<'article', string[]> = names
type _labelled = Expect<Equal<ReturnType<typeof typed.as<'t'>>['label'], 't'>>
