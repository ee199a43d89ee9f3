/**
 * `npm run example:react`: builds the React chat into a temp folder and
 * serves it with the chat demo server on http://127.0.0.1:$PORT (default 3001).
 */
import { EXAMPLE_PORTS } from '../chat/process.js'
import { serveExample } from '../serve-example.js'
import { buildReactExample } from './build.js'

await serveExample({ name: 'React', defaultPort: EXAMPLE_PORTS.react, build: buildReactExample })
