import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { createStore, type Store, type Transport } from '../../store/index.js'
import { RealityProvider, useMutation, useReality } from './index.js'

/**
 * A tiny app backend: a list with a version, answered through a
 * hand-written Transport (the store's public, injectable interface).
 */
function backend() {
  const db = { items: ['a'], version: 1 }
  const transport: Transport = {
    async sync(request) {
      const changed: Record<string, { version: number }> = {}
      if ('list' in request.known && request.known.list !== db.version) changed.list = { version: db.version }
      return { v: 1, changed }
    },
  }
  return { db, transport }
}

function deferred() {
  let resolve!: () => void
  let reject!: (error: Error) => void
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

let store: Store | undefined
afterEach(() => {
  cleanup()
  store?.destroy()
  store = undefined
})

function List(props: { save: (item: string) => Promise<void>; fetcher: () => string[] }) {
  const { data } = useReality('list', { fetcher: props.fetcher })
  const add = useMutation(['list'], props.save, (item: string) => ({ optimistic: { list: (items: string[] | undefined) => [...(items ?? []), `${item}…`] } }))
  return (
    <>
      <p data-testid="items">{data?.join(',')}</p>
      <p data-testid="state">{add.isPending ? 'pending' : add.error ? `error: ${add.error.message}` : 'idle'}</p>
      <button onClick={() => add.mutate('b').catch(() => {})}>add</button>
    </>
  )
}

describe('useMutation', () => {
  it('shows the optimistic value and pending state, then the server data', async () => {
    const { db, transport } = backend()
    store = createStore({ transport, live: 'events' })
    const gate = deferred()
    const save = async (item: string) => {
      await gate.promise
      db.items = [...db.items, item]
      db.version++
    }
    render(
      <RealityProvider store={store}>
        <List save={save} fetcher={() => db.items} />
      </RealityProvider>,
    )
    await expect.poll(() => screen.getByTestId('items').textContent).toBe('a')

    fireEvent.click(screen.getByText('add'))
    expect(screen.getByTestId('items').textContent).toBe('a,b…')
    expect(screen.getByTestId('state').textContent).toBe('pending')

    await act(async () => gate.resolve())
    await expect.poll(() => screen.getByTestId('items').textContent).toBe('a,b')
    expect(screen.getByTestId('state').textContent).toBe('idle')
  })

  it('rolls back, exposes the error and rejects the call when the mutation fails', async () => {
    const { db, transport } = backend()
    store = createStore({ transport, live: 'events' })
    const gate = deferred()
    let call: Promise<void> | undefined
    function Failing() {
      const { data } = useReality('list', { fetcher: () => db.items })
      const add = useMutation(['list'], () => gate.promise, { optimistic: { list: (items: string[] | undefined) => [...(items ?? []), 'x'] } })
      return (
        <>
          <p data-testid="items">{data?.join(',')}</p>
          <p data-testid="state">{add.isPending ? 'pending' : (add.error?.message ?? 'idle')}</p>
          <button onClick={() => (call = add.mutate())}>add</button>
        </>
      )
    }
    render(
      <RealityProvider store={store}>
        <Failing />
      </RealityProvider>,
    )
    await expect.poll(() => screen.getByTestId('items').textContent).toBe('a')
    fireEvent.click(screen.getByText('add'))
    expect(screen.getByTestId('items').textContent).toBe('a,x')

    const rejected = expect(call).rejects.toThrow('refused')
    await act(async () => gate.reject(new Error('refused')))
    await rejected
    expect(screen.getByTestId('items').textContent).toBe('a')
    expect(screen.getByTestId('state').textContent).toBe('refused')
  })

  it('stays pending until every concurrent call has settled; mutate is one stable function', async () => {
    const { transport } = backend()
    store = createStore({ transport, live: 'events' })
    const gates = [deferred(), deferred()]
    let calls = 0
    const mutates = new Set<unknown>()
    let result: { mutate: () => Promise<void>; isPending: boolean } | undefined
    function Two() {
      const add = useMutation(['list'], () => gates[calls++]!.promise)
      mutates.add(add.mutate)
      result = add
      return <p data-testid="state">{add.isPending ? 'pending' : 'idle'}</p>
    }
    render(
      <RealityProvider store={store}>
        <Two />
      </RealityProvider>,
    )
    let first!: Promise<void>
    let second!: Promise<void>
    act(() => {
      first = result!.mutate()
      second = result!.mutate()
    })
    expect(screen.getByTestId('state').textContent).toBe('pending')
    await act(async () => {
      gates[0]!.resolve()
      await first
    })
    expect(screen.getByTestId('state').textContent).toBe('pending')
    await act(async () => {
      gates[1]!.resolve()
      await second
    })
    expect(screen.getByTestId('state').textContent).toBe('idle')
    expect(mutates.size).toBe(1)
  })
})
