// @vitest-environment node
/** The built Svelte app syncs with the chat demo server in a browser. */
import { buildBeforeAll, itSyncsInABrowser } from '../example-app.test-helper.js'
import { buildSvelteExample } from './build.js'

itSyncsInABrowser(await buildBeforeAll('svelte-app', buildSvelteExample))
