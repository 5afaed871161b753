/**
 * What a RealWorld server must answer before it is timed, the same as the ceiling: the seeded articles as
 * the viewer sees them (bodies compared with the ceiling's as JSON), the spec's shapes for a list item, an
 * article and a user, and the scenarios' writes with their error answers.
 */
import { deepStrictEqual } from 'node:assert/strict'
import type { Answers } from '../bench-app.ts'
import {
  authorOf,
  createdAt,
  favouritersOf,
  slugOf,
  tagName,
  tagsOf,
  VIEWER,
  viewerFavours,
  viewerFollows,
} from './seed.ts'

const LIST_ITEM = 'author,createdAt,description,favorited,favoritesCount,slug,tagList,title,updatedAt'
const ARTICLE = `${LIST_ITEM},body`.split(',').sort().join()
const USER = 'bio,email,image,token,username'

function check(ok: boolean, what: string): asserts ok {
  if (!ok) throw new Error(`smoke check failed: ${what}`)
}

const keys = (value: unknown): string =>
  typeof value === 'object' && value !== null ? Object.keys(value).sort().join() : typeof value

/**
 * Sends a request and returns its status and parsed JSON body (`undefined` for an empty one), typed `any`
 * since the checks below are what establish its shape.
 */
export async function call(
  url: string,
  method: string,
  path: string,
  { token, body }: { token?: string; body?: unknown } = {},
): Promise<{ status: number; json: any; text: string }> {
  const response = await fetch(url + path, {
    method,
    headers: {
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...(token !== undefined && { authorization: `Token ${token}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, json: text ? JSON.parse(text) : undefined, text }
}

/** The viewer's token, from logging in as the spec says. */
export async function login(url: string): Promise<string> {
  const { status, json } = await call(url, 'POST', '/api/users/login', {
    body: { user: { email: VIEWER.email, password: VIEWER.password } },
  })
  check(status === 200, `login answered ${status}`)
  check(keys(json.user) === USER, `keys of a user: ${keys(json.user)}`)
  return json.user.token
}

/** The article the seed made as number `n`, as the viewer sees it, less its body. */
function seededItem(n: number, viewer: boolean) {
  const author = authorOf(n)
  const favourites = favouritersOf(n).length + (viewerFavours(n) ? 1 : 0)
  return {
    slug: slugOf(n),
    title: `Seeded article ${n}`,
    description: `What seeded article ${n} is about`,
    tagList: tagsOf(n).map(tagName).sort(),
    createdAt: createdAt(n),
    updatedAt: createdAt(n),
    favorited: viewer && viewerFavours(n),
    favoritesCount: favourites,
    author: {
      username: `author${author}`,
      bio: `Bio of author ${author}`,
      image: null,
      following: viewer && viewerFollows(author),
    },
  }
}

/**
 * Checks the server at `url`, seeded with `articles` articles, as the viewer of `token`; returns the
 * bodies of its reads, which must equal those of `reference` when given.
 */
export async function checkRealworld(
  url: string,
  token: string,
  articles: number,
  reference: Answers | undefined,
): Promise<Answers> {
  const answers: Answers = new Map()
  const read = async (path: string, viewer: boolean) => {
    const { status, json, text } = await call(url, 'GET', path, viewer ? { token } : {})
    check(status === 200, `GET ${path} answered ${status}: ${text}`)
    answers.set(path, text)
    if (reference) deepStrictEqual(json, JSON.parse(reference.get(path)!), `GET ${path} differs from raw`)
    return json
  }

  const list = await read('/api/articles?limit=20', true)
  check(keys(list) === 'articles,articlesCount', `keys of a list: ${keys(list)}`)
  check(list.articlesCount === articles, `articlesCount ${list.articlesCount}, seeded ${articles}`)
  for (const [i, item] of list.articles.entries()) deepStrictEqual(item, seededItem(articles - i, true))
  const anonymous = await read('/api/articles?limit=3&offset=5', false)
  deepStrictEqual(
    anonymous.articles,
    [5, 6, 7].map((i) => seededItem(articles - i, false)),
  )

  const one = await read(`/api/articles/${slugOf(8)}`, false)
  check(keys(one.article) === ARTICLE, `keys of an article: ${keys(one.article)}`)
  const { body: _, ...item } = one.article
  deepStrictEqual(item, seededItem(8, false))
  check(
    (await call(url, 'GET', '/api/articles/no-such-article')).status === 404,
    'an unknown slug is not a 404',
  )
  check((await call(url, 'GET', '/api/articles?limit=0')).status === 422, 'limit=0 is not a 422')

  const favourite = `/api/articles/${slugOf(9)}/favorite`
  check((await call(url, 'POST', favourite)).status === 401, 'a favourite without a token is not a 401')
  const favoured = await call(url, 'POST', favourite, { token })
  check(favoured.status === 200, `POST ${favourite} answered ${favoured.status}`)
  deepStrictEqual(favoured.json.article.favorited, true)
  deepStrictEqual(favoured.json.article.favoritesCount, seededItem(9, true).favoritesCount + 1)
  const again = await call(url, 'POST', favourite, { token })
  deepStrictEqual(
    again.json.article.favoritesCount,
    favoured.json.article.favoritesCount,
    'favouriting twice',
  )

  const article = {
    title: 'Smoke check',
    description: 'What it is about',
    body: 'Its body',
    tagList: ['smoke', tagName(1)],
  }
  const created = await call(url, 'POST', '/api/articles', { token, body: { article } })
  check(created.status === 201, `POST /api/articles answered ${created.status}: ${created.text}`)
  check(keys(created.json.article) === ARTICLE, `keys of a new article: ${keys(created.json.article)}`)
  deepStrictEqual(created.json.article.tagList, ['smoke', tagName(1)])
  deepStrictEqual(created.json.article.author, {
    username: VIEWER.username,
    bio: null,
    image: null,
    following: false,
  })
  const untitled = await call(url, 'POST', '/api/articles', {
    token,
    body: { article: { ...article, title: '' } },
  })
  check(
    untitled.status === 422 && keys(untitled.json) === 'errors',
    `an empty title answered ${untitled.status}`,
  )
  return answers
}
