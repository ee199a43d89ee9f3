/**
 * `JSON.parse` keeps the last of two equal keys in one object and says
 * nothing. Two parsers reading the same body differently is how request
 * smuggling starts, so the protocol refuses such bodies. This scan runs
 * after `JSON.parse` has accepted the text, so it can assume valid JSON and
 * only has to track which strings are object keys.
 */

/**
 * The first key that appears twice in one object of `text`, or `undefined`.
 * `text` must already be valid JSON.
 *
 * @example
 * findDuplicateKey('{"a":1,"a":2}') // 'a'
 * findDuplicateKey('{"a":{"a":1}}') // undefined
 */
export function findDuplicateKey(text: string): string | undefined {
  // One entry per open container: a Set of keys for objects, null for arrays.
  const stack: (Set<string> | null)[] = []
  let expectKey = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34 /* " */) {
      const start = i
      let escaped = false
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i)
        if (d === 92 /* \ */) {
          escaped = true
          i++
        } else if (d === 34) break
      }
      if (expectKey) {
        const raw = text.slice(start + 1, i)
        const key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : raw
        const keys = stack[stack.length - 1]!
        if (keys.has(key)) return key
        keys.add(key)
        expectKey = false
      }
    } else if (c === 123 /* { */) {
      stack.push(new Set())
      expectKey = true
    } else if (c === 91 /* [ */) {
      stack.push(null)
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop()
    } else if (c === 44 /* , */) {
      expectKey = stack[stack.length - 1] != null
    }
  }
  return undefined
}
