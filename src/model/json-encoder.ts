/**
 * A model's JSON encoder (pydantic's `model_dump_json` with validation): writes the JSON text of a value
 * through the model in one pass, keeping only the model's fields, nested and in lists, and checking each
 * value as `validate()` would. Built once per model; no intermediate object is made, which is what keeps
 * a response of a hundred rows cheap.
 */
import { Invalid, InvalidNested } from './coerce.ts'
import type { AnyField, NestedModel } from './field.ts'
import type { ValidationIssue } from './validation-error.ts'

/** The JSON text of `value`, or the issues that keep it from matching the model. */
export type JsonEncoder = (value: unknown, loc: readonly (string | number)[]) => string | InvalidNested

/** What the encoder needs of a model: its fields and their coercers (`Model` provides both). */
export interface EncodableModel extends NestedModel {
  readonly fields: Readonly<Record<string, AnyField>>
  coercerOf(key: string): (input: unknown) => unknown
}

const encoders = new WeakMap<EncodableModel, JsonEncoder>()

const NOT_AN_OBJECT = new Invalid(
  'model_attributes_type',
  'Input should be a valid dictionary or object to extract fields from',
)
const NOT_A_LIST = new Invalid('list_type', 'Input should be a valid list')

/** The encoder of `model`, built on first use. */
export function jsonEncoder(model: EncodableModel): JsonEncoder {
  let encoder = encoders.get(model)
  if (!encoder) encoders.set(model, (encoder = buildEncoder(model)))
  return encoder
}

/** The encoder of a JSON array of `model`'s objects. */
export function jsonListEncoder(model: EncodableModel): JsonEncoder {
  const item = jsonEncoder(model)
  return (value, loc) => {
    if (!Array.isArray(value)) return new InvalidNested([NOT_A_LIST.at([...loc], value)])
    let out = '['
    let issues: ValidationIssue[] | undefined
    for (let i = 0; i < value.length; i++) {
      const encoded = item(value[i], [...loc, i])
      if (typeof encoded === 'string') out += i === 0 ? encoded : ',' + encoded
      else (issues ??= []).push(...encoded.issues)
    }
    return issues ? new InvalidNested(issues) : out + ']'
  }
}

interface FieldPlan {
  readonly key: string
  /** `"key":`, written before the value. */
  readonly prefix: string
  readonly field: AnyField
  readonly encode: (value: unknown, loc: readonly (string | number)[]) => string | Invalid | InvalidNested
}

function buildEncoder(model: EncodableModel): JsonEncoder {
  const plans: FieldPlan[] = Object.entries(model.fields).map(([key, field]) => ({
    key,
    prefix: `${JSON.stringify(key)}:`,
    field,
    encode: valueEncoder(field, model.coercerOf(key)),
  }))
  return (value, loc) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return new InvalidNested([NOT_AN_OBJECT.at([...loc], value)])
    }
    const source = value as Record<string, unknown>
    let out = '{'
    let issues: ValidationIssue[] | undefined
    for (const { key, prefix, field, encode } of plans) {
      let raw = source[key]
      if (raw === undefined) {
        if (field.hasDefault) raw = field.defaultValue()
        else if (field.isGenerated) raw = null
        else if (field.optional) continue
        else {
          ;(issues ??= []).push({ type: 'missing', loc: [...loc, key], msg: 'Field required', input: value })
          continue
        }
      }
      const encoded = raw === null && field.nullable ? 'null' : encode(raw, [...loc, key])
      if (typeof encoded === 'string') out += out.length === 1 ? prefix + encoded : ',' + prefix + encoded
      else if (encoded instanceof Invalid) (issues ??= []).push(encoded.at([...loc, key], raw))
      else (issues ??= []).push(...encoded.issues)
    }
    return issues ? new InvalidNested(issues) : out + '}'
  }
}

/** Encodes one non-null value of `field`, after its coercer accepts it. */
function valueEncoder(field: AnyField, coerce: (input: unknown) => unknown): FieldPlan['encode'] {
  if (field.kind === 'model') {
    const nested = jsonEncoder(field.model as EncodableModel)
    return (value, loc) => nested(value, loc)
  }
  if (field.kind === 'list') {
    const nested = jsonListEncoder(field.model as EncodableModel)
    return (value, loc) => nested(value, loc)
  }
  const text = textOf(field)
  return (value) => {
    const checked = coerce(value)
    return checked instanceof Invalid ? checked : text(checked)
  }
}

function textOf(field: AnyField): (value: unknown) => string {
  switch (field.kind) {
    case 'integer':
    case 'number':
      return String // coercion guarantees a finite number
    case 'boolean':
      return (value) => (value ? 'true' : 'false')
    case 'datetime':
      return (value) => `"${(value as Date).toISOString()}"`
    default:
      return (value) => JSON.stringify(value)
  }
}
