/**
 * A model's JSON encoder (pydantic's `model_dump_json` with validation): writes the JSON text of a value
 * through the model in one pass, keeping only the model's fields, nested and in lists, and checking each
 * value with the field's coercer, as `validate()` does. Built once per model; no intermediate object and
 * no error location is made on the way, which is what keeps a response of a hundred rows cheap. When a
 * value does not fit, the encoder gives `undefined`, and `safeValidate()` says why.
 */
import { Invalid } from './invalid.ts'
import { keysSetAtFlush, type AnyField, type NestedModel } from './field.ts'

/** The JSON text of `value`, or `undefined` when it does not match the model. */
export type JsonEncoder = (value: unknown) => string | undefined

/** What the encoder needs of a model: its fields and their coercers (`Model` provides both). */
export interface EncodableModel extends NestedModel {
  readonly fields: Readonly<Record<string, AnyField>>
  coercerOf(key: string): (input: unknown) => unknown
}

const encoders = new WeakMap<EncodableModel, JsonEncoder>()

/** The encoder of `model`, built on first use. */
export function jsonEncoder(model: EncodableModel): JsonEncoder {
  let encoder = encoders.get(model)
  if (!encoder) encoders.set(model, (encoder = buildEncoder(model)))
  return encoder
}

/** The encoder of a JSON array of `model`'s objects. */
export function jsonListEncoder(model: EncodableModel): JsonEncoder {
  const item = jsonEncoder(model)
  return (value) => {
    if (!Array.isArray(value)) return undefined
    let out = '['
    for (let i = 0; i < value.length; i++) {
      const encoded = item(value[i])
      if (encoded === undefined) return undefined
      out += i === 0 ? encoded : ',' + encoded
    }
    return out + ']'
  }
}

interface FieldPlan {
  readonly key: string
  /** `"key":`, written before the value. */
  readonly prefix: string
  readonly field: AnyField
  readonly encode: JsonEncoder
}

function buildEncoder(model: EncodableModel): JsonEncoder {
  const setAtFlush = keysSetAtFlush(model.fields)
  const plans: FieldPlan[] = Object.entries(model.fields).map(([key, field]) => ({
    key,
    prefix: `${JSON.stringify(key)}:`,
    field,
    encode: valueEncoder(field, model.coercerOf(key)),
  }))
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
    const source = value as Record<string, unknown>
    let out = '{'
    for (const { key, prefix, field, encode } of plans) {
      let raw = source[key]
      if (raw === undefined) {
        if (field.hasDefault) raw = field.defaultValue()
        else if (setAtFlush.includes(key)) raw = null
        else if (field.optional) continue
        else return undefined
      }
      const encoded = raw === null && field.nullable ? 'null' : encode(raw)
      if (encoded === undefined) return undefined
      out += out.length === 1 ? prefix + encoded : ',' + prefix + encoded
    }
    return out + '}'
  }
}

/** Encodes one non-null value of `field`, after its coercer accepts it. */
function valueEncoder(field: AnyField, coerce: (input: unknown) => unknown): JsonEncoder {
  if (field.kind === 'model') return jsonEncoder(field.model as EncodableModel)
  if (field.kind === 'list') return jsonListEncoder(field.model as EncodableModel)
  const text = textOf(field)
  return (value) => {
    const checked = coerce(value)
    return checked instanceof Invalid ? undefined : text(checked)
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
