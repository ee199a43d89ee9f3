/**
 * `npm run example:postgres-chat`: the chat on http://127.0.0.1:$PORT
 * (default 3000), messages in Postgres at $DATABASE_URL (default: the local
 * test database). Post in the page, or insert with psql: every tab updates.
 */
import { closeOnSignals, parsePort } from '../chat/process.js'
import { startPostgresChat } from './app.js'

const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test'

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL
  const chat = await startPostgresChat({
    databaseUrl,
    port: parsePort(process.env.PORT),
    ...(process.env.CHAT_TABLE ? { table: process.env.CHAT_TABLE } : {}),
    ...(process.env.VERSIONS_TABLE ? { versionsTable: process.env.VERSIONS_TABLE } : {}),
    log: (line) => console.log(line),
  })
  console.log(`Reality chat over PostgreSQL: ${chat.url}`)
  console.log(`Messages in table ${chat.table}; a trigger bumps versions in ${chat.versionsTable}. Try:`)
  console.log(`  psql "${databaseUrl}" -c "INSERT INTO ${chat.table} (room, text) VALUES ('general', 'hello from psql')"`)
  console.log('Ctrl+C stops.')
  closeOnSignals(() => chat.close())
}

main().catch((error: unknown) => {
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`Port ${process.env.PORT ?? 3000} is already in use. Pick another one: PORT=4000 npm run example:postgres-chat`)
  } else if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
    console.error(`Cannot reach PostgreSQL at ${process.env.DATABASE_URL || DEFAULT_DATABASE_URL}. Start it, or set DATABASE_URL.`)
  } else {
    console.error(error instanceof Error ? error.message : error)
  }
  process.exitCode = 1
})
