// @vitest-environment node
/** The Vue example: Vite builds it, and the built app syncs in a browser. */
import { buildBeforeAll, itBuildsTheApp, itSyncsInABrowser } from '../example-app.test-helper.js'
import { buildVueExample } from './build.js'

const built = await buildBeforeAll('vue-app', buildVueExample)
itBuildsTheApp(built)
itSyncsInABrowser(built)
