/**
 * The chat demo (examples/chat: same page, API and helpers) with its
 * messages in Postgres and versions in `postgresVersions`, bumped by a
 * trigger on the messages table.
 */
import pg from 'pg'
import { postgresVersions } from 'reality/server/postgres'
import { startDemoServer, type DemoServer } from '../chat/app.js'
import { postgresMessages } from './messages.js'

/**
 * Options of {@link startPostgresChat}.
 *
 * @example
 * const options: PostgresChatOptions = { databaseUrl: 'postgres://postgres@127.0.0.1:5432/test', port: 0 }
 */
export interface PostgresChatOptions {
  databaseUrl: string
  /** TCP port; `0` picks a free one. Default 3000. */
  port?: number
  /** Messages table. Default `chat_messages`. */
  table?: string
  /** Versions table. Default `reality_versions`. */
  versionsTable?: string
  /** One line per finished request. */
  log?: (line: string) => void
}

/** A running Postgres chat: the demo server, plus the table names it uses. */
export interface PostgresChat extends DemoServer {
  table: string
  versionsTable: string
}

/**
 * Starts the chat over Postgres.
 *
 * @example
 * const chat = await startPostgresChat({ databaseUrl: process.env.DATABASE_URL!, port: 0 })
 * // psql "$DATABASE_URL" -c "INSERT INTO chat_messages (room, text) VALUES ('general', 'hi')" → every open page shows it
 * await chat.close()
 */
export async function startPostgresChat(options: PostgresChatOptions): Promise<PostgresChat> {
  const table = options.table ?? 'chat_messages'
  const versionsTable = options.versionsTable ?? 'reality_versions'
  const pool = new pg.Pool({ connectionString: options.databaseUrl, application_name: 'reality_postgres_chat' })
  pool.on('error', (error) => options.log?.(`idle Postgres connection failed: ${error.message}`))
  const versions = postgresVersions({ pool, table: versionsTable })
  try {
    const messages = await postgresMessages(pool, { table, versionsTable })
    const demo = await startDemoServer({ port: options.port ?? 3000, messages, versions, ...(options.log ? { log: options.log } : {}) })
    return {
      ...demo,
      table,
      versionsTable,
      async close() {
        await demo.close()
        await versions.close?.()
        await pool.end()
      },
    }
  } catch (error) {
    await versions.close?.()
    await pool.end()
    throw error
  }
}
