/**
 * Secret values kept out of what validation echoes: a field declared `secret: true` shows as
 * {@link REDACTED} in an issue's `input`, in nested models and lists of them too. Only failing validation
 * pays for it.
 */
import type { AnyField } from './field.ts'
import { REDACTED, type ValidationIssue } from './validation-error.ts'

/** A field redaction replaces (a secret) or looks into (a nested model that may hold secrets). */
export interface RedactedField {
  readonly key: string
  readonly field: AnyField
  readonly secret: boolean
}

/** `input` with the values of `fields` redacted: what `Model.redact` returns. */
export function redactFields(fields: readonly RedactedField[], input: unknown): unknown {
  if (fields.length === 0) return input
  if (typeof input === 'string' || Array.isArray(input)) return REDACTED
  if (typeof input !== 'object' || input === null) return input
  // Own enumerable keys only, as JSON.stringify shows them; no getter of a row is called.
  const copy: Record<string, unknown> = { ...input }
  let changed = false
  for (const { key, field, secret } of fields) {
    const value = copy[key]
    if (!Object.hasOwn(copy, key) || value === undefined) continue
    const redacted = secret ? REDACTED : redactNested(field, value)
    if (redacted !== value) {
      copy[key] = redacted
      changed = true
    }
  }
  return changed ? copy : input
}

/**
 * The value of a `model` or `list` field, redacted by the nested model: a list item by item (the list
 * itself when no item changed).
 */
export function redactNested(field: AnyField, value: unknown): unknown {
  const model = field.model!
  if (field.kind !== 'list' || !Array.isArray(value)) return model.redact(value)
  const items = value.map((item: unknown) => model.redact(item))
  return items.some((item, index) => item !== value[index]) ? items : value
}

/** An issue inside a secret field: its input is the secret's, whatever part of it failed. */
export function withRedactedInput(issue: ValidationIssue): ValidationIssue {
  return { ...issue, input: REDACTED }
}
