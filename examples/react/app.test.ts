// @vitest-environment node
/** The React example: Vite builds it, and the built app syncs in a browser. */
import { buildBeforeAll, itBuildsTheApp, itSyncsInABrowser } from '../example-app.test-helper.js'
import { buildReactExample } from './build.js'

const built = await buildBeforeAll('react-app', buildReactExample)
itBuildsTheApp(built)
itSyncsInABrowser(built)
