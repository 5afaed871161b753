/**
 * `key` as the key of an object literal in generated code: a string literal, which `JSON.stringify` writes
 * safely whatever the key holds. `__proto__` is computed, so that it is an own property, not the
 * prototype. Generated code keeps only keys, never values, so no input becomes code.
 *
 * @example
 * objectLiteralKey('secret_name') // '"secret_name"'
 * objectLiteralKey('__proto__') // '["__proto__"]'
 */
export function objectLiteralKey(key: string): string {
  return key === '__proto__' ? '["__proto__"]' : JSON.stringify(key)
}
