/**
 * The chat's messages in a Postgres table, and the trigger that bumps the
 * room's key on every write to it — from this server, `psql`, or anything.
 */
import type pg from 'pg'
import { installPgTrigger } from 'reality/server/postgres'
import type { ChatMessageStore } from '../chat/app.js'
import { DEFAULT_MAX_MESSAGES, ROOM_KEY, type ChatMessage } from '../chat/messages.js'

/** The room name in the table: ROOM_KEY is `chat:room:<room>`. */
export const ROOM = ROOM_KEY.slice('chat:room:'.length)

/**
 * Creates the messages table (if missing), installs its trigger, and returns
 * the chat's message store over it. Writes bump `chat:room:<room>` through
 * the trigger, so the server never calls `invalidate` itself.
 *
 * @example
 * const messages = await postgresMessages(pool, { table: 'chat_messages', versionsTable: 'reality_versions' })
 * await messages.add('hi') // the trigger bumps chat:room:general
 */
export async function postgresMessages(pool: pg.Pool, options: { table: string; versionsTable: string }): Promise<ChatMessageStore> {
  const { table, versionsTable } = options
  if (!/^[a-z_][a-z0-9_]{0,50}$/.test(table)) throw new TypeError(`The messages table must be a plain lower-case SQL identifier, got ${JSON.stringify(table)}.`)
  await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (id serial PRIMARY KEY, room text NOT NULL, text text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`)
  await installPgTrigger(pool, { table, keys: "'chat:room:' || room", versionsTable })
  const columns = `id, text, (extract(epoch FROM created_at) * 1000)::float8 AS at`
  return {
    bumpsRoomKey: true,
    async list() {
      const { rows } = await pool.query<ChatMessage>(`SELECT * FROM (SELECT ${columns} FROM ${table} WHERE room = $1 ORDER BY id DESC LIMIT $2) AS latest ORDER BY id`, [ROOM, DEFAULT_MAX_MESSAGES])
      return rows
    },
    async add(text) {
      const { rows } = await pool.query<ChatMessage>(`INSERT INTO ${table} (room, text) VALUES ($1, $2) RETURNING ${columns}`, [ROOM, text])
      return rows[0]!
    },
  }
}
