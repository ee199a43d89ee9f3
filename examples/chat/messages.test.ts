import { describe, expect, it } from 'vitest'
import { MAX_TEXT_LENGTH, MessageLog, checkMessageText } from './messages.js'

describe('checkMessageText', () => {
  it('trims and accepts 1 to 500 code points', () => {
    expect(checkMessageText('  hi \n')).toEqual({ ok: true, text: 'hi' })
    expect(checkMessageText('x')).toEqual({ ok: true, text: 'x' })
    expect(checkMessageText('x'.repeat(MAX_TEXT_LENGTH)).ok).toBe(true)
    // 500 emoji are 1,000 UTF-16 units but 500 characters to a reader.
    expect(checkMessageText('🎉'.repeat(MAX_TEXT_LENGTH)).ok).toBe(true)
  })

  it('refuses non-strings, blank and over-long text with a reason', () => {
    expect(checkMessageText(undefined)).toEqual({ ok: false, reason: 'Text must be a string.' })
    expect(checkMessageText(['hi'])).toEqual({ ok: false, reason: 'Text must be a string.' })
    expect(checkMessageText('')).toEqual({ ok: false, reason: 'Text must not be empty.' })
    expect(checkMessageText(' \t\n ')).toEqual({ ok: false, reason: 'Text must not be empty.' })
    expect(checkMessageText('x'.repeat(MAX_TEXT_LENGTH + 1))).toEqual({ ok: false, reason: 'Text must be at most 500 characters long.' })
    expect(checkMessageText('🎉'.repeat(MAX_TEXT_LENGTH + 1)).ok).toBe(false)
  })

  it('measures after trimming', () => {
    expect(checkMessageText(`   ${'x'.repeat(MAX_TEXT_LENGTH)}   `).ok).toBe(true)
  })
})

describe('MessageLog', () => {
  it('numbers messages, stamps them with the clock and lists them oldest first', () => {
    let now = 1000
    const log = new MessageLog({ now: () => now++ })
    log.add('a')
    log.add('b')
    expect(log.list()).toEqual([
      { id: 1, text: 'a', at: 1000 },
      { id: 2, text: 'b', at: 1001 },
    ])
  })

  it('keeps only the newest maxMessages, and ids keep increasing past the cap', () => {
    const log = new MessageLog({ maxMessages: 2 })
    for (const text of ['a', 'b', 'c', 'd']) log.add(text)
    expect(log.list().map((m) => [m.id, m.text])).toEqual([
      [3, 'c'],
      [4, 'd'],
    ])
  })

  it('hands out copies, so callers cannot edit the room', () => {
    const log = new MessageLog()
    log.add('a')
    const listed = log.list()
    listed[0]!.text = 'changed'
    listed.push({ id: 99, text: 'x', at: 0 })
    expect(log.list()).toEqual([{ id: 1, text: 'a', at: expect.any(Number) }])
  })

  it('refuses a cap that is not a positive integer', () => {
    expect(() => new MessageLog({ maxMessages: 0 })).toThrow(/positive integer/)
    expect(() => new MessageLog({ maxMessages: 1.5 })).toThrow(/positive integer/)
  })
})
