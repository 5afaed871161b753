/**
 * `select(…).arraySubquery()` on every dialect of DIALECTS: the values a correlated one-item select finds
 * for each row, as an array in its order, `[]` where it finds none, in the one statement of the enclosing
 * select; each element decoded as its column is (dates, booleans, integers, JSON, text with quotes and
 * non-Latin characters); paged inside and outside; bound values in order, one statement per shape; and
 * what it refuses.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import {
  bindParam,
  count,
  createAll,
  createEngine,
  field,
  InvalidQueryError,
  Metadata,
  model,
  NotSupportedError,
  select,
  Session,
  table,
  type Engine,
  type Expression,
} from 'onemodel-ts'
import { DIALECTS } from '../support/dialects.ts'
import { recordSql } from '../support/heroes.ts'

/** Tag names a JSON encoding must escape: a double quote, a backslash, an apostrophe, an emoji. */
const ODD = `say "hi" \\ it's 😀 ünï`

function declareArticles() {
  const metadata = new Metadata()
  const Article = table(
    'article',
    model('Article', { id: field.integer({ primaryKey: true }), slug: field.string({ maxLength: 40 }) }),
    { metadata },
  )
  const Tag = table(
    'tag',
    model('Tag', { id: field.integer({ primaryKey: true }), name: field.string({ maxLength: 40 }) }),
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
  const Event = table(
    'event',
    model('Event', {
      id: field.integer({ primaryKey: true }),
      article_id: field.integer({ foreignKey: 'article.id' }),
      at: field.datetime(),
      ok: field.boolean(),
      views: field.integer({ ge: 0, le: 2 ** 50 }),
      note: field.string({ maxLength: 40, nullable: true }),
      data: field.json({ nullable: true }),
    }),
    { metadata },
  )
  const Note = table(
    'note',
    model('Note', {
      id: field.integer({ primaryKey: true }),
      article_id: field.integer({ foreignKey: 'article.id' }),
      body: field.string(),
    }),
    { metadata },
  )
  return { metadata, Article, Tag, ArticleTag, Event, Note }
}

type Articles = ReturnType<typeof declareArticles> & { engine: Engine; url: string; log: string[] }

const AT = [
  new Date('2026-03-01T10:00:00.125Z'),
  new Date('2025-12-31T23:59:59.000Z'),
  new Date('2026-01-15T08:30:00.500Z'),
]

for (const dialect of DIALECTS) {
  describe(`${dialect.name}: arraySubquery()`, () => {
    let db: Articles | undefined
    before(async () => {
      const models = declareArticles()
      const { Article, Tag, ArticleTag, Event } = models
      const recorded = recordSql()
      const url = await dialect.isolatedUrl()
      const engine = createEngine(url, recorded.options)
      db = { ...models, engine, url, log: recorded.log }
      await createAll(engine, { metadata: models.metadata })
      await using session = new Session(engine)
      session.addAll(['first', 'second', 'third'].map((slug) => Article.create({ slug })))
      session.addAll(['zeta', ODD, 'alpha', 'mid'].map((name) => Tag.create({ name })))
      await session.flush()
      // first: zeta, ODD, alpha, mid (inserted out of order); second: none; third: mid.
      const links = [
        [1, 1],
        [1, 2],
        [1, 3],
        [1, 4],
        [3, 4],
      ]
      session.addAll(links.map(([article_id, tag_id]) => ArticleTag.create({ article_id, tag_id })))
      session.addAll([
        Event.create({ article_id: 1, at: AT[0]!, ok: true, views: 3, note: 'b', data: { a: [1, 'x'] } }),
        Event.create({ article_id: 1, at: AT[1]!, ok: false, views: 2 ** 40, note: null, data: 'text' }),
        Event.create({ article_id: 1, at: AT[2]!, ok: true, views: 0, note: 'a', data: null }),
      ])
      await session.commit()
    })
    after(() => db?.engine.dispose())
    const articles = () => db!

    /** The names of an article's tags, in `order`. */
    function tagNames(order: 'asc' | 'desc' = 'asc') {
      const { Article, Tag, ArticleTag } = articles()
      return select(Tag.c.name)
        .join(ArticleTag)
        .correlate(Article)
        .where(ArticleTag.c.article_id.eq(Article.c.id))
        .orderBy(order === 'asc' ? Tag.c.name : Tag.c.name.desc())
    }

    test("each row's tag names, ordered, [] where it has none, in one statement", async () => {
      const { Article, engine, log } = articles()
      await using session = new Session(engine)
      log.length = 0
      const rows = await session
        .exec(select(Article.c.slug, tagNames().arraySubquery().as('tags')).orderBy(Article.c.id))
        .all()
      assert.deepEqual(rows, [
        ['first', ['alpha', 'mid', ODD, 'zeta']],
        ['second', []],
        ['third', ['mid']],
      ])
      const descending = await session
        .exec(select(tagNames('desc').arraySubquery()).selectFrom(Article).where(Article.c.id.eq(1)))
        .one()
      assert.deepEqual(descending, ['zeta', ODD, 'mid', 'alpha'])
      assert.equal(log.length, 2, 'one statement per read')
      assert.match(
        log[0]!,
        /coalesce\((json_group_array|json_agg|json_arrayagg)\("tag"\."name" order by "tag"\."name" asc\), '\[\]'\)/,
      )
    })

    test('rows of a table model with their arrays: [Article, string[]], joined from the link table too', async () => {
      const { Article, Tag, ArticleTag, engine } = articles()
      await using session = new Session(engine)
      const fromLink = select(Tag.c.name)
        .selectFrom(ArticleTag)
        .join(Tag)
        .correlate(Article)
        .where(ArticleTag.c.article_id.eq(Article.c.id))
        .orderBy(Tag.c.name.desc())
        .arraySubquery()
      const rows = await session
        .exec(select(Article, tagNames().arraySubquery().as('tag_list'), fromLink).orderBy(Article.c.id))
        .all()
      assert.deepEqual(
        rows.map(([article, tags, reversed]) => [article.slug, tags, reversed]),
        [
          ['first', ['alpha', 'mid', ODD, 'zeta'], ['zeta', ODD, 'mid', 'alpha']],
          ['second', [], []],
          ['third', ['mid'], ['mid']],
        ],
      )
      assert.equal(rows[0]![0], await session.get(Article, 1), 'the rows are the Session’s')
    })

    test('elements decoded as their columns are: dates, booleans, integers, JSON, nulls', async () => {
      const { Article, Event, engine } = articles()
      await using session = new Session(engine)
      const byTime = <V>(column: Expression<'event', V>) =>
        select(column)
          .correlate(Article)
          .where(Event.c.article_id.eq(Article.c.id))
          .orderBy(Event.c.at)
          .arraySubquery()
      const [dates, flags, views, notes, data] = await session
        .exec(
          select(
            byTime(Event.c.at),
            byTime(Event.c.ok),
            byTime(Event.c.views),
            byTime(Event.c.note),
            byTime(Event.c.data),
          )
            .selectFrom(Article)
            .where(Article.c.id.eq(1)),
        )
        .one()
      assert.deepEqual(dates, [AT[1], AT[2], AT[0]])
      assert.ok(dates.every((date) => date instanceof Date))
      assert.deepEqual(flags, [false, true, true])
      assert.deepEqual(views, [2 ** 40, 0, 3])
      assert.deepEqual(notes, [null, 'a', 'b'])
      assert.deepEqual(data, ['text', null, { a: [1, 'x'] }])
    })

    test('ordered by another column, nulls first or last', async () => {
      const { Article, Event, engine } = articles()
      await using session = new Session(engine)
      const views = (nulls: 'first' | 'last') =>
        select(Event.c.views)
          .correlate(Article)
          .where(Event.c.article_id.eq(Article.c.id))
          .orderBy(nulls === 'first' ? Event.c.note.desc().nullsFirst() : Event.c.note.desc().nullsLast())
          .arraySubquery()
      const rows = await session
        .exec(select(Article.c.slug, views('first'), views('last')).orderBy(Article.c.id).limit(2))
        .all()
      assert.deepEqual(rows, [
        ['first', [2 ** 40, 3, 0], [3, 0, 2 ** 40]],
        ['second', [], []],
      ])
    })

    test('paged inside: the values of the page, in order', async () => {
      const { Article, engine } = articles()
      await using session = new Session(engine)
      const page = select(Article.c.slug, tagNames().limit(2).offset(1).arraySubquery()).where(
        Article.c.id.eq(1),
      )
      assert.deepEqual(await session.exec(page).all(), [['first', ['mid', ODD]]])
      const nth = (offset: number) =>
        select(tagNames().limit(1).offset(offset).arraySubquery())
          .selectFrom(Article)
          .where(Article.c.id.eq(1))
      assert.deepEqual(await session.exec(nth(1)).one(), ['mid'])
      assert.deepEqual(await session.exec(nth(3)).one(), ['zeta'], 'another page, another statement')
      const first = select(Article.c.slug, tagNames().limit(1).arraySubquery()).orderBy(Article.c.id)
      assert.deepEqual(await session.exec(first).all(), [
        ['first', ['alpha']],
        ['second', []],
        ['third', ['mid']],
      ])
    })

    test('paged inside by a bind parameter: bound where the page is a derived table, refused on MariaDB', async () => {
      const { Article, engine } = articles()
      await using session = new Session(engine)
      const nth = select(tagNames().limit(1).offset(bindParam('nth')).arraySubquery())
        .selectFrom(Article)
        .where(Article.c.id.eq(1))
      if (dialect.name === 'mysql') {
        await assert.rejects(session.exec(nth, { params: { nth: 1 } }).one(), {
          name: 'InvalidQueryError',
          message: /offset\(bindParam\('nth'\)\)\.arraySubquery\(\).*Give offset\(\) a number/,
        })
        return
      }
      assert.deepEqual(await session.exec(nth, { params: { nth: 1 } }).one(), ['mid'])
      assert.deepEqual(await session.exec(nth, { params: { nth: 3 } }).one(), ['zeta'])
    })

    test('an uncorrelated array subquery is paged on every dialect', async () => {
      const { Article, Tag, engine } = articles()
      await using session = new Session(engine)
      const firstTags = select(Tag.c.name).orderBy(Tag.c.name).limit(2).arraySubquery()
      const rows = await session.exec(select(Article.c.id, firstTags).orderBy(Article.c.id).limit(1)).all()
      assert.deepEqual(rows, [[1, ['alpha', 'mid']]])
    })

    test('values inside and outside bind in order, ordered by a subquery nulls last, paged or not: each shape built once', async (t) => {
      const { Article, Tag, ArticleTag, engine, log } = articles()
      await using session = new Session(engine)
      // How many articles after `after` use the tag (never null, yet the SQL for nulls last is written).
      const uses = (after: number) =>
        select(count())
          .selectFrom(ArticleTag)
          .correlate(Tag)
          .where(ArticleTag.c.tag_id.eq(Tag.c.id), ArticleTag.c.article_id.gt(after))
          .scalarSubquery()
      const tags = (except: string, after: number) =>
        select(Tag.c.name)
          .join(ArticleTag)
          .correlate(Article)
          .where(ArticleTag.c.article_id.eq(Article.c.id), Tag.c.name.ne(except))
          .orderBy(uses(after).desc().nullsLast(), Tag.c.name)
      const query = (except: string, after: number, slug: string, paged: boolean) =>
        select(
          Article.c.slug,
          (paged ? tags(except, after).limit(2).offset(1) : tags(except, after)).arraySubquery(),
        )
          .where(Article.c.slug.ne(slug))
          .orderBy(Article.c.id)
          .limit(2)
      // Uses after article 0: mid 2, the others 1; after article 1: mid 1, the others 0.
      const first = [
        [
          query('zeta', 0, 'second', false),
          [
            ['first', ['mid', 'alpha', ODD]],
            ['third', ['mid']],
          ],
        ],
        [
          query('zeta', 0, 'second', true),
          [
            ['first', ['alpha', ODD]],
            ['third', []],
          ],
        ],
      ] as const
      const second = [
        [
          query('alpha', 1, 'third', false),
          [
            ['first', ['mid', ODD, 'zeta']],
            ['second', []],
          ],
        ],
        [
          query('alpha', 1, 'third', true),
          [
            ['first', [ODD, 'zeta']],
            ['second', []],
          ],
        ],
      ] as const
      for (const [query, rows] of first) assert.deepEqual(await session.exec(query).all(), rows)
      const built = t.mock.method(engine.db, 'selectFrom')
      log.length = 0
      for (const [query, rows] of second) assert.deepEqual(await session.exec(query).all(), rows)
      assert.equal(built.mock.callCount(), 0, 'later queries of a shape only bind their values')
      assert.equal(log.length, 2)
    })

    test('an array of more than 1 MiB comes back whole (MariaDB cuts JSON_ARRAYAGG at group_concat_max_len, 1 MiB by default)', async () => {
      const { Article, Note, engine } = articles()
      await using session = new Session(engine)
      const bodies = Array.from({ length: 11 }, (_, i) => `${i}:`.padEnd(100_000, 'x'))
      session.addAll(bodies.map((body) => Note.create({ article_id: 2, body })))
      await session.commit()
      const notes = select(Note.c.body)
        .correlate(Article)
        .where(Note.c.article_id.eq(Article.c.id))
        .orderBy(Note.c.id)
        .arraySubquery()
      const read = await session.exec(select(notes).selectFrom(Article).where(Article.c.id.eq(2))).one()
      assert.deepEqual(read, bodies)
    })

    test('an array the database cut short is a NotSupportedError, not a SyntaxError', async (t) => {
      if (dialect.name !== 'mysql') return t.skip('only MariaDB cuts an aggregate')
      const { Article, url } = articles()
      // One connection, whose limit is lowered under the engine, as a server's max_allowed_packet would.
      // Cut at 21 characters, `["alpha","mid","say \"hi…` ends inside an escape, which no closing mends.
      const engine = createEngine(url, { pool: { size: 1 } })
      t.after(() => engine.dispose())
      await engine.db.connection().execute((db) => sql`set session group_concat_max_len = 21`.execute(db))
      await using session = new Session(engine)
      const tags = select(tagNames().arraySubquery()).selectFrom(Article).where(Article.c.id.eq(1))
      await assert.rejects(session.exec(tags).one(), {
        name: NotSupportedError.name,
        message:
          /^arraySubquery\(\): the database cut an array's JSON short \(\d+ characters\).*max_allowed_packet/,
      })
    })

    test('the same select as an array and as a scalar subquery: two shapes, two statements', async () => {
      const { Article, engine } = articles()
      await using session = new Session(engine)
      const first = tagNames().limit(1)
      const scalar = await session
        .exec(select(Article.c.slug, first.scalarSubquery()).where(Article.c.id.eq(1)))
        .one()
      const array = await session
        .exec(select(Article.c.slug, tagNames().arraySubquery()).where(Article.c.id.eq(1)))
        .one()
      assert.deepEqual(scalar, ['first', 'alpha'])
      assert.deepEqual(array, ['first', ['alpha', 'mid', ODD, 'zeta']])
    })
  })
}

describe('arraySubquery() refuses what it cannot be', () => {
  const { Article, Tag, ArticleTag } = declareArticles()

  test('a select of rows, of several items, or of an aggregate', () => {
    assert.throws(() => select(Tag).arraySubquery(), {
      name: InvalidQueryError.name,
      message: /selects one column or expression, as select\(Tag\.c\.name\).*selectinload\(\)/,
    })
    assert.throws(() => select(Tag.c.id, Tag.c.name).arraySubquery(), InvalidQueryError)
    assert.throws(() => select(count().as('n')).selectFrom(Tag).arraySubquery(), {
      name: InvalidQueryError.name,
      message: /an aggregate such as count\(\) gives one value, not one per row: use scalarSubquery\(\)/,
    })
  })

  test('a comparison or an ordering of it, labelled or not, either side, as JavaScript may call them', () => {
    const tags = select(Tag.c.name)
      .join(ArticleTag)
      .correlate(Article)
      .where(ArticleTag.c.article_id.eq(Article.c.id))
      .arraySubquery()
    // Its type has none of them: JavaScript sees the methods every expression has.
    for (const array of [tags, tags.as('tags')] as unknown as Expression<'article', unknown>[]) {
      for (const misuse of [
        () => array.eq(['a']),
        () => array.ne(null),
        () => array.gte(['a']),
        () => array.in([['a']]),
        () => array.isNull(),
        () => array.desc(),
        () => select(Article.c.slug).orderBy(array),
        () => Article.c.slug.eq(array as Expression<'article', string>),
      ]) {
        assert.throws(misuse, {
          name: InvalidQueryError.name,
          message:
            /^An array subquery is only selected, or labelled with as\(\) and selected: its JSON compares as text/,
        })
      }
    }
  })

  test('groupBy(), having(), distinct() and forUpdate()', () => {
    const names = select(Tag.c.name).join(ArticleTag).correlate(Article)
    for (const query of [
      names.groupBy(Tag.c.name),
      names.having(count().gt(1)),
      names.distinct(),
      names.forUpdate(),
    ]) {
      assert.throws(() => query.arraySubquery(), {
        name: InvalidQueryError.name,
        message: /takes no groupBy\(\), having\(\), distinct\(\) or forUpdate\(\)/,
      })
    }
  })
})
