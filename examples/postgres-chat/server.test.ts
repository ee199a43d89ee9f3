import { afterAll, describe, expect, it } from 'vitest'
import { uninstallPgTrigger } from 'reality/server/postgres'
import { fetchMessages, postMessage, ROOM_KEY, type ChatMessage } from '../chat/api.js'
import { createPools, psql, startScript, uniqueName, watchKey } from '../../server/versions/postgres-test-kit.js'
import { POSTGRES_URL, serviceMissing } from '../../server/versions/test-services.js'

const missing = await serviceMissing('PostgreSQL')
const table = uniqueName('chat_messages')
const versionsTable = uniqueName('reality_chat_versions')
const pools = createPools(uniqueName('reality_chat_test'))

if (missing) {
  describe.skip(`npm run example:postgres-chat (skipped: ${missing})`, () => {
    it('needs PostgreSQL', () => {})
  })
} else {
  afterAll(async () => {
    const admin = pools.open()
    await uninstallPgTrigger(admin, { table })
    await admin.query(`DROP TABLE IF EXISTS ${table}; DROP TABLE IF EXISTS ${versionsTable}; DROP SEQUENCE IF EXISTS ${versionsTable}_seq`)
    await pools.endAll()
  })

  describe('npm run example:postgres-chat (a real process, real PostgreSQL)', { timeout: 90_000 }, () => {
    it('serves the chat; a psql INSERT and a POST both reach a store; stops on SIGTERM', async () => {
      const chat = startScript('examples/postgres-chat/server.ts', { PORT: '0', DATABASE_URL: POSTGRES_URL, CHAT_TABLE: table, VERSIONS_TABLE: versionsTable })
      try {
        await chat.line('Ctrl+C stops.', 60_000)
        const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(chat.output().stdout)![0]
        expect(chat.output().stdout).toContain(`INSERT INTO ${table} (room, text) VALUES ('general', 'hello from psql')`)
        const watcher = watchKey(new URL('/reality/sync', url).href, ROOM_KEY, () => fetchMessages({ baseUrl: url }))
        try {
          await watcher.until((messages) => messages.length === 0)
          await psql(`INSERT INTO ${table} (room, text) VALUES ('general', 'hello from psql')`)
          await watcher.until((messages) => messages.some((message) => message.text === 'hello from psql'))
          const posted = await postMessage('hello from the page', { baseUrl: url })
          await watcher.until((messages) => messages.some((message) => message.id === posted.id))
          expect(watcher.data()!.map((message: ChatMessage) => message.text)).toEqual(['hello from psql', 'hello from the page'])
        } finally {
          watcher.close()
        }
        chat.child.kill('SIGTERM')
        await chat.exited
        expect(chat.child.exitCode).toBe(0)
      } finally {
        await chat.kill()
      }
    })
  })
}
