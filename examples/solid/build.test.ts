// @vitest-environment node
import { buildBeforeAll, itBuildsTheApp } from '../example-app.test-helper.js'
import { buildSolidExample } from './build.js'

// The client build of Solid, not the server one (which cannot render).
itBuildsTheApp(await buildBeforeAll('solid-test', buildSolidExample), { serverOnly: 'Client-only API called on the server side' })
