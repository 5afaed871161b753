/**
 * A model's JSON encoder (pydantic's `model_dump_json` with validation): keeps only the model's fields,
 * nested and in lists, checks each value with the field's coercer, as `validate()` does, and writes the
 * JSON text. Built once per model; no error location is made on the way, which is what keeps a response
 * of a hundred rows cheap. When a value does not fit, the encoder gives `undefined`, and
 * `safeValidate()` says why.
 *
 * The kept values go into plain objects with dates already as text, which one `JSON.stringify` then
 * writes: V8 writes such objects on its fast path, where a `Date` (its `toJSON`), or a call of
 * `JSON.stringify` per value, costs several times as much.
 */
import { Invalid } from './invalid.ts'
import { isoDatetime } from './iso-datetime.ts'
import { keysSetAtFlush, type AnyField, type NestedModel } from './field.ts'

/** The JSON text of `value`, or `undefined` when it does not match the model. */
export type JsonEncoder = (value: unknown) => string | undefined

/** What the encoder needs of a model: its fields and their coercers (`Model` provides both). */
export interface EncodableModel extends NestedModel {
  readonly fields: Readonly<Record<string, AnyField>>
  coercerOf(key: string): (input: unknown) => unknown
}

/** What a picker gives for a value that does not match its model. */
const UNFIT: unique symbol = Symbol('unfit')

/** The JSON-ready copy of a value as a model keeps it, or {@link UNFIT}. */
type Picker = (value: unknown) => unknown

const pickers = new WeakMap<EncodableModel, Picker>()

/** The encoder of `model`. */
export function jsonEncoder(model: EncodableModel): JsonEncoder {
  return encoderOf(pickerOf(model))
}

/** The encoder of a JSON array of `model`'s objects. */
export function jsonListEncoder(model: EncodableModel): JsonEncoder {
  return encoderOf(listPicker(pickerOf(model)))
}

function encoderOf(pick: Picker): JsonEncoder {
  return (value) => {
    const picked = pick(value)
    return picked === UNFIT ? undefined : JSON.stringify(picked)
  }
}

/** The picker of `model`, built on first use. */
function pickerOf(model: EncodableModel): Picker {
  let picker = pickers.get(model)
  if (!picker) pickers.set(model, (picker = buildPicker(model)))
  return picker
}

function listPicker(item: Picker): Picker {
  return (value) => {
    if (!Array.isArray(value)) return UNFIT
    const out: unknown[] = new Array(value.length)
    for (let i = 0; i < value.length; i++) {
      const picked = item(value[i])
      if (picked === UNFIT) return UNFIT
      out[i] = picked
    }
    return out
  }
}

interface FieldPlan {
  readonly key: string
  readonly field: AnyField
  readonly pick: Picker
  /** Left unset, the field is null in the answer: a key or default the database sets at flush. */
  readonly setAtFlush: boolean
  /** The field is named `__proto__`, which assigning would take for the object's prototype. */
  readonly definedOwn: boolean
}

function buildPicker(model: EncodableModel): Picker {
  const setAtFlush = keysSetAtFlush(model.fields)
  const plans: FieldPlan[] = Object.entries(model.fields).map(([key, field]) => ({
    key,
    field,
    pick: valuePicker(field, model.coercerOf(key)),
    setAtFlush: setAtFlush.includes(key),
    definedOwn: key === '__proto__',
  }))
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return UNFIT
    const source = value as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const { key, field, pick, setAtFlush, definedOwn } of plans) {
      let raw = source[key]
      if (raw === undefined) {
        if (field.hasDefault) raw = field.defaultValue()
        else if (setAtFlush) raw = null
        else if (field.optional) continue
        else return UNFIT
      }
      const picked = raw === null && field.nullable ? null : pick(raw)
      if (picked === UNFIT) return UNFIT
      if (definedOwn) Object.defineProperty(out, key, { value: picked, enumerable: true })
      else out[key] = picked
    }
    return out
  }
}

/** Picks one non-null value of `field`, after its coercer accepts it. */
function valuePicker(field: AnyField, coerce: (input: unknown) => unknown): Picker {
  if (field.kind === 'model') return pickerOf(field.model as EncodableModel)
  if (field.kind === 'list') return listPicker(pickerOf(field.model as EncodableModel))
  const datetime = field.kind === 'datetime'
  return (value) => {
    const checked = coerce(value)
    if (checked instanceof Invalid) return UNFIT
    return datetime ? isoDatetime(checked as Date) : checked
  }
}
