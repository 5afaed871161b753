/** The tags in use: those of at least one article. */
import { createRouter, select } from 'onemodel-ts'
import type { ConduitDependencies } from '../dependencies.ts'
import { Tag, TagsResponse } from '../models.ts'

/**
 * The tags router.
 *
 * @example
 * app.include(tagsRouter(dependencies), { prefix: '/api' })
 */
export function tagsRouter({ getSession }: ConduitDependencies) {
  const router = createRouter({ tags: ['Tags'] })
  const tagsInUse = select(Tag.c.name).where(Tag.rel.articles.any()).orderBy(Tag.c.name)

  router.get(
    '/tags',
    { params: { session: getSession }, response: TagsResponse },
    async function listTags({ session }) {
      return { tags: await session.exec(tagsInUse).all() }
    },
  )

  return router
}
