/**
 * reality/swr with the real swr and React (Testing Library in happy-dom),
 * over a real loopback server and the real httpTransport.
 */
import { cleanup, render, screen } from '@testing-library/react'
import type { ReactNode } from 'react'
import useSWR, { SWRConfig } from 'swr'
import useSWRInfinite from 'swr/infinite'
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest'
import { until } from '../../test/loopback.js'
import { fakeDatabase, startRecordedLoopback, type RecordedLoopback } from '../sync-log.test-helper.js'
import { reality, type RealityMiddlewareOptions } from './index.js'

let loopback: RecordedLoopback | undefined
let consoleErrors: MockInstance
beforeEach(() => {
  consoleErrors = vi.spyOn(console, 'error')
})
afterEach(async () => {
  cleanup()
  await loopback?.close()
  loopback = undefined
  // No act() warnings, no React errors.
  expect(consoleErrors).not.toHaveBeenCalled()
  consoleErrors.mockRestore()
})

let db = fakeDatabase({})

function Item({ id }: { id: string }) {
  const { data } = useSWR(['item', id], ([, key]) => db.read(`item:${key}`))
  return <p data-testid={`item:${id}`}>{data ?? 'loading'}</p>
}

/** An SWR app with its own cache, made live by the middleware. */
function App({ children, options }: { children: ReactNode; options?: RealityMiddlewareOptions }) {
  return (
    <SWRConfig value={{ provider: () => new Map(), use: [reality({ store: loopback!.store, ...options })], dedupingInterval: 0, shouldRetryOnError: false }}>
      {children}
    </SWRConfig>
  )
}

const text = (id: string) => screen.getByTestId(`item:${id}`).textContent
const heldAgain = () => until(() => loopback!.server.reality.stats().held === 1 && loopback!.store.debug().fetches === 0, 'a held long-poll')

describe('reality() SWR middleware over a real loopback server', () => {
  it('shows a server invalidate in the DOM, refetching only that key; 100 mounted keys ride one sync request', async () => {
    loopback = await startRecordedLoopback()
    const ids = Array.from({ length: 100 }, (_, i) => String(i))
    db = fakeDatabase(Object.fromEntries(ids.map((id) => [`item:${id}`, `item ${id} v1`])))
    render(<App>{ids.map((id) => <Item key={id} id={id} />)}</App>)
    await until(() => ids.every((id) => text(id) === `item ${id} v1`), 'every item to load')
    await heldAgain()
    expect(Object.keys(loopback.syncs[0]!)).toHaveLength(100)

    const before = db.totalReads()
    db.set('item:7', 'item 7 v2')
    await loopback.server.reality.invalidate(['item:7'])
    await screen.findByText('item 7 v2', undefined, { timeout: 10_000 })
    await heldAgain()
    expect(db.totalReads() - before).toBe(1)
  })

  it('for comparison, plain SWR learns of changes only by revalidating every mounted key (here on focus): 100 requests', async () => {
    loopback = await startRecordedLoopback()
    const ids = Array.from({ length: 100 }, (_, i) => String(i))
    db = fakeDatabase(Object.fromEntries(ids.map((id) => [`item:${id}`, `item ${id} v1`])))
    render(
      <SWRConfig value={{ provider: () => new Map(), dedupingInterval: 0, focusThrottleInterval: 0 }}>
        {ids.map((id) => <Item key={id} id={id} />)}
      </SWRConfig>,
    )
    await until(() => ids.every((id) => text(id) === `item ${id} v1`), 'every item to load')
    const before = db.totalReads()
    db.set('item:7', 'item 7 v2')
    window.dispatchEvent(new window.Event('focus'))
    await screen.findByText('item 7 v2', undefined, { timeout: 10_000 })
    await until(() => db.totalReads() - before === 100, 'every key to revalidate')
    expect(loopback.syncs).toHaveLength(0)
  })

  it('two hooks on one key revalidate it once per change', async () => {
    loopback = await startRecordedLoopback()
    db = fakeDatabase({ 'item:a': 'a1' })
    render(
      <App>
        <Item id="a" />
        <div>
          <Item id="a" />
        </div>
      </App>,
    )
    await until(() => screen.queryAllByText('a1').length === 2, 'both hooks to load')
    await heldAgain()
    const before = db.reads('item:a')
    db.set('item:a', 'a2')
    await loopback.server.reality.invalidate(['item:a'])
    await until(() => screen.queryAllByText('a2').length === 2, 'both hooks to show the change')
    await heldAgain()
    expect(db.reads('item:a') - before).toBe(1)
  })

  it('stops watching a key when its last hook unmounts', async () => {
    loopback = await startRecordedLoopback({ grace: 0 })
    db = fakeDatabase({ 'item:a': 'a1', 'item:b': 'b1' })
    const view = render(
      <App>
        <Item id="a" />
        <Item id="b" />
      </App>,
    )
    await until(() => text('a') === 'a1' && text('b') === 'b1', 'both to load')
    await heldAgain()
    view.rerender(
      <App>
        <Item id="b" />
      </App>,
    )
    await until(() => loopback!.watched().join() === 'item:b', 'a to be no longer watched')
    view.unmount()
    await until(() => loopback!.watched().length === 0 && loopback!.store.debug().requests === 0, 'nothing to be watched')
  })

  it('a failed revalidation keeps the version: the store retries until the change lands', async () => {
    loopback = await startRecordedLoopback()
    db = fakeDatabase({ 'item:a': 'a1' })
    let failNext = false
    function Flaky() {
      const { data } = useSWR('item:a', async (key: string) => {
        if (failNext) {
          failNext = false
          throw new Error('the API is down for a moment')
        }
        return db.read(key)
      })
      return <p data-testid="item:a">{data ?? 'loading'}</p>
    }
    render(
      <App>
        <Flaky />
      </App>,
    )
    await until(() => text('a') === 'a1', 'a to load')
    await heldAgain()
    failNext = true
    db.set('item:a', 'a2')
    await loopback.server.reality.invalidate(['item:a'])
    await until(() => text('a') === 'a2', 'the change to land after the failure')
  })

  it('keeps the version fence: a request started before a change is superseded, not taken as up to date', async () => {
    loopback = await startRecordedLoopback()
    db = fakeDatabase({ 'item:a': 'a1' })
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let calls = 0
    function Gated() {
      // The first request reads "a1" and hangs until released.
      const { data } = useSWR('item:a', (key: string) => db.read(key, ++calls === 1 ? gate : undefined))
      return <p data-testid="item:a">{data ?? 'loading'}</p>
    }
    render(
      <App>
        <Gated />
      </App>,
    )
    await until(() => calls === 1, 'the first request to start')
    db.set('item:a', 'a2')
    await loopback.server.reality.invalidate(['item:a'])
    await until(() => text('a') === 'a2', 'the change to show')
    release()
    await heldAgain()
    expect(text('a')).toBe('a2')
  })

  it('leaves useSWRInfinite alone (its getKey is never called without a page index)', async () => {
    loopback = await startRecordedLoopback()
    db = fakeDatabase({ 'item:a': 'a1', 'page:0': 'p0' })
    const pageIndexes: unknown[] = []
    function Pages() {
      const { data } = useSWRInfinite((index: number) => (pageIndexes.push(index), `page:${index}`), (key: string) => db.read(key))
      return <p data-testid="pages">{data?.join() ?? 'loading'}</p>
    }
    render(
      <App>
        <Item id="a" />
        <Pages />
      </App>,
    )
    await until(() => text('a') === 'a1' && screen.getByTestId('pages').textContent === 'p0', 'both to load')
    await heldAgain()
    expect(Object.keys(loopback.syncs.at(-1)!)).toEqual(['item:a'])
    expect(pageIndexes.every((index) => typeof index === 'number')).toBe(true)
  })

  it('maps keys with keyOf: unmapped keys are not watched', async () => {
    loopback = await startRecordedLoopback()
    db = fakeDatabase({ 'item:a': 'a1', 'item:b': 'b1' })
    render(
      <App options={{ keyOf: (key) => (Array.isArray(key) && key[1] === 'a' ? 'things:a' : undefined) }}>
        <Item id="a" />
        <Item id="b" />
      </App>,
    )
    await until(() => text('a') === 'a1' && text('b') === 'b1', 'both to load')
    await heldAgain()
    expect(Object.keys(loopback.syncs.at(-1)!)).toEqual(['things:a'])
  })
})
