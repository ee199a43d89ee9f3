/**
 * Follows one Drizzle write (insert, update or delete builder) through its
 * chain — `.values()`, `.returning()`, `.where()`… — without changing what it
 * does, and hands the changed rows to `settle` once the statement has run.
 * Works on Drizzle's public builder methods only: a Proxy records the calls
 * that tell which rows a statement touches, and wraps `execute` (which
 * `await`, `.then()` and prepared statements all go through).
 */

/** What a write told us about its rows. */
export interface WriteFacts {
  kind: 'insert' | 'update' | 'delete'
  /** Rows given to `.values()` (insert), as the app wrote them. */
  values?: readonly Record<string, unknown>[]
  /** Whether `.returning()` was called: the result is then the changed rows. */
  returning: boolean
  /** `.select()` (insert … select) or `.prepare()` (placeholders): the given values are not the rows. */
  valuesUnknown: boolean
}

/**
 * Called before the statement runs (may throw to refuse it) and after, with
 * the statement's result.
 *
 * @example
 * const hooks: WriteHooks = { before: (facts) => {}, after: async (facts, result) => {} }
 */
export interface WriteHooks {
  before(facts: WriteFacts): void
  after(facts: WriteFacts, result: unknown): Promise<void>
}

/**
 * Wraps a builder returned by `db.insert(table)`, `db.update(table)` or
 * `db.delete(table)` so `hooks` see the statement it becomes.
 *
 * @example
 * const tracked = trackWrite(db.insert(messages), 'insert', hooks)
 * await tracked.values({ roomId: 'general', text: 'hi' }) // hooks.before, the INSERT, hooks.after
 */
export function trackWrite<T extends object>(builder: T, kind: WriteFacts['kind'], hooks: WriteHooks): T {
  return wrap(builder, { kind, returning: false, valuesUnknown: false }, hooks)
}

function wrap<T extends object>(target: T, facts: WriteFacts, hooks: WriteHooks): T {
  const proxy: T = new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property, object)
      if (property === 'execute' && typeof value === 'function') {
        return async (...args: unknown[]) => {
          hooks.before(facts)
          const result = await value.apply(object, args)
          await hooks.after(facts, result)
          return result
        }
      }
      // then/catch/finally call this.execute(): leave them unbound so `this` is the proxy.
      if (typeof value !== 'function' || property === 'then' || property === 'catch' || property === 'finally') return value
      return (...args: unknown[]) => {
        record(facts, property, args)
        const result = value.apply(object, args)
        if (result === object) return proxy
        // A new builder (insert(t).values() builds one) or a prepared statement: keep following.
        if (typeof result === 'object' && result !== null && 'execute' in result) return wrap(result, facts, hooks)
        return result
      }
    },
  })
  return proxy
}

function record(facts: WriteFacts, method: string | symbol, args: unknown[]): void {
  if (method === 'values') {
    const given = args[0]
    facts.values = (Array.isArray(given) ? given : [given]) as Record<string, unknown>[]
  } else if (method === 'returning') {
    facts.returning = true
  } else if (method === 'select' || method === 'prepare') {
    facts.valuesUnknown = true
  }
}
