#!/usr/bin/env node
/**
 * `npx reality-pg-trigger`: prints the SQL that installs (or, with
 * `--uninstall`, removes) a version-bumping trigger, to review, commit as a
 * migration or pipe into `psql`. Connects to nothing.
 */
import { parseArgs } from 'node:util'
import { pgTriggerSql, pgTriggerUninstallSql } from './postgres-trigger.js'

const USAGE = `Usage: reality-pg-trigger --table <table> --key <sql expression> [--key …] [options]

Prints idempotent SQL that makes every INSERT, UPDATE and DELETE on <table>
bump the Reality keys of the changed rows (old and new), once per statement.

  --table <name>           the application table (unquoted; any characters)
  --key <sql>              a key per row, columns written bare: "'chat:room:' || room_id" (repeatable)
  --schema <name>          the table's schema (default: search_path)
  --name <name>            base name of the triggers and function (default: reality_<table>)
  --versions-table <name>  the postgresVersions table (default: reality_versions)
  --channel <name>         its NOTIFY channel (default: the versions table)
  --uninstall              print the SQL that removes the triggers instead
  --help                   this text

Example:
  npx reality-pg-trigger --table messages --key "'chat:room:' || room_id" | psql "$DATABASE_URL"`

function main(argv: string[]): number {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        table: { type: 'string' },
        key: { type: 'string', multiple: true },
        schema: { type: 'string' },
        name: { type: 'string' },
        'versions-table': { type: 'string' },
        channel: { type: 'string' },
        uninstall: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    })
  } catch (error) {
    return fail((error as Error).message)
  }
  const { values } = parsed
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (values.table === undefined) return fail('--table is required.')
  const target = {
    table: values.table,
    ...(values.schema === undefined ? {} : { schema: values.schema }),
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values['versions-table'] === undefined ? {} : { versionsTable: values['versions-table'] }),
    ...(values.channel === undefined ? {} : { channel: values.channel }),
  }
  try {
    if (values.uninstall) {
      process.stdout.write(pgTriggerUninstallSql(target))
      return 0
    }
    if (!values.key?.length) return fail(`--key is required, e.g. --key "'chat:room:' || room_id".`)
    process.stdout.write(pgTriggerSql({ ...target, keys: values.key }).install)
    return 0
  } catch (error) {
    return fail((error as Error).message)
  }
}

function fail(message: string): number {
  process.stderr.write(`reality-pg-trigger: ${message}\nRun reality-pg-trigger --help for usage.\n`)
  return 2
}

process.exitCode = main(process.argv.slice(2))
