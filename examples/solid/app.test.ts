// @vitest-environment node
/** The built Solid app syncs with the chat demo server in a browser. */
import { buildBeforeAll, itSyncsInABrowser } from '../example-app.test-helper.js'
import { buildSolidExample } from './build.js'

itSyncsInABrowser(await buildBeforeAll('solid-app', buildSolidExample))
