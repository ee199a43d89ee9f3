/** `npm run example:micro-frontends` as a process: builds, serves the host page and bundles, refuses bad input, cleans up. */
import { afterEach, expect, it } from 'vitest'
import { startExampleProcess, stopExampleProcesses } from '../example-process.test-helper.js'

afterEach(stopExampleProcesses)

it('builds the three bundles, serves the host page with them, and removes the build when stopped', { timeout: 120_000 }, async () => {
  const example = startExampleProcess('examples/micro-frontends/serve.ts', { PORT: '0' })
  const url = await example.url()
  const html = await (await fetch(url)).text()
  expect(html.match(/<script type="module" src="\/apps\/(react|vue|svelte)\.js"><\/script>/g)).toHaveLength(3)
  expect((await fetch(new URL('/?scripts=classic', url)).then((response) => response.text())).match(/<script src="\/apps\/\w+\.js"><\/script>/g)).toHaveLength(3)
  for (const frontend of ['react', 'vue', 'svelte']) expect((await fetch(new URL(`/apps/${frontend}.js`, url))).status).toBe(200)

  const badLoading = await fetch(new URL('/?scripts=async', url))
  expect(badLoading.status).toBe(400)
  expect(await badLoading.json()).toEqual({ error: { code: 'invalid_request', message: 'scripts must be classic, defer or module.' } })
  const badWrite = await fetch(new URL('/api/keys/k1', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"value":""}' })
  expect(badWrite.status).toBe(400)
  expect((await fetch(new URL('/api/keys/k9', url))).status).toBe(404)
  expect(await (await fetch(new URL('/api/keys/k1', url))).json()).toEqual({ key: 'k1', value: 'initial k1', writes: 0 })

  expect(example.tempFiles()).toHaveLength(1)
  expect(await example.stop()).toBe(0)
})
