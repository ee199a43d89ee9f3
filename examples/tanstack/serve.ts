/**
 * `npm run example:tanstack`: builds the TanStack Query chat into a temp
 * folder and serves it with the chat demo server on http://127.0.0.1:$PORT
 * (default 3007).
 */
import { EXAMPLE_PORTS } from '../chat/process.js'
import { serveExample } from '../serve-example.js'
import { buildTanstackExample } from './build.js'

await serveExample({ name: 'TanStack', defaultPort: EXAMPLE_PORTS.tanstack, build: buildTanstackExample })
