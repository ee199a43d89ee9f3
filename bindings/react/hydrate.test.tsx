import { act } from '@testing-library/react'
import { hydrateRoot, type Root } from 'react-dom/client'
import { renderToString } from 'react-dom/server'
import { afterEach, expect, it, vi } from 'vitest'
import { createStore, getSharedStore, type Store, type Transport } from '../../store/index.js'
import { RealityProvider, useReality } from './index.js'
import { dehydrate, hydrate } from '../../ssr/index.js'

let store: Store | undefined
let root: Root | undefined
afterEach(() => {
  act(() => root?.unmount())
  vi.restoreAllMocks()
  store?.destroy()
  store = root = undefined
})

/** The server still holds version 7 of the key: nothing to refetch. */
const atVersion7: Transport = {
  async sync({ known }) {
    const changed: Record<string, { version: number }> = {}
    for (const key in known) if (known[key] !== 7) changed[key] = { version: 7 }
    return { v: 1, changed }
  },
}

function Greeting(props: { fetcher: () => Promise<string> }) {
  const { data, isLoading } = useReality('greeting', { fetcher: props.fetcher })
  return <p>{isLoading ? 'loading' : data}</p>
}

it('hydrateRoot with the server snapshot: same markup, no mismatch, no fetch, and no provider needed', async () => {
  // Server side: a store that loaded the data, rendered and dehydrated.
  const server = createStore({ live: 'events', transport: atVersion7 })
  hydrate(server, { v: 1, nodes: { greeting: { data: 'hello from the server', version: 7 } } })
  const snapshot = JSON.parse(JSON.stringify(dehydrate(server)))
  const html = renderToString(
    <RealityProvider store={server}>
      <Greeting fetcher={async () => 'never'} />
    </RealityProvider>,
  )
  server.destroy()
  expect(html).toBe('<p>hello from the server</p>')

  // Browser side: the page's shared store (no RealityProvider) adopts the snapshot before hydrating.
  store = getSharedStore({ transport: atVersion7, live: 'events' })
  hydrate(store, snapshot)
  const errors = vi.spyOn(console, 'error')
  const fetcher = vi.fn(async () => 'refetched')
  const container = document.createElement('div')
  container.innerHTML = html
  await act(async () => {
    root = hydrateRoot(container, <Greeting fetcher={fetcher} />)
  })
  await act(() => store!.sync())
  expect(container.innerHTML).toBe('<p>hello from the server</p>')
  expect(fetcher).not.toHaveBeenCalled()
  expect(errors).not.toHaveBeenCalled()
})
