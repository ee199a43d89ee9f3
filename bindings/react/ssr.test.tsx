// @vitest-environment node
import { renderToString } from 'react-dom/server'
import { describe, expect, it, vi } from 'vitest'
import { createStore } from '../../store/index.js'
import { RealityProvider, useReality, useRealityStatus } from './index.js'
import { dehydrate, hydrate } from '../../ssr/index.js'

type Todo = { id: number; title: string }

/** What a server render produces after loading its data: a dehydrated snapshot. */
function serverSnapshot() {
  const store = createStore({ live: 'events' })
  hydrate(store, { v: 1, nodes: { 'todos:1': { data: [{ id: 1, title: 'write the binding' }], version: 7 } } })
  const snapshot = dehydrate(store)
  store.destroy()
  return JSON.parse(JSON.stringify(snapshot)) as typeof snapshot
}

function Todos(props: { fetcher: () => Promise<Todo[]> }) {
  const { data, isLoading, version } = useReality('todos:1', { fetcher: props.fetcher })
  const status = useRealityStatus()
  if (isLoading) return <p>loading</p>
  return (
    <ul data-version={version} data-status={status}>
      {data?.map((todo) => <li key={todo.id}>{todo.title}</li>)}
    </ul>
  )
}

describe('react SSR', () => {
  it('renders hydrated data without calling the fetcher', () => {
    const store = createStore({ live: 'events' })
    hydrate(store, serverSnapshot())
    const fetcher = vi.fn(async (): Promise<Todo[]> => [])
    const html = renderToString(
      <RealityProvider store={store}>
        <Todos fetcher={fetcher} />
      </RealityProvider>,
    )
    expect(html).toContain('<li>write the binding</li>')
    expect(html).toContain('data-version="7"')
    expect(html).toContain('data-status="idle"')
    expect(fetcher).not.toHaveBeenCalled()
    store.destroy()
  })

  it('subscribes nothing on the server: no sync request, no fetch', async () => {
    const store = createStore({ live: 'events' })
    const fetcher = vi.fn(async (): Promise<Todo[]> => [])
    const html = renderToString(
      <RealityProvider store={store}>
        <Todos fetcher={fetcher} />
      </RealityProvider>,
    )
    expect(html).toBe('<p>loading</p>')
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(fetcher).not.toHaveBeenCalled()
    expect(store.debug()).toMatchObject({ requests: 0, fetches: 0 })
    expect(store.status.get()).toBe('idle')
    store.destroy()
  })
})
