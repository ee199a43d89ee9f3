import { describe, expect, it } from 'vitest'
import { findDuplicateKey } from './duplicate-keys.js'

/** Reference: a slow but obviously correct recursive check on a custom parse. */
function referenceDuplicate(text: string): string | undefined {
  let found: string | undefined
  JSON.parse(text, function (this: unknown) {
    return arguments[1]
  })
  // Walk with a tiny recursive descent parser that records keys per object.
  let i = 0
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const str = (): string => {
    const start = i
    i++
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1
    i++
    return JSON.parse(text.slice(start, i)) as string
  }
  const value = (): void => {
    ws()
    const c = text[i]
    if (c === '{') {
      i++
      const keys = new Set<string>()
      ws()
      if (text[i] === '}') return void i++
      for (;;) {
        ws()
        const key = str()
        if (keys.has(key) && found === undefined) found = key
        keys.add(key)
        ws()
        i++ // :
        value()
        ws()
        if (text[i++] === '}') return
      }
    } else if (c === '[') {
      i++
      ws()
      if (text[i] === ']') return void i++
      for (;;) {
        value()
        ws()
        if (text[i++] === ']') return
      }
    } else if (c === '"') str()
    else while (i < text.length && !',]} \t\n\r'.includes(text[i]!)) i++
  }
  value()
  return found
}

function randomJson(rand: () => number, depth = 0): unknown {
  const r = rand()
  const keys = ['a', 'b', '__proto__', 'constructor', 'é', '"q"', '\\', 'a\u0000', '{', ',']
  if (depth > 3 || r < 0.3) return [1, -2.5, 'x', null, true, '}', '"{"'][Math.floor(rand() * 7)]
  if (r < 0.5) return Array.from({ length: Math.floor(rand() * 4) }, () => randomJson(rand, depth + 1))
  const entries: [string, unknown][] = []
  for (let n = Math.floor(rand() * 4); n > 0; n--) entries.push([keys[Math.floor(rand() * keys.length)]!, randomJson(rand, depth + 1)])
  return entries
}

function serialize(value: unknown, rand: () => number): string {
  if (Array.isArray(value) && value.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string')) {
    // An object given as entries, so duplicates survive serialization.
    const parts = (value as [string, unknown][]).map(([k, v]) => {
      const key = rand() < 0.3 ? `"${[...k].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"` : JSON.stringify(k)
      return `${key} : ${serialize(v, rand)}`
    })
    return `{${parts.join(',')}}`
  }
  if (Array.isArray(value)) return `[${value.map((v) => serialize(v, rand)).join(', ')}]`
  return JSON.stringify(value)
}

describe('findDuplicateKey', () => {
  it('finds duplicates per object', () => {
    expect(findDuplicateKey('{"a":1,"b":2,"a":3}')).toBe('a')
    expect(findDuplicateKey('{"a":{"b":1},"c":{"b":2}}')).toBeUndefined()
    expect(findDuplicateKey('[{"a":1},{"a":1}]')).toBeUndefined()
    expect(findDuplicateKey('{"a":[{"x":1,"x":2}]}')).toBe('x')
    expect(findDuplicateKey('{"a":"\\"a\\"","\\"a\\"":1}')).toBeUndefined()
    expect(findDuplicateKey('{"k":{"a":1},"k":2}')).toBe('k')
  })

  it('agrees with a reference parser on 3,000 random documents', () => {
    let seed = 12345
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    for (let n = 0; n < 3000; n++) {
      const text = serialize(randomJson(rand), rand)
      expect(findDuplicateKey(text), text).toBe(referenceDuplicate(text))
    }
  })
})
