/**
 * reality/tanstack through @tanstack/react-query, rendered with React Testing
 * Library (happy-dom) over a real loopback server.
 */
import { QueryClient, QueryClientProvider, useQuery } from '@tanstack/react-query'
import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, beforeEach, expect, it, vi, type MockInstance } from 'vitest'
import { until } from '../../test/loopback.js'
import { fakeDatabase, startRecordedLoopback, type RecordedLoopback } from '../sync-log.test-helper.js'
import { connectQueryClient } from './index.js'

let loopback: RecordedLoopback | undefined
let disconnect: (() => void) | undefined
let consoleErrors: MockInstance
beforeEach(() => {
  consoleErrors = vi.spyOn(console, 'error')
})
afterEach(async () => {
  cleanup()
  disconnect?.()
  await loopback?.close()
  loopback = disconnect = undefined
  // No act() warnings, no React errors.
  expect(consoleErrors).not.toHaveBeenCalled()
  consoleErrors.mockRestore()
})

const db = fakeDatabase({ 'news:headline': 'first', 'news:weather': 'sunny' })

function News({ topic }: { topic: 'headline' | 'weather' }) {
  const { data, isPending } = useQuery({ queryKey: ['news', topic], queryFn: () => db.read(`news:${topic}`) })
  return <h1 aria-label={topic}>{isPending ? 'loading' : data}</h1>
}

it('an existing react-query app, connected with one call, shows a server invalidate in the DOM', async () => {
  loopback = await startRecordedLoopback({ grace: 0 })
  const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } })
  disconnect = connectQueryClient(queryClient, { store: loopback.store })
  const view = render(
    <QueryClientProvider client={queryClient}>
      <News topic="headline" />
      <News topic="weather" />
    </QueryClientProvider>,
  )
  await until(() => screen.getByLabelText('headline').textContent === 'first', 'the headline to load')
  await until(() => loopback!.server.reality.stats().held === 1 && loopback!.store.debug().fetches === 0, 'a held long-poll')
  const weatherReads = db.reads('news:weather')

  db.set('news:headline', 'second')
  await loopback.server.reality.invalidate(['news:headline'])
  await until(() => screen.getByLabelText('headline').textContent === 'second', 'the DOM to show the change')
  expect(db.reads('news:weather')).toBe(weatherReads)

  // Unmounting the weather: its query goes inactive and its key is no longer watched.
  view.rerender(
    <QueryClientProvider client={queryClient}>
      <News topic="headline" />
    </QueryClientProvider>,
  )
  await until(() => loopback!.watched().join() === 'news:headline', 'the weather to be no longer watched')
  view.unmount()
  await until(() => loopback!.watched().length === 0, 'nothing to be watched')
  queryClient.clear()
})
