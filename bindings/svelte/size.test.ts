// @vitest-environment node
import { expect, it } from 'vitest'
import { bytesAddedBeyondStore } from '../../test/binding-size.js'

it('reality/svelte adds at most 1 KB min+gz beyond the store', async () => {
  expect(await bytesAddedBeyondStore('svelte')).toBeLessThanOrEqual(1024)
})
