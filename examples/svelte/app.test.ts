// @vitest-environment node
/** The Svelte example, started by its one command and driven in Chromium (see ../example-app.test-helper.ts). */
import { describeChatExample } from '../example-app.test-helper.js'

describeChatExample({ name: 'svelte', serverOnly: 'is not available on the server' })
