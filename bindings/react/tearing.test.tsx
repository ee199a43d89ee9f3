import { startTransition, useLayoutEffect } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, expect, it, vi } from 'vitest'
import { createStore, type Store } from '../../store/index.js'
import { RealityProvider, useReality } from './index.js'
import { hydrate } from '../../ssr/index.js'

// This test drives React itself, outside act(): act renders transitions
// synchronously, while a real page renders them concurrently (time-sliced),
// the mode in which tearing can happen.
let store: Store | undefined
let root: Root | undefined
afterEach(() => {
  // Unmount while React still knows it runs outside act(), then restore the
  // flag for the other tests: unmounting with it set would warn about an
  // update "not wrapped in act(...)".
  root?.unmount()
  vi.restoreAllMocks()
  store?.destroy()
  store = root = undefined
  ;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true
})

it('no tearing: a store change in the middle of a concurrent render is never committed half-applied', async () => {
  ;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = false
  // 'events' and a transport that never answers: the data comes from snapshots only.
  store = createStore({ live: 'events', transport: { sync: () => new Promise(() => {}) } })
  hydrate(store, { v: 1, nodes: { headline: { data: 'old', version: 1 } } })
  const container = document.createElement('div')
  // What the DOM shows after every commit that touches the list or an item.
  const commits: string[][] = []
  const record = () => commits.push([...container.querySelectorAll('li')].map((item) => item.textContent ?? ''))
  let listCommits = 0
  let changeWhileRendering = false

  function Item() {
    const { data } = useReality('headline', { fetcher: () => 'never fetched' })
    useLayoutEffect(() => void record())
    return <li>{data}</li>
  }
  // Renders between the two items. In the chosen render it queues a store
  // change as the next task, then works long enough that React yields
  // (it yields when its 5 ms slice is spent): the change lands between two
  // time slices of one render, as a network answer would.
  function Changer() {
    if (changeWhileRendering) {
      changeWhileRendering = false
      // An optimistic value changes the node's state synchronously (the mutation never settles here).
      setImmediate(() => void store!.mutate(['headline'], () => new Promise(() => {}), { optimistic: { headline: () => 'new' } }))
      const until = performance.now() + 20
      while (performance.now() < until);
    }
    return null
  }
  function List(props: { tick: number }) {
    useLayoutEffect(() => {
      listCommits++
      record()
    })
    return (
      <ul data-tick={props.tick}>
        <Item />
        <Changer />
        <Item />
      </ul>
    )
  }
  const app = (tick: number) => (
    <RealityProvider store={store!}>
      <List tick={tick} />
    </RealityProvider>
  )
  root = createRoot(container)
  root.render(app(0))
  await expect.poll(() => listCommits).toBe(1)
  expect(commits.at(-1)).toEqual(['old', 'old'])

  changeWhileRendering = true
  startTransition(() => root!.render(app(1)))
  // Wait for the transition's own commit (List re-renders only then).
  await expect.poll(() => listCommits).toBe(2)
  for (const commit of commits) expect(new Set(commit).size, JSON.stringify(commits)).toBe(1)
  expect(commits.at(-1)).toEqual(['new', 'new'])
})
