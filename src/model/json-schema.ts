/** The JSON Schema of models and fields, with pydantic's titles, defaults and nullable `anyOf`. */
import Type, { type TObject, type TSchema } from 'typebox'
import { requiredKeys, type AnyField, type Fields, type SchemaRef } from './field.ts'

/** What a model's JSON Schema is made of. (json-schema.ts cannot import model.ts, which imports it.) */
export interface SchemaSource {
  readonly name: string
  readonly fields: Readonly<Fields>
  readonly options: { readonly description?: string; readonly extra?: 'ignore' | 'forbid' }
}

/** 'secret_name' → 'Secret Name', pydantic's default title. */
function titleOf(key: string): string {
  return key
    .split('_')
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(' ')
}

/**
 * The JSON Schema of one field named `key`, as pydantic writes a property: its title, its default and
 * `anyOf [T, null]` when nullable. Model properties and HTTP parameters share it.
 */
export function fieldSchema(key: string, field: AnyField, ref?: SchemaRef): TSchema {
  const title = field.options.title ?? titleOf(key)
  const value = field.valueSchema(ref)
  const extra: Record<string, unknown> = { title }
  if ('default' in field.options) extra.default = jsonValue(field.options.default)
  return field.nullable ? Type.Union([value, Type.Null()], extra) : { ...value, ...extra }
}

/**
 * The JSON Schema of a model's input, with pydantic's titles. `ref` decides how nested models appear:
 * inline (the default, {@link Model.schema}) or as references to OpenAPI components.
 */
export function jsonSchema(model: SchemaSource, ref?: SchemaRef): TObject {
  const properties: Record<string, TSchema> = {}
  const required = requiredKeys(model.fields)
  for (const [key, field] of Object.entries(model.fields)) {
    const schema = fieldSchema(key, field, ref)
    properties[key] = required.includes(key) ? schema : Type.Optional(schema)
  }
  const description =
    model.options.description === undefined ? {} : { description: model.options.description }
  const additional = model.options.extra === 'forbid' ? { additionalProperties: false } : {}
  return Type.Object(properties, { title: model.name, ...description, ...additional })
}

function jsonValue(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value
}
