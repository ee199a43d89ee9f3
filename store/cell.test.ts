import { describe, expect, it } from 'vitest'
import { batch, Cell } from './cell.js'

class WatchedCell<T> extends Cell<T> {
  events: string[] = []
  protected override onWatched() {
    this.events.push('watched')
  }
  protected override onUnwatched() {
    this.events.push('unwatched')
  }
}

describe('Cell: the store reactive primitive', () => {
  it('subscribe calls at once and on changes; listen only on changes; same value is no change', () => {
    const cell = new Cell(1)
    const subscribed: number[] = []
    const listened: number[] = []
    const stopSubscribe = cell.subscribe((value) => subscribed.push(value))
    const stopListen = cell.listen((value) => listened.push(value))
    cell.set(2)
    cell.set(2)
    stopSubscribe()
    cell.set(3)
    stopListen()
    cell.set(4)
    expect(subscribed).toEqual([1, 2])
    expect(listened).toEqual([2, 3])
    expect(cell.subscribers).toBe(0)
  })

  it('tells its subclass when the first subscriber comes and the last goes; a second stop() does nothing', () => {
    const cell = new WatchedCell(0)
    const a = cell.listen(() => {})
    const b = cell.subscribe(() => {})
    a()
    a()
    expect(cell.events).toEqual(['watched'])
    b()
    expect(cell.events).toEqual(['watched', 'unwatched'])
  })

  it('the same function subscribed twice is two subscriptions', () => {
    const cell = new Cell('a')
    const seen: string[] = []
    const listener = (value: string) => void seen.push(value)
    const first = cell.listen(listener)
    cell.listen(listener)
    first()
    cell.set('b')
    expect(seen).toEqual(['b'])
  })

  it('a change made while the first subscriber arrives reaches it once, in its first call', () => {
    class Starting extends Cell<string> {
      protected override onWatched() {
        this.set('loading')
      }
    }
    const cell = new Starting('idle')
    const subscribed: string[] = []
    cell.subscribe((value) => subscribed.push(value))
    expect(subscribed).toEqual(['loading'])
    const listened: string[] = []
    const other = new Starting('idle')
    other.listen((value) => listened.push(value))
    expect(listened).toEqual([])
  })

  it('batch() calls each changed cell once, with its last value, when the outermost batch ends', () => {
    const a = new Cell(0)
    const b = new Cell(0)
    const seen: string[] = []
    a.listen((value) => seen.push(`a${value}`))
    b.listen((value) => seen.push(`b${value}`))
    batch(() => {
      a.set(1)
      batch(() => b.set(1))
      a.set(2)
      expect(seen).toEqual([])
    })
    expect(seen).toEqual(['a2', 'b1'])
  })

  it('a subscriber that throws does not keep the others from their call; the error still surfaces', () => {
    const cell = new Cell(0)
    const seen: number[] = []
    cell.listen(() => {
      throw new Error('bad subscriber')
    })
    cell.listen((value) => seen.push(value))
    expect(() => cell.set(1)).toThrow('bad subscriber')
    expect(seen).toEqual([1])
  })

  it('every change moves nanostores’ epoch', () => {
    const holder = globalThis as { nanostoresGlobal?: { epoch: number } }
    const cell = new Cell(0)
    cell.set(1)
    const before = holder.nanostoresGlobal!.epoch
    cell.set(2)
    expect(holder.nanostoresGlobal!.epoch).toBe(before + 1)
  })
})

describe('Cell: a failing subscriber inside a batch', () => {
  it('keeps the other changed cells notifying, and later batches work', () => {
    const a = new Cell(0)
    const b = new Cell(0)
    const seen: string[] = []
    a.listen(() => {
      throw new Error('bad subscriber')
    })
    b.listen((value) => seen.push(`b${value}`))
    expect(() =>
      batch(() => {
        a.set(1)
        b.set(1)
      }),
    ).toThrow('bad subscriber')
    batch(() => b.set(2))
    expect(seen).toEqual(['b1', 'b2'])
  })
})
