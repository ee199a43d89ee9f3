/**
 * After tsup: the CommonJS typings (.d.cts) of an entry that imports types
 * from an ESM-only package (solid-js ships ESM-only types) fail under
 * `moduleResolution: node16` without skipLibCheck (TS1479). Those imports
 * are types only, so they are marked `import type … with { 'resolution-mode':
 * 'import' }`, which TypeScript resolves as ESM from a CommonJS file.
 * (rollup-plugin-dts drops import attributes written in the sources.)
 *
 *   node scripts/esm-only-types.mjs [outDir]   (default: dist)
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const ESM_ONLY_TYPES = ['solid-js']
const outDir = process.argv[2] ?? 'dist'

function* ctsFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* ctsFiles(path)
    else if (entry.name.endsWith('.d.cts')) yield path
  }
}

let patched = 0
for (const file of ctsFiles(outDir)) {
  const source = readFileSync(file, 'utf8')
  let result = source
  for (const name of ESM_ONLY_TYPES) {
    const specifier = name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    const plain = new RegExp(`^import (?:type )?(\\{[^}]*\\}) from '${specifier}';$`, 'gm')
    result = result.replace(plain, `import type $1 from '${name}' with { 'resolution-mode': 'import' };`)
  }
  if (result !== source) {
    writeFileSync(file, result)
    patched++
  }
}
console.log(`esm-only-types: ${patched} .d.cts file(s) in ${outDir} import ESM-only types as ESM`)
