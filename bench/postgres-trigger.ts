/**
 * `npm run bench:postgres`: what the version-bumping trigger costs and how
 * fast a write from psql reaches a held request. Needs the local PostgreSQL
 * (REALITY_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test);
 * every table it makes has a unique name and is dropped at the end. Prints
 * a Markdown report and writes it to bench/POSTGRES.md.
 *
 * 1. A 10,000-row INSERT, UPDATE and DELETE (100 distinct keys) on a table
 *    without a trigger, with the statement-level trigger, and with a naive
 *    row-level trigger doing the same bump per row — same run, alternating.
 * 2. Wake latency: a request held on one key; the write is a `psql -c INSERT`
 *    (a new process each time), an INSERT from a connected client, or the
 *    app's own `reality.invalidate()` (the baseline). Time until the held
 *    request's answer arrives.
 */
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import pg from 'pg'
import { createRealityServer, toNodeHandler } from '../server/index.js'
import { postgresVersions } from '../server/versions/postgres.js'
import { bumpStatement, versionsTableNames } from '../server/versions/postgres-sql.js'
import { installPgTrigger } from '../server/versions/postgres-trigger.js'
import { POSTGRES_URL } from '../server/versions/test-services.js'
import { round3, summarize } from './lib/percentiles.js'

const ROUNDS = 7
const WAKES = 25
const run = `${process.pid}_${Date.now() % 1e6}`
const versionsTable = `reality_bench_versions_${run}`
const tables = { none: `reality_bench_plain_${run}`, statement: `reality_bench_statement_${run}`, row: `reality_bench_row_${run}` }
const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 4, application_name: `reality_bench_${run}` })

async function timed(sql: string): Promise<number> {
  const started = performance.now()
  await pool.query(sql)
  return performance.now() - started
}

function psql(sql: string): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn('psql', [POSTGRES_URL, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], { stdio: 'ignore' })
    child.once('error', fail)
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`psql exited ${code}`))))
  })
}

async function setUp(): Promise<void> {
  for (const table of Object.values(tables)) await pool.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, room text NOT NULL, text text NOT NULL)`)
  await installPgTrigger(pool, { table: tables.statement, keys: "'chat:room:' || room", versionsTable })
  // The naive alternative: the same bump, once per row.
  const names = versionsTableNames(versionsTable)
  await pool.query(`CREATE FUNCTION ${tables.row}_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE notified bigint; changed record;
    BEGIN
      IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
      ${bumpStatement(names, `ARRAY['chat:room:' || changed.room]`, 'NULL', 'NULL::jsonb', `'${names.channel}'`, 'notified')};
      RETURN NULL;
    END $$;
    CREATE TRIGGER ${tables.row}_bump AFTER INSERT OR UPDATE OR DELETE ON ${tables.row} FOR EACH ROW EXECUTE FUNCTION ${tables.row}_bump();`)
}

async function tearDown(): Promise<void> {
  for (const table of Object.values(tables)) await pool.query(`DROP TABLE IF EXISTS ${table}`)
  await pool.query(`DROP FUNCTION IF EXISTS ${tables.row}_bump(); DROP FUNCTION IF EXISTS reality_${tables.statement}_bump()`)
  await pool.query(`DROP TABLE IF EXISTS ${versionsTable}; DROP SEQUENCE IF EXISTS ${versionsTable}_seq`)
}

type Variant = keyof typeof tables
type Statement = 'INSERT' | 'UPDATE' | 'DELETE'

async function statementCosts(): Promise<Map<string, number[]>> {
  const samples = new Map<string, number[]>()
  const add = (variant: Variant, statement: Statement, ms: number) => {
    const key = `${variant} ${statement}`
    samples.set(key, [...(samples.get(key) ?? []), ms])
  }
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order, so no variant always runs on a warmer cache.
    const order = (round % 2 ? ['row', 'statement', 'none'] : ['none', 'statement', 'row']) as Variant[]
    for (const variant of order) {
      const table = tables[variant]
      add(variant, 'INSERT', await timed(`INSERT INTO ${table} (room, text) SELECT 'bench_' || (g % 100), 'x' FROM generate_series(1, 10000) AS g`))
      add(variant, 'UPDATE', await timed(`UPDATE ${table} SET text = 'y'`))
      add(variant, 'DELETE', await timed(`DELETE FROM ${table}`))
    }
  }
  return samples
}

async function wakeLatencies(): Promise<Map<string, number[]>> {
  const versions = postgresVersions({ pool, table: versionsTable })
  const reality = createRealityServer({ versions, onError: () => {} })
  const http = createServer(toNodeHandler(reality.handler))
  await new Promise<void>((listening) => http.listen(0, '127.0.0.1', listening))
  const endpoint = `http://127.0.0.1:${(http.address() as AddressInfo).port}/reality/sync`
  const samples = new Map<string, number[]>([['psql -c INSERT (new process)', []], ['INSERT from a connected client', []], ['reality.invalidate() (baseline)', []], ['psql -c SELECT 1 (the process alone, no write)', []]])
  const writers: [string, (room: string) => Promise<unknown>][] = [
    ['psql -c INSERT (new process)', (room) => psql(`INSERT INTO ${tables.statement} (room, text) VALUES ('${room}', 'wake')`)],
    ['INSERT from a connected client', (room) => pool.query(`INSERT INTO ${tables.statement} (room, text) VALUES ($1, 'wake')`, [room])],
    ['reality.invalidate() (baseline)', (room) => reality.invalidate([`chat:room:${room}`])],
  ]
  try {
    for (let index = 0; index < WAKES; index++) {
      for (const [label, write] of writers) {
        const key = `chat:room:wake_${index}_${label.length}`
        const known = await reality.getVersions([key])
        const held = fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ v: 1, known, wait: 20_000 }) })
        while (reality.stats().waiters === 0) await new Promise((wait) => setTimeout(wait, 2))
        const started = performance.now()
        const [answer] = await Promise.all([held.then((response) => response.json()), write(key.slice('chat:room:'.length))])
        if (!answer.changed[key]) throw new Error(`the held request was not woken by ${label}`)
        samples.get(label)!.push(performance.now() - started)
      }
      // What psql itself costs: the same process with no write (nothing to wait for).
      const started = performance.now()
      await psql('SELECT 1')
      samples.get('psql -c SELECT 1 (the process alone, no write)')!.push(performance.now() - started)
    }
  } finally {
    await reality.close()
    await versions.close?.()
    http.closeAllConnections()
    http.close()
  }
  return samples
}

async function main(): Promise<void> {
  await setUp()
  try {
    const costs = await statementCosts()
    const wakes = await wakeLatencies()
    const ms = (value: number) => `${round3(value)} ms`
    const p50 = (samples: number[] | undefined) => summarize(samples!).p50
    const lines = [
      '# PostgreSQL write paths: trigger cost and wake latency',
      '',
      `Run ${new Date().toISOString()}, Node ${process.version}, PostgreSQL at ${new URL(POSTGRES_URL).host}; the machine is shared, so compare rows of one run, not runs.`,
      '',
      `## One statement touching 10,000 rows (100 distinct keys), median of ${ROUNDS}`,
      '',
      '| statement | no trigger | statement-level trigger (reality) | × no trigger | naive row-level trigger | × no trigger |',
      '|---|---|---|---|---|---|',
      ...(['INSERT', 'UPDATE', 'DELETE'] as const).map((statement) => {
        const none = p50(costs.get(`none ${statement}`))
        const batched = p50(costs.get(`statement ${statement}`))
        const perRow = p50(costs.get(`row ${statement}`))
        return `| ${statement} | ${ms(none)} | ${ms(batched)} | ${round3(batched / none)}× | ${ms(perRow)} | ${round3(perRow / none)}× |`
      }),
      '',
      'The statement-level trigger bumps each of the 100 keys once per statement (UPDATE: old and new keys, the same 100 here); the row-level one bumps a key per row (10,000 upserts and NOTIFYs).',
      '',
      `## Write → held request answered, ${WAKES} samples each`,
      '',
      '| write | p50 | p90 | max |',
      '|---|---|---|---|',
      ...[...wakes].map(([label, samples]) => {
        const summary = summarize(samples)
        return `| ${label} | ${ms(summary.p50)} | ${ms(summary.p90)} | ${ms(summary.max)} |`
      }),
      '',
      'Timed from the moment the write starts (for psql: spawning the process, which connects, inserts and commits) until the held long-poll’s answer is read.',
      '',
    ]
    const report = lines.join('\n')
    process.stdout.write(report)
    writeFileSync(join(resolve(import.meta.dirname), 'POSTGRES.md'), report)
  } finally {
    await tearDown()
    await pool.end()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
