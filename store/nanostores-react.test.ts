// @vitest-environment happy-dom
import { useStore } from '@nanostores/react'
import { act, createElement as h } from 'react'
import { createRoot } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { afterEach, beforeEach, expect, it, vi } from 'vitest'
import { createStore } from './create-store.js'
import { manualTimers, manualTransport, settle } from './test-helpers.js'
import type { NodeHandle, NodeState } from './types.js'
import { hydrate } from '../ssr/index.js'
import { inspect } from '../devtools/index.js'

// The long-poll loop waits a second after an answer that came back within a
// second (Date.now): a frozen clock makes that deterministic.
beforeEach(() => void vi.useFakeTimers({ toFake: ['Date'] }))
afterEach(() => void vi.useRealTimers())

;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true
const stores: { destroy(): void }[] = []
afterEach(() => stores.splice(0).forEach((s) => s.destroy()))

function Title({ handle }: { handle: NodeHandle<string> }) {
  // nanostores types its own atoms; ours has the same runtime shape (get, listen, subscribe, value).
  const { data, isLoading } = useStore(handle as never) as NodeState<string>
  return h('h1', null, isLoading ? 'loading' : data)
}

it("a handle works with @nanostores/react's useStore: renders, updates, and lets the node go (cached) on unmount", async () => {
  const t = manualTransport()
  const clock = manualTimers()
  const store = createStore({ transport: t.transport, timers: clock.timers, grace: 500 })
  stores.push(store)
  let title = 'first'
  const handle = store.node('title', { fetcher: () => title })
  const root = document.createElement('div')
  const app = createRoot(root)
  await act(async () => app.render(h(Title, { handle })))
  expect(root.textContent).toBe('loading')
  await act(async () => {
    await settle()
    t.last().respond({ title: { version: 1 } })
    await settle()
  })
  expect(root.textContent).toBe('first')
  title = 'second'
  await act(async () => {
    t.last().respond({ title: { version: 2 } })
    await settle()
  })
  expect(root.textContent).toBe('second')
  await act(async () => app.unmount())
  clock.advance(500)
  expect(store.debug()).toMatchObject({ nodes: 1, timers: 1, requests: 0 }) // cached for cacheTime
  expect(inspect(store).nodes).toMatchObject([{ key: 'title', state: 'cached', subscribers: 0, version: 2 }])
})

it('renders on the server with react-dom/server from hydrated data, without fetching', () => {
  const store = createStore({ transport: manualTransport().transport, timers: manualTimers().timers })
  stores.push(store)
  hydrate(store, { v: 1, nodes: { title: { data: 'from the server', version: 7 } } })
  const handle = store.node('title', { fetcher: () => { throw new Error('no fetch during SSR') } })
  expect(renderToString(h(Title, { handle }))).toBe('<h1>from the server</h1>')
})
