import { OnemodelError } from '../errors.ts'

/**
 * One validation problem, shaped as a pydantic v2 error item, which is what FastAPI returns in a 422
 * `{"detail": [...]}` body: `type` is pydantic's code (`missing`, `int_parsing`, `string_too_long`, …),
 * `loc` the path to the value, `msg` the human message, `input` the rejected value and `ctx` the limits.
 */
export interface ValidationIssue {
  type: string
  loc: (string | number)[]
  msg: string
  input: unknown
  ctx?: Record<string, unknown>
}

/**
 * What an error shows instead of the value of a field declared `secret: true`, wherever input is echoed: a
 * 422 item's `input`, {@link ValidationError.issues}. pydantic's `SecretStr` prints the same.
 *
 * @example
 * HeroCreate.safeValidate({ secret_name: 'Dive Wilson' })
 * // issues: [{ type: 'missing', loc: ['name'], …, input: { secret_name: '**********' } }]
 */
export const REDACTED = '**********'

/**
 * Input did not match a model. `issues` is data, one item per problem, in field order; the values of secret
 * fields in their `input` are {@link REDACTED}.
 *
 * @example
 * try { HeroCreate.validate({ name: 'Deadpond' }) } catch (error) {
 *   if (error instanceof ValidationError) console.log(error.issues)
 *   // [{ type: 'missing', loc: ['secret_name'], msg: 'Field required', input: { name: 'Deadpond' } }]
 * }
 */
export class ValidationError extends OnemodelError {
  readonly issues: ValidationIssue[]
  /** The model that rejected the input. */
  readonly model: string

  constructor(model: string, issues: ValidationIssue[]) {
    super('OM_MODEL_VALIDATION', describe(model, issues))
    this.model = model
    this.issues = issues
  }
}

// The message names fields and codes but never echoes input values: a rejected value may be a secret.
function describe(model: string, issues: ValidationIssue[]): string {
  const count = issues.length === 1 ? '1 validation error' : `${issues.length} validation errors`
  const lines = issues.map(
    (issue) => `  ${issue.loc.join('.') || '(root)'}: ${issue.msg} [type=${issue.type}]`,
  )
  return `${count} for ${model}\n${lines.join('\n')}`
}
