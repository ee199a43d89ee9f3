/**
 * The pack test reuses `dist/` only while it is newer than every source;
 * otherwise it would pack a stale build and prove nothing about the code.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { distIsFresh } from './fresh-dist.js'

const roots: string[] = []
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true })
})

/** A tiny repo: one source, one test, one built file, with chosen mtimes (seconds). */
function repo({ source, test, built }: { source: number; test: number; built?: number }): string {
  const root = mkdtempSync(join(tmpdir(), 'fresh-dist-'))
  roots.push(root)
  mkdirSync(join(root, 'server'))
  writeFileSync(join(root, 'server/index.ts'), '')
  utimesSync(join(root, 'server/index.ts'), source, source)
  writeFileSync(join(root, 'server/index.test.ts'), '')
  utimesSync(join(root, 'server/index.test.ts'), test, test)
  if (built !== undefined) {
    mkdirSync(join(root, 'dist/server'), { recursive: true })
    writeFileSync(join(root, 'dist/server/index.js'), '')
    utimesSync(join(root, 'dist/server/index.js'), built, built)
  }
  return root
}

describe('distIsFresh', () => {
  it('is fresh when every built file is newer than every source', () => {
    expect(distIsFresh(repo({ source: 1_000, test: 1_000, built: 2_000 }))).toBe(true)
  })
  it('is stale when a source changed after the build', () => {
    expect(distIsFresh(repo({ source: 3_000, test: 1_000, built: 2_000 }))).toBe(false)
  })
  it('ignores test files, which the build does not read', () => {
    expect(distIsFresh(repo({ source: 1_000, test: 3_000, built: 2_000 }))).toBe(true)
  })
  it('is stale when there is no dist', () => {
    expect(distIsFresh(repo({ source: 1_000, test: 1_000 }))).toBe(false)
  })
})
