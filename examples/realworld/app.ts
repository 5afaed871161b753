/**
 * Conduit, RealWorld's API (https://github.com/gothinkster/realworld), on onemodel: users with token
 * auth, profiles and follows, articles with tags and favourites, comments, a feed, filters and paging with
 * totals. Each area is a router of its own under `routers/`, included under `/api`; `docs/realworld.md`
 * walks through how it is built.
 */
import { createAll, createApp, createEngine, type Engine } from 'onemodel-ts'
import { conduitDependencies } from './dependencies.ts'
import { answerInRealWorldShape } from './errors.ts'
import { GenericErrorModel, metadata } from './models.ts'
import { articlesRouter } from './routers/articles.ts'
import { commentsRouter } from './routers/comments.ts'
import { profilesRouter } from './routers/profiles.ts'
import { tagsRouter } from './routers/tags.ts'
import { usersRouter } from './routers/users.ts'
import { DEVELOPMENT_SECRET, Tokens } from './tokens.ts'

export { metadata }

/** What the app runs on. */
export interface RealWorldOptions {
  /** The database; the app creates its tables at startup and disposes of the engine at shutdown. */
  readonly engine: Engine
  /** The secret JWTs are signed with: `JWT_SECRET`, else a development default that must not be deployed. */
  readonly jwtSecret?: string
}

/**
 * Builds the Conduit app on an engine.
 *
 * @example
 * const { app } = createRealWorldApp({ engine: createEngine('sqlite:///realworld.db') })
 * await app.listen({ port: 8000 })
 */
export function createRealWorldApp({
  engine,
  jwtSecret = process.env.JWT_SECRET ?? DEVELOPMENT_SECRET,
}: RealWorldOptions) {
  const dependencies = conduitDependencies(engine, new Tokens(jwtSecret))

  const app = createApp({
    title: 'RealWorld Conduit API',
    description: 'Conduit, the RealWorld API, built with onemodel.',
    lifespan: {
      startup: () => createAll(engine, { metadata }),
      shutdown: () => engine.dispose(),
    },
  })
  answerInRealWorldShape(app)

  for (const router of [
    usersRouter(dependencies),
    profilesRouter(dependencies),
    articlesRouter(dependencies),
    commentsRouter(dependencies),
    tagsRouter(dependencies),
  ]) {
    // Every error is answered in RealWorld's shape, the 422s too: the document says so.
    app.include(router, {
      prefix: '/api',
      responses: { 422: { description: 'Unexpected error', model: GenericErrorModel } },
    })
  }

  return { app, engine }
}

/**
 * The app on `DATABASE_URL` (default `sqlite:///realworld.db`; PostgreSQL and MySQL URLs work unchanged).
 *
 * @example
 * const { app } = realWorldApp()
 */
export function realWorldApp(databaseUrl = process.env.DATABASE_URL ?? 'sqlite:///realworld.db') {
  return createRealWorldApp({ engine: createEngine(databaseUrl) })
}
