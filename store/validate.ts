import { RealityError } from './errors.js'
import type { StandardSchemaV1 } from './standard-schema.js'

/**
 * Runs `value` through a Standard Schema (zod, valibot, arktype…) and hands
 * the parsed output to `then`, synchronously when the schema answers
 * synchronously: an inline payload is then adopted in the same tick as the
 * sync response that carried it, before any effect could start a fetch.
 * Throws (or rejects) a `validation_failed` {@link RealityError}.
 *
 * @example
 * validate(schema, raw, 'user:42', (user) => adopt(user))
 */
export function validate<T, R>(schema: StandardSchemaV1<unknown, T> | undefined, value: unknown, key: string, then: (value: T) => R): R | Promise<R> {
  if (!schema) return then(value as T)
  const result = schema['~standard'].validate(value)
  const check = (r: Awaited<typeof result>) => {
    if (r.issues) throw new RealityError('validation_failed', `"${key}" fails its schema: ${r.issues[0]?.message}`, { key, issues: r.issues })
    return then(r.value)
  }
  return result instanceof Promise ? result.then(check) : check(result)
}
