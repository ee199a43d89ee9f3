/**
 * Database triggers that bump versions: writes from anything — `psql`, a
 * migration, another service or language — wake held requests. The trigger
 * maps each changed row (its old and its new version, so an update moving a
 * row between keys bumps both) to keys through SQL expressions the app
 * gives, and runs once per statement over its transition tables, so a
 * statement touching 10,000 rows bumps each distinct key once.
 */
import { CONTROL_CHARACTER } from '../../protocol/limits.js'
import { bumpStatement, versionsSequenceDdl, versionsTableDdl, versionsTableNames, type PostgresQueryable } from './postgres-sql.js'

/**
 * What to watch and how rows map to keys.
 *
 * @example
 * const options: PgTriggerOptions = { table: 'messages', keys: ["'chat:room:' || room_id"] }
 */
export interface PgTriggerOptions extends PgTriggerTarget {
  /**
   * SQL expressions giving each changed row's keys, written with the row's
   * columns bare: `'chat:room:' || room_id`. Each is evaluated for the old
   * row (UPDATE, DELETE) and the new row (INSERT, UPDATE); NULLs are skipped.
   */
  keys: string | readonly string[]
}

/**
 * Which trigger: the table it is on and its name (what uninstalling needs).
 *
 * @example
 * const target: PgTriggerTarget = { schema: 'public', table: 'messages' }
 */
export interface PgTriggerTarget {
  /** The application table, unquoted (`messages`, `Order Items`); its schema goes in `schema`. */
  table: string
  /** Schema of `table`. Default: none (the table is found through `search_path`, like your queries). */
  schema?: string
  /** Base name of the triggers and the function. Default `reality_<table>`. */
  name?: string
  /** The `postgresVersions` table (created if missing). Default `reality_versions`. */
  versionsTable?: string
  /** Its NOTIFY channel. Default: the versions table's name, as in `postgresVersions`. */
  channel?: string
}

/**
 * Idempotent SQL to install or remove a trigger; run it with `psql -f`, in
 * a migration, or through {@link installPgTrigger}.
 *
 * @example
 * const { install, uninstall } = pgTriggerSql({ table: 'messages', keys: "'chat:room:' || room_id" })
 */
export interface PgTriggerSql {
  install: string
  uninstall: string
}

const MAX_IDENTIFIER_BYTES = 63
const TRIGGER_SUFFIXES = ['insert', 'update', 'delete'] as const
const encoder = new TextEncoder()

/** A double-quoted SQL identifier (`"` doubled), after checking it is one. */
function quoteIdentifier(what: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError(`pgTrigger: ${what} must be a non-empty string.`)
  // Control characters (NUL, newlines…) have no place in a table name, and a newline would end the SQL comment naming it.
  if (CONTROL_CHARACTER.test(name)) throw new TypeError(`pgTrigger: ${what} ${JSON.stringify(name)} contains a control character.`)
  if (encoder.encode(name).byteLength > MAX_IDENTIFIER_BYTES) {
    throw new TypeError(`pgTrigger: ${what} ${JSON.stringify(name)} is longer than PostgreSQL's ${MAX_IDENTIFIER_BYTES}-byte identifier limit.`)
  }
  return `"${name.replaceAll('"', '""')}"`
}

function checkKeyExpressions(keys: unknown): string[] {
  const list = typeof keys === 'string' ? [keys] : keys
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(`pgTrigger: keys must be one or more SQL expressions, e.g. keys: ["'chat:room:' || room_id"].`)
  }
  for (const expression of list) {
    if (typeof expression !== 'string' || expression.trim() === '') throw new TypeError('pgTrigger: every key expression must be a non-empty SQL string.')
    if (expression.includes(';') || expression.includes('$reality$')) {
      throw new TypeError(`pgTrigger: the key expression ${JSON.stringify(expression)} must be one SQL expression (no ";" or "$reality$").`)
    }
    if (/\b(new|old)\s*\./i.test(expression)) {
      throw new TypeError(
        `pgTrigger: write the columns bare, without NEW./OLD.: the expression is applied to the old and the new version of every changed row, e.g. "'chat:room:' || room_id" (got ${JSON.stringify(expression)}).`,
      )
    }
  }
  return list as string[]
}

/**
 * Builds the install and uninstall SQL of a statement-level trigger set on
 * `table` (one trigger each for INSERT, UPDATE and DELETE, sharing one
 * function). Install is idempotent (it replaces an earlier install and
 * creates the versions table if missing) and checks the key expressions
 * against the table; uninstall is idempotent too. Identifiers are quoted;
 * bad options throw a TypeError saying what to pass.
 *
 * TRUNCATE is not covered (it has no rows to map): invalidate by hand after one.
 *
 * @example
 * const { install } = pgTriggerSql({ table: 'messages', keys: ["'chat:room:' || room_id"] })
 * await pool.query(install)
 */
export function pgTriggerSql(options: PgTriggerOptions): PgTriggerSql {
  const { table, triggerName, functionName, names } = triggerNames(options)
  const expressions = checkKeyExpressions(options.keys)
  const keysOf = (rows: string) => `SELECT unnest(ARRAY[\n${expressions.map((expression) => `(\n${expression}\n)::text`).join(',\n')}\n]) FROM ${rows}`
  const bump = (keysSql: string) => `${bumpStatement(names, `ARRAY(${keysSql})`, 'NULL', 'NULL::jsonb', `'${names.channel}'`, 'reality_notified')};`

  const install = `-- Reality: bump versions on every write to ${table} (idempotent).
BEGIN;
DO $reality$ BEGIN PERFORM pg_advisory_xact_lock(hashtext('${names.table}')); END $reality$;
${versionsSequenceDdl(names)};
${versionsTableDdl(names)};
-- Fails here if a key expression does not fit the table.
DO $reality$ BEGIN PERFORM ARRAY[${expressions.map((expression) => `(\n${expression}\n)::text`).join(', ')}] FROM ${table} WHERE false; END $reality$;
CREATE OR REPLACE FUNCTION ${functionName}() RETURNS trigger LANGUAGE plpgsql AS $reality$
#variable_conflict use_column
DECLARE reality_notified bigint;
BEGIN
  IF TG_OP = 'INSERT' THEN
    ${bump(keysOf('reality_new_rows'))}
  ELSIF TG_OP = 'UPDATE' THEN
    ${bump(`${keysOf('reality_old_rows')} UNION ALL ${keysOf('reality_new_rows')}`)}
  ELSE
    ${bump(keysOf('reality_old_rows'))}
  END IF;
  RETURN NULL;
END $reality$;
${TRIGGER_SUFFIXES.map((suffix) => `DROP TRIGGER IF EXISTS ${triggerName(suffix)} ON ${table};`).join('\n')}
CREATE TRIGGER ${triggerName('insert')} AFTER INSERT ON ${table} REFERENCING NEW TABLE AS reality_new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${functionName}();
CREATE TRIGGER ${triggerName('update')} AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS reality_old_rows NEW TABLE AS reality_new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${functionName}();
CREATE TRIGGER ${triggerName('delete')} AFTER DELETE ON ${table} REFERENCING OLD TABLE AS reality_old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${functionName}();
COMMIT;
`
  return { install, uninstall: pgTriggerUninstallSql(options) }
}

/**
 * The idempotent SQL removing a trigger installed by {@link pgTriggerSql}
 * (and its function); needs only the table and name, not the keys.
 *
 * @example
 * await pool.query(pgTriggerUninstallSql({ table: 'messages' }))
 */
export function pgTriggerUninstallSql(target: PgTriggerTarget): string {
  const { table, triggerName, functionName } = triggerNames(target)
  return `-- Reality: remove the version-bumping triggers of ${table} (idempotent).
BEGIN;
${TRIGGER_SUFFIXES.map((suffix) => `DROP TRIGGER IF EXISTS ${triggerName(suffix)} ON ${table};`).join('\n')}
DROP FUNCTION IF EXISTS ${functionName}();
COMMIT;
`
}

/** The quoted names a trigger install uses, after checking the options. */
function triggerNames(target: PgTriggerTarget) {
  if (typeof target !== 'object' || target === null) throw new TypeError('pgTrigger: options must be an object like { table: "messages", keys: ["\'chat:room:\' || room_id"] }.')
  if (typeof target.table === 'string' && target.schema === undefined && target.table.includes('.')) {
    const [schema, ...rest] = target.table.split('.')
    throw new TypeError(`pgTrigger: pass the schema separately: { schema: '${schema}', table: '${rest.join('.')}' }.`)
  }
  const schemaPrefix = target.schema === undefined ? '' : `${quoteIdentifier('schema', target.schema)}.`
  const table = schemaPrefix + quoteIdentifier('table', target.table)
  const base = target.name ?? `reality_${target.table}`.slice(0, 40)
  quoteIdentifier('name', `${base}_update`) // the longest derived name must fit too
  return {
    table,
    triggerName: (suffix: string) => quoteIdentifier('name', `${base}_${suffix}`),
    functionName: schemaPrefix + quoteIdentifier('name', `${base}_bump`),
    names: versionsTableNames(target.versionsTable, target.channel, 'pgTrigger'),
  }
}

/**
 * Anything that lends a client for a multi-statement script: a `pg` Pool.
 *
 * @example
 * const source: PgClientSource = new pg.Pool({ connectionString })
 */
export interface PgClientSource {
  connect(): Promise<PostgresQueryable & { release(error?: Error | boolean): void }>
}

async function runScript(pool: PgClientSource, script: string): Promise<void> {
  const client = await pool.connect()
  try {
    await client.query(script)
    client.release()
  } catch (error) {
    // The script's own BEGIN leaves the connection in a failed transaction.
    await client.query('ROLLBACK').catch(() => {})
    client.release()
    throw error
  }
}

/**
 * Installs (or replaces) the trigger from Node: runs {@link pgTriggerSql}'s
 * `install` in one transaction on a client of `pool`.
 *
 * @example
 * await installPgTrigger(pool, { table: 'messages', keys: ["'chat:room:' || room_id"] })
 * // now `psql -c "INSERT INTO messages …"` wakes held requests watching chat:room:<room_id>
 */
export function installPgTrigger(pool: PgClientSource, options: PgTriggerOptions): Promise<void> {
  return runScript(pool, pgTriggerSql(options).install)
}

/**
 * Removes the trigger (and its function); does nothing if it is not there.
 *
 * @example
 * await uninstallPgTrigger(pool, { table: 'messages' })
 */
export function uninstallPgTrigger(pool: PgClientSource, target: PgTriggerTarget): Promise<void> {
  return runScript(pool, pgTriggerUninstallSql(target))
}
