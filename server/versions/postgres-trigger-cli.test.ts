import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { createPools, psql, uniqueName } from './postgres-test-kit.js'
import { serviceMissing } from './test-services.js'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/** Runs the CLI's source the way its built bin runs (a Node process), collecting exit code and output. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'server/versions/postgres-trigger-cli.ts', ...args], { cwd: repoRoot }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr })
    })
  })
}

describe('npx reality-pg-trigger', { timeout: 60_000 }, () => {
  it.each([
    [[], /--table is required/],
    [['--table', 'messages'], /--key is required, e.g. --key "'chat:room:' \|\| room_id"/],
    [['--table', 'public.messages', '--key', 'room'], /pass the schema separately/],
    [['--table', 'messages', '--key', "'a'; DROP TABLE messages"], /must be one SQL expression/],
    [['--tabel', 'messages'], /Unknown option '--tabel'/],
  ])('refuses %j on stderr with exit code 2 and prints no SQL', async (args, message) => {
    const { code, stdout, stderr } = await cli(args)
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toMatch(message)
    expect(stderr).toContain('reality-pg-trigger --help')
  })

  it('prints usage with --help', async () => {
    const { code, stdout } = await cli(['--help'])
    expect(code).toBe(0)
    expect(stdout).toContain('Usage: reality-pg-trigger --table <table> --key <sql expression>')
  })
})

const missing = await serviceMissing('PostgreSQL')
if (missing) {
  describe.skip(`npx reality-pg-trigger | psql (skipped: ${missing})`, () => {
    it('needs PostgreSQL', () => {})
  })
} else {
  const pools = createPools(uniqueName('reality_cli'))
  const table = uniqueName('reality_cli_messages')
  const versionsTable = uniqueName('reality_cli_versions')
  const admin = pools.open()
  afterAll(async () => {
    await admin.query(`DROP TABLE IF EXISTS ${table}; DROP TABLE IF EXISTS ${versionsTable}; DROP SEQUENCE IF EXISTS ${versionsTable}_seq`)
    await pools.endAll()
  })

  describe('npx reality-pg-trigger | psql (real PostgreSQL)', { timeout: 60_000 }, () => {
    it('installs with the printed SQL (twice: idempotent), bumps on writes, and uninstalls', async () => {
      await admin.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, room_id int, text text)`)
      const args = ['--table', table, '--key', "'chat:room:' || room_id", '--versions-table', versionsTable]
      const install = await cli(args)
      expect(install.code).toBe(0)
      await psql(install.stdout)
      await psql(install.stdout)
      await psql(`INSERT INTO ${table} (room_id, text) VALUES (7, 'hi')`)
      const bumped = await admin.query(`SELECT key FROM ${versionsTable}`)
      expect(bumped.rows).toEqual([{ key: 'chat:room:7' }])

      await psql((await cli([...args, '--uninstall'])).stdout)
      await psql(`INSERT INTO ${table} (room_id, text) VALUES (8, 'not bumped')`)
      expect((await admin.query(`SELECT key FROM ${versionsTable}`)).rows).toEqual([{ key: 'chat:room:7' }])
    })
  })
}
