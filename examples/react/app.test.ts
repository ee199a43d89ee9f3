// @vitest-environment node
/** The React example, started by its one command and driven in Chromium (see ../example-app.test-helper.ts). */
import { describeChatExample } from '../example-app.test-helper.js'

describeChatExample({ name: 'react' })
