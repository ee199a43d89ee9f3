import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { createStore, type Store } from '../../store/index.js'
import { RealityProvider, useReality, useRealityStatus } from './index.js'
import { startLoopbackServer, type LoopbackServer } from '../../test/loopback.js'

let server: LoopbackServer | undefined
let store: Store | undefined
afterEach(async () => {
  cleanup()
  store?.destroy()
  await server?.close()
  server = store = undefined
})

/** The application's "database": a value the test changes, read by the fetcher. */
let headline = 'first'

function Headline() {
  const { data, isLoading } = useReality('news:headline', { fetcher: async () => headline })
  const status = useRealityStatus()
  return (
    <>
      <h1>{isLoading ? 'loading' : data}</h1>
      <p data-testid="status">{status}</p>
    </>
  )
}

describe('react client over a real loopback server', () => {
  it('re-renders with fresh data after server.invalidate', async () => {
    server = await startLoopbackServer()
    store = createStore({ endpoint: server.endpoint })
    headline = 'first'
    render(
      <RealityProvider store={store}>
        <Headline />
      </RealityProvider>,
    )
    expect(screen.getByRole('heading').textContent).toBe('loading')
    await screen.findByRole('heading', { name: 'first' })
    // The store now holds a long-poll on the server: the status says so.
    await expect.poll(() => screen.getByTestId('status').textContent, { timeout: 10_000 }).toBe('live')

    headline = 'second'
    await server.reality.invalidate(['news:headline'])
    await screen.findByRole('heading', { name: 'second' }, { timeout: 10_000 })
  })
})
