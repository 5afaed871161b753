import type { FastifyReply, FastifyRequest } from 'fastify'
import type { OutgoingResponse } from './outgoing-response.ts'
import type { Args, Params } from './params.ts'

/**
 * What a handler or a dependency gets beside its parameters: the headers, cookies and status to add to
 * the answer, and Fastify's request and reply, as an escape hatch.
 */
export interface RequestContext {
  /** Headers, cookies and a status for the answer (FastAPI's `Response` parameter). */
  readonly response: OutgoingResponse
  readonly request: FastifyRequest
  readonly reply: FastifyReply
}

/**
 * What a generator dependency returns: it yields its value once, and its code after `yield` is the cleanup.
 *
 * @example
 * const getSession = depends(async function* () {
 *   await using session = new Session(engine) // closed after the response is sent
 *   yield session
 * })
 */
export type Yielding<T> = AsyncGenerator<T, unknown, undefined> | Generator<T, unknown, undefined>

/** A function a dependency may run: it returns (or resolves to) its value, or yields it once. */
export type DependencyFunction<P extends Params = any, T = unknown> = (
  args: Args<P>,
  context: RequestContext,
) => T | Promise<T> | Yielding<T>

/** What {@link depends.using} dependencies give: a value that disposes of itself, as `using` would. */
export type Resource = Disposable | AsyncDisposable

/**
 * A dependency (FastAPI's `Depends`): a value computed per request, before the handler, from its own
 * parameters and sub-dependencies. Each dependency runs at most once per request, however many routes'
 * parameters or other dependencies name it. Immutable.
 */
export class Dependency<T = unknown, P extends Params = Params> {
  declare readonly '~value': T
  readonly params: P
  readonly run: DependencyFunction<P, unknown>
  /** Its value is a {@link Resource}, disposed of after the response (see {@link depends.using}). */
  readonly disposes: boolean

  constructor(params: P, run: DependencyFunction<P, unknown>, disposes = false) {
    this.params = params
    this.run = run
    this.disposes = disposes
  }

  /** The function's name, for error messages and logs. */
  get name(): string {
    return this.run.name || 'anonymous dependency'
  }

  /** The dependency that overrides replace: itself, or the one a `security()` use wraps. */
  get overridden(): Dependency<T, P> {
    return this
  }
}

/**
 * Declares a dependency. A generator function yields the value once; the code after `yield` (and any
 * `await using` inside it) runs after the response is sent, even when the handler throws: the place for
 * cleanup such as closing a Session (seed 004's `get_session`).
 *
 * @example
 * const getSession = depends(async function* () {
 *   await using session = new Session(engine)
 *   yield session
 * })
 * const currentUser = depends({ token: header.string({ alias: 'authorization' }), session: getSession },
 *   async ({ token, session }) => (await findUser(session, token)) ?? HTTPError.raise(401, 'Not authenticated'))
 */
export function depends<T>(run: (args: {}, context: RequestContext) => Yielding<T>): Dependency<T, {}>
export function depends<T>(run: (args: {}, context: RequestContext) => T): Dependency<Awaited<T>, {}>
export function depends<const P extends Params, T>(
  params: P,
  run: (args: Args<P>, context: RequestContext) => Yielding<T>,
): Dependency<T, P>
export function depends<const P extends Params, T>(
  params: P,
  run: (args: Args<P>, context: RequestContext) => T,
): Dependency<Awaited<T>, P>
export function depends(
  paramsOrRun: Params | DependencyFunction,
  run?: DependencyFunction,
): Dependency<unknown, Params> {
  return declared(paramsOrRun, run, false)
}

/** The dependency of `depends()`'s or `depends.using()`'s arguments: `(run)` or `(params, run)`. */
function declared(
  paramsOrRun: Params | DependencyFunction,
  run: DependencyFunction | undefined,
  disposes: boolean,
): Dependency<unknown, Params> {
  return typeof paramsOrRun === 'function'
    ? new Dependency({}, paramsOrRun, disposes)
    : new Dependency(paramsOrRun, run!, disposes)
}

/**
 * Declares a dependency whose value is a {@link Resource} (a `Session`, a file handle, a lock): the handler
 * gets it, and after the response is sent, the handler failed or not, it is disposed of
 * (`[Symbol.asyncDispose]()`, else `[Symbol.dispose]()`), last made first with the generator dependencies'
 * cleanup. It does what a generator with `await using value = …; yield value` does, without a generator:
 * no generator to step through, and one call after the response. A generator stays the way to run code
 * of your own after the response, or to see the handler's error.
 *
 * @example
 * const getSession = depends.using(() => new Session(engine))
 * const getTenantSession = depends.using({ tenant: header.string() }, ({ tenant }) => new Session(engines.get(tenant)!))
 */
function dependsUsing<T extends Resource>(
  run: (args: {}, context: RequestContext) => T | Promise<T>,
): Dependency<T, {}>
function dependsUsing<const P extends Params, T extends Resource>(
  params: P,
  run: (args: Args<P>, context: RequestContext) => T | Promise<T>,
): Dependency<T, P>
function dependsUsing(
  paramsOrRun: Params | DependencyFunction,
  run?: DependencyFunction,
): Dependency<unknown, Params> {
  return declared(paramsOrRun, run, true)
}

depends.using = dependsUsing

/**
 * Replacements for dependencies, for tests (FastAPI's `app.dependency_overrides`): every route that
 * depends on the key gets the replacement's value instead. A plain function is taken as a dependency
 * without parameters, whose value is not disposed of: replace a {@link depends.using} dependency with
 * another, `depends.using(() => new Session(testEngine))`. A `security(dependency, { scopes })` key
 * overrides the dependency it uses.
 *
 * @example
 * app.dependencyOverrides.set(getSession, async function* () {
 *   await using session = new Session(testEngine)
 *   yield session
 * })
 */
export class DependencyOverrides extends Map<Dependency<any, any>, Dependency<any, any>> {
  #version = 0

  /** Increases whenever an override changes, so routes know to re-plan their dependencies. */
  get version(): number {
    return this.#version
  }

  /** Replaces `dependency`; the replacement must give a value of the same type. */
  override set<T>(
    dependency: Dependency<T, any>,
    replacement:
      | Dependency<NoInfer<T>, any>
      | ((args: {}, context: RequestContext) => NoInfer<T> | Promise<NoInfer<T>> | Yielding<NoInfer<T>>),
  ): this {
    this.#version++
    return super.set(
      dependency.overridden,
      replacement instanceof Dependency ? replacement : new Dependency({}, replacement as DependencyFunction),
    )
  }

  override get(dependency: Dependency<any, any>): Dependency<any, any> | undefined {
    return super.get(dependency.overridden)
  }

  override has(dependency: Dependency<any, any>): boolean {
    return super.has(dependency.overridden)
  }

  override delete(dependency: Dependency<any, any>): boolean {
    this.#version++
    return super.delete(dependency.overridden)
  }

  override clear(): void {
    this.#version++
    super.clear()
  }
}
