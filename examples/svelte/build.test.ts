// @vitest-environment node
import { buildBeforeAll, itBuildsTheApp } from '../example-app.test-helper.js'
import { buildSvelteExample } from './build.js'

// The client build of Svelte, not the server one (which cannot mount).
itBuildsTheApp(await buildBeforeAll('svelte-test', buildSvelteExample), { serverOnly: 'is not available on the server' })
