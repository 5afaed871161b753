/**
 * OAuth2 scopes (FastAPI's "OAuth2 scopes"): a route or a dependency requires scopes where it uses a
 * dependency, with {@link security}; a dependency that declares {@link securityScopes} among its parameters
 * gets every scope required along the chain of dependencies that reached it, from the route down, to check
 * them against the token's. The OpenAPI document lists them on each operation's `security` requirement.
 */
import { RouteDefinitionError } from '../errors.ts'
import { Dependency } from './depends.ts'
import type { Params } from './params.ts'
import { SecurityDependency } from './security.ts'

/**
 * The scopes required along the chain of dependencies that reached a dependency (FastAPI's
 * `SecurityScopes`), outermost first, each once. Immutable.
 *
 * @example
 * const challenge = scopes.scopes.length > 0 ? `Bearer scope="${scopes.scopeStr}"` : 'Bearer'
 */
export class SecurityScopes {
  readonly scopes: readonly string[]
  /** The scopes separated by spaces, as OAuth2 writes them (RFC 6749 §3.3): `'items me'`. */
  readonly scopeStr: string

  constructor(scopes: readonly string[]) {
    this.scopes = Object.freeze([...scopes])
    this.scopeStr = scopes.join(' ')
    Object.freeze(this)
  }
}

/**
 * The parameter that receives a dependency's {@link SecurityScopes}: the type of {@link securityScopes},
 * whose value the route's plan gives.
 *
 * @example
 * const scopesOf = depends({ scopes: securityScopes }, ({ scopes }) => scopes.scopes)
 */
export class SecurityScopesParam extends Dependency<SecurityScopes, {}> {
  constructor() {
    super({}, function securityScopes() {
      throw new RouteDefinitionError(
        'securityScopes is a parameter of a route or a dependency, given by the route; it does not run by itself.',
      )
    })
  }
}

/**
 * The scopes required along the chain that reached a dependency, as a parameter (FastAPI's
 * `security_scopes: SecurityScopes`): `params: { scopes: securityScopes }`.
 *
 * @example
 * const currentUser = depends({ scopes: securityScopes, token: oauth2Scheme }, ({ scopes, token }) => {
 *   const user = userOfToken(token)
 *   const challenge = scopes.scopes.length > 0 ? `Bearer scope="${scopes.scopeStr}"` : 'Bearer'
 *   for (const scope of scopes.scopes) {
 *     if (!user.scopes.includes(scope)) HTTPError.raise(401, 'Not enough permissions', { 'WWW-Authenticate': challenge })
 *   }
 *   return user
 * })
 */
export const securityScopes = new SecurityScopesParam()

/**
 * A dependency as a route or another dependency uses it, requiring `scopes`: what {@link security} gives.
 * Immutable.
 *
 * @example
 * const itemsUser: ScopedDependency<User> = security(currentUser, { scopes: ['items'] })
 */
export class ScopedDependency<T = unknown, P extends Params = Params> extends Dependency<T, P> {
  /** The dependency used, which overrides and the once-per-request rule know it by. */
  readonly dependency: Dependency<T, P>
  readonly scopes: readonly string[]

  constructor(dependency: Dependency<T, P>, scopes: readonly string[]) {
    super(dependency.params, dependency.run, dependency.disposes)
    this.dependency = dependency
    this.scopes = Object.freeze([...scopes])
  }

  override get overridden(): Dependency<T, P> {
    return this.dependency.overridden
  }
}

// RFC 6749 §3.3's scope-token: printable ASCII but space, `"` and `\`, so it fits a quoted challenge.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

/**
 * Uses `dependency` requiring OAuth2 `scopes` (FastAPI's `Security(dependency, scopes=[...])`): in a
 * route's or a dependency's `params`, or in a `dependencies` list. The scopes add up from the route down:
 * every dependency below gets them in its {@link securityScopes}, and the operation's `security` in the
 * OpenAPI document lists them. A dependency that depends on scopes runs once per request for each distinct
 * set of scopes it is reached with; one that does not runs once.
 *
 * @example
 * const currentActiveUser = depends({ user: security(currentUser, { scopes: ['me'] }) }, ({ user }) => user)
 * app.get('/users/me/items/', { params: { user: security(currentActiveUser, { scopes: ['items'] }) } },
 *   ({ user }) => [{ item_id: 'Foo', owner: user.username }])
 */
export function security<T, P extends Params>(
  dependency: Dependency<T, P>,
  options: { readonly scopes: readonly string[] },
): ScopedDependency<T, P> {
  if (dependency instanceof SecurityScopesParam) {
    throw new RouteDefinitionError(
      'securityScopes cannot require scopes: use security() on the dependency that takes it.',
    )
  }
  for (const scope of options.scopes) {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      throw new RouteDefinitionError(
        `${JSON.stringify(scope)} is not an OAuth2 scope: a scope is printable ASCII without spaces, '"' or '\\' (RFC 6749 §3.3).`,
      )
    }
  }
  return dependency instanceof ScopedDependency
    ? new ScopedDependency(dependency.dependency, [...dependency.scopes, ...options.scopes])
    : new ScopedDependency(dependency, options.scopes)
}

/** A use of a dependency: the dependency itself and the scopes this use requires. */
export function usedWith(use: Dependency): { dependency: Dependency; scopes: readonly string[] } {
  return use instanceof ScopedDependency
    ? { dependency: use.dependency, scopes: use.scopes }
    : { dependency: use, scopes: [] }
}

/** The chain's scopes with `own` added after them, each once, in order (FastAPI's `_get_oauth_scopes`). */
export function withScopes(chain: readonly string[], own: readonly string[]): readonly string[] {
  return own.length === 0 ? chain : [...new Set([...chain, ...own])]
}

/**
 * Tells whether a dependency's value may depend on the scopes it is reached with (FastAPI's
 * `_uses_scopes`): it is a security scheme, takes {@link securityScopes}, or uses, however deep, a
 * dependency that does or that requires scopes. A route runs such a dependency once per distinct set of
 * scopes, any other once.
 */
export class ScopeKeys {
  readonly #overrides: ReadonlyMap<Dependency, Dependency>
  readonly #known = new Map<Dependency, boolean>()

  constructor(overrides: ReadonlyMap<Dependency, Dependency>) {
    this.#overrides = overrides
  }

  /**
   * The key that tells a dependency's runs in one request apart, for a `use` of it reached with `scopes`
   * (own included): the sorted distinct scopes when its value may depend on them, else `''` (FastAPI's
   * cache key).
   */
  key(use: Dependency, scopes: readonly string[]): string {
    return this.#dependsOnScopes(use) ? JSON.stringify([...new Set(scopes)].sort()) : ''
  }

  #dependsOnScopes(use: Dependency): boolean {
    const { dependency, scopes } = usedWith(use)
    return scopes.length > 0 || this.#uses(dependency)
  }

  #uses(dependency: Dependency): boolean {
    const known = this.#known.get(dependency)
    if (known !== undefined) return known
    this.#known.set(dependency, false) // a cycle is refused by the planner; this only ends the walk
    const effective = this.#overrides.get(dependency) ?? dependency
    const uses =
      effective instanceof SecurityDependency ||
      Object.values(effective.params).some(
        (spec) =>
          spec instanceof SecurityScopesParam || (spec instanceof Dependency && this.#dependsOnScopes(spec)),
      )
    this.#known.set(dependency, uses)
    return uses
  }
}
