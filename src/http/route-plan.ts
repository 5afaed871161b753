/**
 * One route's plan: its parameters and those of all its dependencies, flattened into the inputs a request
 * reads and the dependencies it runs, in order. Made when the route is added (its checks), for OpenAPI, and
 * by the request handler (again when `dependencyOverrides` change).
 */
import { RouteDefinitionError } from '../errors.ts'
import { Dependency } from './depends.ts'
import { BodyParam, FormModelParam, Param, type Params } from './params.ts'
import type { RouteDefinition } from './route.ts'
import { ScopeKeys, SecurityScopes, SecurityScopesParam, usedWith, withScopes } from './security-scopes.ts'
import { FileParam, formPlanOf, type FormPlan } from './uploads.ts'

/** Where one argument of a handler or dependency comes from: a request input, a dependency, or a constant. */
export type ArgSource =
  | { readonly name: string; readonly input: number }
  | { readonly name: string; readonly node: number }
  /** Known when planning: a dependency's {@link SecurityScopes}. */
  | { readonly name: string; readonly value: unknown }

/** One value the request holds: a parameter, the JSON body, a form model or a file. */
export interface Input {
  readonly name: string
  readonly spec: Param | BodyParam | FormModelParam | FileParam
  /** The name in the request (alias, or `_` as `-` for headers), as a 422 `loc` shows it. */
  readonly wire: string
  /** Where the request holds it: the wire name, lower-cased for headers (Node lower-cases them). */
  readonly key: string
}

/** The parameters of a route and all its dependencies, flattened: read every input, then run the nodes in order. */
export interface Plan {
  readonly inputs: readonly Input[]
  /**
   * Dependencies in an order where each comes after its own dependencies, with the OAuth2 scopes required
   * along the chain that reached each. One that depends on scopes is a node per distinct set of them.
   */
  readonly nodes: readonly {
    readonly dependency: Dependency
    readonly args: readonly ArgSource[]
    readonly scopes: readonly string[]
  }[]
  readonly root: readonly ArgSource[]
  /** Set when an input is a form field or a file: the form is read before the inputs. */
  readonly form: FormPlan | undefined
}

/** Plans a route's parameters with the dependency overrides in force. */
export function planRoute(route: RouteDefinition, overrides: ReadonlyMap<Dependency, Dependency>): Plan {
  const where = `${route.method} ${route.path}`
  const inputs: Input[] = []
  const nodes: Plan['nodes'][number][] = []
  // Each dependency by the key of the scopes it was reached with ('' when it does not depend on them).
  const planned = new Map<Dependency, Map<string, number>>()
  const visiting = new Set<Dependency>()
  const scopeKeys = new ScopeKeys(overrides)
  let bodyParam: BodyParam | undefined

  const sources = (params: Params, owner: string, scopes: readonly string[]): ArgSource[] =>
    Object.entries(params).map(([name, spec]): ArgSource => {
      if (spec instanceof SecurityScopesParam) return { name, value: new SecurityScopes(scopes) }
      if (spec instanceof Dependency) return { name, node: visit(spec, scopes) }
      if (spec instanceof BodyParam) {
        if (bodyParam && bodyParam !== spec) {
          throw new RouteDefinitionError(
            `${where}: '${name}' of ${owner} is a second body() parameter. A route reads one JSON body; declare one model with both parts.`,
          )
        }
        bodyParam = spec
      } else if (!(spec instanceof Param || spec instanceof FileParam || spec instanceof FormModelParam)) {
        throw new RouteDefinitionError(
          `${where}: '${name}' of ${owner} is not a parameter. Use path.*(), query.*(), header.*(), cookie.*(), form.*(), file(), body(Model) or depends().`,
        )
      }
      const wire = spec instanceof Param ? spec.wireName(name) : spec instanceof FileParam ? name : 'body'
      inputs.push({
        name,
        spec,
        wire,
        key: spec instanceof Param && spec.location === 'header' ? wire.toLowerCase() : wire,
      })
      return { name, input: inputs.length - 1 }
    })

  /** Plans `use`, a dependency reached with the `chain`'s scopes, unless planned with the same ones. */
  const visit = (use: Dependency, chain: readonly string[]): number => {
    if (use instanceof SecurityScopesParam) {
      throw new RouteDefinitionError(`${where}: securityScopes is a parameter, not a dependency to run.`)
    }
    const { dependency, scopes: own } = usedWith(use)
    const scopes = withScopes(chain, own)
    const key = scopeKeys.key(use, scopes)
    let byScopes = planned.get(dependency)
    if (!byScopes) planned.set(dependency, (byScopes = new Map()))
    const known = byScopes.get(key)
    if (known !== undefined) return known
    if (visiting.has(dependency)) {
      throw new RouteDefinitionError(`${where}: dependency ${dependency.name} depends on itself.`)
    }
    visiting.add(dependency)
    const effective = overrides.get(dependency) ?? dependency
    const args = sources(effective.params, `dependency ${effective.name}`, scopes)
    visiting.delete(dependency)
    nodes.push({ dependency: effective, args, scopes })
    byScopes.set(key, nodes.length - 1)
    return nodes.length - 1
  }

  // The route's own dependencies run first, as FastAPI runs a router's; their values go nowhere.
  for (const dependency of route.options.dependencies ?? []) {
    if (!(dependency instanceof Dependency)) {
      throw new RouteDefinitionError(`${where}: an item of dependencies is not a dependency. Use depends().`)
    }
    visit(dependency, [])
  }
  const root = sources(route.options.params ?? {}, 'the route', [])
  const form = formPlanOf(
    inputs.map((input) => input.spec),
    where,
  )
  if (form && bodyParam) {
    throw new RouteDefinitionError(
      `${where}: a route reads either a JSON body() or form fields and files, not both.`,
    )
  }
  return { inputs, nodes, root, form }
}

/** Checks the path template against the path parameters of a route's plan, when the route is added. */
export function checkPathParams(route: RouteDefinition, plan: Plan): void {
  const where = `${route.method} ${route.path}`
  const inTemplate = new Set([...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!))
  const declared = new Set<string>()
  for (const { spec, wire } of plan.inputs) {
    if (!(spec instanceof Param) || spec.location !== 'path') continue
    if (!inTemplate.has(wire)) {
      throw new RouteDefinitionError(
        `${where}: path parameter '${wire}' is not in the path template. Add '{${wire}}' to the path, or read it from query.*().`,
      )
    }
    if (spec.hasDefault || spec.options.optional) {
      throw new RouteDefinitionError(
        `${where}: path parameter '${wire}' cannot have a default or be optional; a path always carries it.`,
      )
    }
    declared.add(wire)
  }
  for (const name of inTemplate) {
    if (!/^[A-Za-z_]\w*$/.test(name)) {
      throw new RouteDefinitionError(`${where}: '{${name}}' is not a valid path parameter name.`)
    }
    if (!declared.has(name)) {
      throw new RouteDefinitionError(
        `${where}: the path has '{${name}}' but no parameter declares it. Add '${name}: path.string()' (or path.integer(), …) to params.`,
      )
    }
  }
}
