/**
 * `reality/server/drizzle`: Drizzle writes that invalidate by themselves.
 * Wrap the database once; every insert, update and delete on a mapped table
 * then invalidates the keys the app maps from the table and its rows —
 * after the statement, or after its transaction commits.
 *
 * @packageDocumentation
 */
import { getTableName, sql, type SQL, type Table } from 'drizzle-orm'
import { trackWrite, type WriteFacts, type WriteHooks } from './write-tracking.js'

/** A changed row, as Drizzle returns it (or as the app gave it to `.values()`). */
export type DrizzleRow = Record<string, any>

/**
 * How a table's writes map to keys: a function of a row, or table-wide keys
 * and/or a row function.
 *
 * @example
 * const messages: TableKeys = (row) => [`chat:room:${row.roomId}`]
 * const rooms: TableKeys = { keys: ['chat:rooms'], row: (row) => [`chat:room:${row.id}`] }
 */
export type TableKeys = ((row: DrizzleRow) => readonly string[]) | { keys?: readonly string[]; row?: (row: DrizzleRow) => readonly string[] }

/**
 * Options of {@link withInvalidation}.
 *
 * @example
 * const options: DrizzleInvalidationOptions = { invalidate: (keys) => reality.invalidate(keys), tables: { messages: (row) => [`chat:room:${row.roomId}`] } }
 */
export interface DrizzleInvalidationOptions {
  /** Your server's `invalidate` (`(keys) => reality.invalidate(keys)`). */
  invalidate: (keys: string[]) => Promise<unknown>
  /** Keys per table, by SQL table name (`pgTable('messages', …)` → `messages`). Other tables are left alone. */
  tables: Record<string, TableKeys>
  /**
   * Your `postgresVersions` store, when versions live in the same database:
   * keys written in a `db.transaction()` are then bumped inside it, just
   * before COMMIT, so they commit — or roll back — with the data.
   */
  versions?: { bumpIn(client: { query(text: string, values?: unknown[]): Promise<{ rows: any[] }> }, keys: readonly string[]): Promise<unknown> }
}

/** Keys written in one transaction (or savepoint), waiting for it to end. */
interface TransactionScope {
  keys: Set<string>
}

interface Executor {
  execute(query: SQL): Promise<unknown>
}

/**
 * Wraps a Drizzle database (`drizzle-orm/node-postgres`) so writes to mapped
 * tables invalidate their keys:
 *
 * - **insert** — keys of the rows returned by `.returning()`, or else of the
 *   rows given to `.values()`;
 * - **update / delete** — keys of the rows returned by `.returning()`. A row
 *   function needs the rows, so an update or delete of such a table without
 *   `.returning()` is refused before it runs (add `.returning()`, or
 *   `.returning({ roomId: messages.roomId })`);
 * - plus the table's fixed `keys`, on every write.
 *
 * Outside a transaction the keys are invalidated right after the statement.
 * In `db.transaction()` nothing is invalidated before COMMIT (with `versions`,
 * the bump runs inside the transaction just before it); a rollback — thrown
 * error, `tx.rollback()`, or a failed COMMIT — invalidates nothing, and a
 * nested transaction rolled back to its savepoint drops its own keys. Raw
 * `db.execute(sql)` is not seen: use a trigger for those. If `invalidate`
 * throws after a committed write, the write's promise rejects with that error
 * (the data is committed).
 *
 * @example
 * import { drizzle } from 'drizzle-orm/node-postgres'
 * import { withInvalidation } from 'reality/server/drizzle'
 *
 * const db = withInvalidation(drizzle(pool), {
 *   invalidate: (keys) => reality.invalidate(keys),
 *   tables: { messages: (row) => [`chat:room:${row.roomId}`] },
 * })
 * await db.insert(messages).values({ roomId: 'general', text: 'hi' }) // wakes chat:room:general
 */
export function withInvalidation<TDatabase extends object>(db: TDatabase, options: DrizzleInvalidationOptions): TDatabase {
  if (!db || typeof (db as { insert?: unknown }).insert !== 'function' || typeof (db as { transaction?: unknown }).transaction !== 'function') {
    throw new TypeError('withInvalidation(db, options) needs a Drizzle database: withInvalidation(drizzle(pool), { invalidate, tables }).')
  }
  if (typeof options?.invalidate !== 'function') {
    throw new TypeError('withInvalidation: options.invalidate must be a function, e.g. { invalidate: (keys) => reality.invalidate(keys) }.')
  }
  if (typeof options.tables !== 'object' || options.tables === null) {
    throw new TypeError("withInvalidation: options.tables maps table names to keys, e.g. { messages: (row) => [`chat:room:${row.roomId}`] }.")
  }
  for (const [name, mapping] of Object.entries(options.tables)) {
    const valid = typeof mapping === 'function' || (typeof mapping === 'object' && mapping !== null && (Array.isArray(mapping.keys) || typeof mapping.row === 'function'))
    if (!valid) throw new TypeError(`withInvalidation: tables.${name} must be (row) => keys or { keys?: string[], row?: (row) => keys }.`)
  }
  return wrapDatabase(db, options, undefined)
}

function wrapDatabase<T extends object>(db: T, options: DrizzleInvalidationOptions, scope: TransactionScope | undefined): T {
  return new Proxy(db, {
    get(target, property) {
      const value = Reflect.get(target, property, target)
      if (typeof value !== 'function') return value
      if (property === 'insert' || property === 'update' || property === 'delete') {
        return (table: Table) => {
          const builder = value.call(target, table)
          const mapping = Object.hasOwn(options.tables, getTableName(table)) ? options.tables[getTableName(table)] : undefined
          if (!mapping) return builder // unmapped: untouched
          return trackWrite(builder, property, writeHooks(getTableName(table), mapping, options, scope))
        }
      }
      if (property === 'with') {
        // db.with(cte).insert(…) builds the same writes.
        return (...args: unknown[]) => wrapDatabase(value.apply(target, args), options, scope)
      }
      if (property === 'transaction') {
        return (run: (tx: unknown) => Promise<unknown>, config?: unknown) => runTransaction(target as unknown as { transaction: Function }, run, config, options, scope)
      }
      return value.bind(target)
    },
  })
}

async function runTransaction(
  target: { transaction: Function },
  run: (tx: unknown) => Promise<unknown>,
  config: unknown,
  options: DrizzleInvalidationOptions,
  parent: TransactionScope | undefined,
): Promise<unknown> {
  const scope: TransactionScope = { keys: new Set() }
  const result = await target.transaction(async (tx: Executor & object) => {
    const value = await run(wrapDatabase(tx, options, scope))
    if (!parent && options.versions && scope.keys.size) {
      await options.versions.bumpIn(drizzleClient(tx), [...scope.keys]) // commits with the data
      scope.keys.clear()
    }
    return value
  }, config)
  // Reached only when the transaction (or savepoint) committed.
  if (parent) {
    for (const key of scope.keys) parent.keys.add(key)
  } else if (scope.keys.size) {
    await options.invalidate([...scope.keys])
  }
  return result
}

function writeHooks(tableName: string, mapping: TableKeys, options: DrizzleInvalidationOptions, scope: TransactionScope | undefined): WriteHooks {
  const rowKeys = typeof mapping === 'function' ? mapping : mapping.row
  const fixedKeys = typeof mapping === 'function' ? [] : (mapping.keys ?? [])
  return {
    before(facts) {
      if (!rowKeys || facts.returning) return
      if (facts.kind === 'insert' && facts.values && !facts.valuesUnknown) return
      const statement = `db.${facts.kind}(${tableName})`
      throw new TypeError(
        `${statement}: Reality maps ${tableName} rows to keys, so it needs the changed rows: add .returning() (or .returning({ … the columns your keys use })). Nothing was written.`,
      )
    },
    async after(facts: WriteFacts, result: unknown) {
      const keys = new Set(fixedKeys)
      if (rowKeys) {
        const rows = facts.returning ? (result as DrizzleRow[]) : (facts.values ?? [])
        for (const row of rows) for (const key of rowKeys(row)) keys.add(key)
      }
      if (!keys.size) return
      if (scope) {
        for (const key of keys) scope.keys.add(key)
      } else {
        await options.invalidate([...keys])
      }
    },
  }
}

/** The transaction as a `{ query(text, values) }` client, for `versions.bumpIn`. */
function drizzleClient(tx: Executor) {
  return {
    async query(text: string, values: unknown[] = []) {
      // `$1`, `$2`… become Drizzle params, in order.
      const chunks: SQL[] = []
      let last = 0
      for (const match of text.matchAll(/\$(\d+)/g)) {
        chunks.push(sql.raw(text.slice(last, match.index)), sql`${sql.param(values[Number(match[1]) - 1])}`)
        last = match.index + match[0].length
      }
      chunks.push(sql.raw(text.slice(last)))
      return (await tx.execute(sql.join(chunks))) as { rows: any[] }
    },
  }
}
