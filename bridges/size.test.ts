// @vitest-environment node
import { expect, it } from 'vitest'
import { bytesAddedBeyondStore } from '../test/binding-size.js'

it('reality/tanstack adds at most 1 KB min+gz beyond the store', async () => {
  expect(await bytesAddedBeyondStore('tanstack')).toBeLessThanOrEqual(1024)
})

it('reality/swr adds at most 1 KB min+gz beyond the store', async () => {
  expect(await bytesAddedBeyondStore('swr')).toBeLessThanOrEqual(1024)
})
