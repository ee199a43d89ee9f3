// @vitest-environment node
/** The Solid example, started by its one command and driven in Chromium (see ../example-app.test-helper.ts). */
import { describeChatExample } from '../example-app.test-helper.js'

describeChatExample({ name: 'solid', serverOnly: 'Client-only API called on the server side' })
