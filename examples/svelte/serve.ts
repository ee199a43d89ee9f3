/**
 * `npm run example:svelte`: builds the Svelte chat into a temp folder and
 * serves it with the chat demo server on http://127.0.0.1:$PORT (default 3003).
 */
import { EXAMPLE_PORTS } from '../chat/process.js'
import { serveExample } from '../serve-example.js'
import { buildSvelteExample } from './build.js'

await serveExample({ name: 'Svelte', defaultPort: EXAMPLE_PORTS.svelte, build: buildSvelteExample })
