// @vitest-environment node
import { expect, it } from 'vitest'
import { bytesAddedBeyondStore } from '../test/binding-size.js'

it('reality/tabs adds at most 1.5 KB min+gz beyond the store', async () => {
  expect(await bytesAddedBeyondStore('tabs')).toBeLessThanOrEqual(1500)
})
