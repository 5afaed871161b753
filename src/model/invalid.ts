/** How a coercer says an input is rejected, in pydantic's terms: one value's error, or a nested value's issues. */
import type { ValidationIssue } from './validation-error.ts'

/** A rejected value: pydantic's error `type`, message and context, without the location. */
export class Invalid {
  readonly type: string
  readonly msg: string
  readonly ctx: Record<string, unknown> | undefined

  constructor(type: string, msg: string, ctx?: Record<string, unknown>) {
    this.type = type
    this.msg = msg
    this.ctx = ctx
  }

  at(loc: (string | number)[], input: unknown): ValidationIssue {
    const issue: ValidationIssue = { type: this.type, loc, msg: this.msg, input }
    if (this.ctx !== undefined) issue.ctx = this.ctx
    return issue
  }
}

/** The issues of a nested value (a `model` or `list` field), each with its full location. */
export class InvalidNested {
  readonly issues: ValidationIssue[]

  constructor(issues: ValidationIssue[]) {
    this.issues = issues
  }
}
