/**
 * The comments of an article. Only a comment's author may delete it (403 for anyone else).
 */
import { body, createRouter, HTTPError, path, type Session } from 'onemodel-ts'
import type { ConduitDependencies } from '../dependencies.ts'
import {
  Comment,
  MultipleCommentsResponse,
  NewCommentRequest,
  SingleCommentResponse,
  type User,
} from '../models.ts'
import { profileOf, readArticleId, readComments } from '../reading.ts'

async function articleId(session: Session, slug: string): Promise<number> {
  return (await readArticleId(session, slug)) ?? HTTPError.raise(404, 'Article not found')
}

function commentOf(comment: Comment, author: User, following: boolean) {
  return {
    id: comment.id,
    body: comment.body,
    createdAt: comment.created_at,
    updatedAt: comment.updated_at,
    author: profileOf(author, following),
  }
}

/**
 * The comments router.
 *
 * @example
 * app.include(commentsRouter(dependencies), { prefix: '/api' })
 */
export function commentsRouter({ getSession, currentUser, optionalUser }: ConduitDependencies) {
  const router = createRouter({ prefix: '/articles/{slug}/comments', tags: ['Comments'] })
  const slug = path.string({ description: 'Slug of the article' })

  router.get(
    '',
    { params: { slug, viewer: optionalUser, session: getSession }, response: MultipleCommentsResponse },
    async function listComments({ slug, viewer, session }) {
      const rows = await readComments(session, await articleId(session, slug), viewer?.user)
      return {
        comments: rows.map(([comment, author, following]) => commentOf(comment, author, following > 0)),
      }
    },
  )

  router.post(
    '',
    {
      params: { slug, request: body(NewCommentRequest), me: currentUser, session: getSession },
      response: SingleCommentResponse,
    },
    async function createComment({ slug, request: { comment }, me, session }) {
      // One instant for both, as for an article.
      const created = new Date()
      const dbComment = Comment.create({
        ...comment,
        created_at: created,
        updated_at: created,
        article_id: await articleId(session, slug),
        author_id: me.user.id,
      })
      session.add(dbComment)
      await session.commit()
      // No one follows themselves (the profiles router refuses it), so the author's flag is false.
      return { comment: commentOf(await session.refresh(dbComment), me.user, false) }
    },
  )

  router.delete(
    '/{id}',
    {
      params: {
        slug,
        id: path.integer({ description: 'ID of the comment' }),
        me: currentUser,
        session: getSession,
      },
      status: 204,
    },
    async function deleteComment({ slug, id, me, session }) {
      const comment = await session.get(Comment, id)
      if (!comment || comment.article_id !== (await articleId(session, slug))) {
        HTTPError.raise(404, 'Comment not found')
      }
      if (comment.author_id !== me.user.id) HTTPError.raise(403, 'You are not the author of this comment')
      await session.delete(comment)
      await session.commit()
    },
  )

  return router
}
