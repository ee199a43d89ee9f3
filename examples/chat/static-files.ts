/**
 * Serves a built app's directory (the Vite examples hand theirs to
 * `startDemoServer({ staticDir })`). Every request path is resolved inside
 * the directory, symlinks included, so `..`, encoded slashes or a link
 * pointing outside can never reach another file.
 */
import { readFile, realpath, stat } from 'node:fs/promises'
import path from 'node:path'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
}

/**
 * A file found for a request path.
 *
 * @example
 * const file = await files.find('/assets/app.js') // { body, contentType: 'text/javascript; charset=utf-8' }
 */
export interface StaticFile {
  body: Buffer
  contentType: string
}

/**
 * Looks up request paths in one directory.
 *
 * @example
 * const files: StaticFiles = await openStaticFiles('dist')
 */
export interface StaticFiles {
  /** The real path of the directory served. */
  readonly root: string
  /** The file a URL path names, or `undefined` when there is none (or it lies outside the root). */
  find(urlPath: string): Promise<StaticFile | undefined>
}

/**
 * Opens `dir` for serving. Fails at once, with the path in the message, when
 * it is not a directory, rather than answering 404 to every request later.
 *
 * @example
 * const files = await openStaticFiles('examples/react/dist')
 * await files.find('/')            // index.html
 * await files.find('/../secret')   // undefined
 */
export async function openStaticFiles(dir: string): Promise<StaticFiles> {
  let root: string
  try {
    root = await realpath(path.resolve(dir))
    if (!(await stat(root)).isDirectory()) throw new Error('not a directory')
  } catch (error) {
    throw new Error(`staticDir ${JSON.stringify(dir)} is not a readable directory (${(error as Error).message}).`)
  }
  return { root, find: (urlPath) => findFile(root, urlPath) }
}

async function findFile(root: string, urlPath: string): Promise<StaticFile | undefined> {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (decoded.includes('\0') || !decoded.startsWith('/')) return undefined
  const relative = decoded.endsWith('/') ? `${decoded}index.html` : decoded
  const candidate = path.resolve(root, `.${relative}`)
  if (!isInside(root, candidate)) return undefined

  let real: string
  try {
    real = await realpath(candidate)
    // A symlink inside the root may point anywhere; judge where it lands.
    if (!isInside(root, real) || !(await stat(real)).isFile()) return undefined
  } catch {
    return undefined
  }
  const contentType = CONTENT_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream'
  return { body: await readFile(real), contentType }
}

function isInside(root: string, candidate: string): boolean {
  return candidate.startsWith(root + path.sep)
}
