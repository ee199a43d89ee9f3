/**
 * `npm run example:solid`: builds the Solid chat into a temp folder and
 * serves it with the chat demo server on http://127.0.0.1:$PORT (default 3004).
 */
import { EXAMPLE_PORTS } from '../chat/process.js'
import { serveExample } from '../serve-example.js'
import { buildSolidExample } from './build.js'

await serveExample({ name: 'Solid', defaultPort: EXAMPLE_PORTS.solid, build: buildSolidExample })
