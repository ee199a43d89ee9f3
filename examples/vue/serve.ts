/**
 * `npm run example:vue`: builds the Vue chat into a temp folder and
 * serves it with the chat demo server on http://127.0.0.1:$PORT (default 3002).
 */
import { EXAMPLE_PORTS } from '../chat/process.js'
import { serveExample } from '../serve-example.js'
import { buildVueExample } from './build.js'

await serveExample({ name: 'Vue', defaultPort: EXAMPLE_PORTS.vue, build: buildVueExample })
